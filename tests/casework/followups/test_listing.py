"""How follow-ups are listed and a district's settings read, as tables: pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from accounts.policy import Actor, Role
from casework.followups.listing import Due, due_phrase, due_window, parse_due, rung_reached
from casework.followups.rules import DEFAULTS, FollowUpKind, FollowUpState
from casework.followups.settings_rules import as_form, may_reach_settings, parse_settings, shortened

pytestmark = pytest.mark.pure

K = FollowUpKind
NOW = datetime(2026, 2, 10, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "step", "reached"),
    [
        (K.TRIAGE_DUE, 0, "Not yet due"),
        (K.TRIAGE_DUE, 1, "The district officers were told"),
        (K.TRIAGE_DUE, 2, "The city officers were told"),
        (K.MEASURE_OVERDUE, 1, "The assignee was told"),
        (K.VISIT, 1, "The broker's task was opened"),
        (K.VISIT, 2, "The assignee was told"),
        (K.VISIT, 4, "The city officers were told"),
        (K.OFFER_DEADLINE, 1, "The district officers were told"),
    ],
)
def test_it_names_the_rung_a_follow_up_reached(kind: FollowUpKind, step: int, reached: str) -> None:
    assert rung_reached(kind, step) == reached


@pytest.mark.parametrize(
    ("due_at", "state", "phrase"),
    [
        (NOW - timedelta(days=2, hours=3), "pending", ("Overdue by {n} days", {"n": 2})),
        (NOW - timedelta(hours=5), "escalated", ("Overdue by {n} hours", {"n": 5})),
        (NOW - timedelta(seconds=10), "pending", ("Overdue by {n} minutes", {"n": 1})),
        (NOW + timedelta(minutes=30), "pending", ("Due in {n} minutes", {"n": 30})),
        (NOW + timedelta(days=6), "pending", ("Due in {n} days", {"n": 6})),
        (NOW - timedelta(days=2), "done", ("", {})),
        (NOW + timedelta(days=2), "paused", ("", {})),
    ],
)
def test_it_says_how_late_or_near_a_follow_up_is(due_at: datetime, state: str, phrase: tuple[str, object]) -> None:
    assert due_phrase(due_at, state, NOW) == phrase


def test_it_reads_the_due_filter() -> None:
    assert parse_due("") is Due.UPCOMING and parse_due("overdue") is Due.OVERDUE and parse_due("soon") is None
    assert due_window(Due.OVERDUE, NOW).before == NOW and due_window(Due.OVERDUE, NOW).or_escalated
    assert due_window(Due.DONE, NOW).states == (FollowUpState.DONE,)


@pytest.mark.parametrize(
    ("role", "district", "reaches"),
    [
        (Role.CITY_OFFICER, None, {"500101", "500154"}),
        (Role.ADMIN, None, {"500101", "500154"}),
        (Role.DISTRICT_OFFICER, "500154", {"500154"}),
        (Role.BROKER, "500154", set()),
        (Role.EXPERT, None, set()),
    ],
)
def test_it_lets_each_role_reach_its_districts_settings(role: Role, district: str | None, reaches: set[str]) -> None:
    actor = Actor(1, role, district)
    assert {code for code in ("500101", "500154") if may_reach_settings(actor, code)} == reaches


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({}, {}),
        ({"offer_minutes": "15"}, {}),
        ({"offer_working_days": "0"}, {"offer_working_days": "Enter a whole number of working days from 1 to 20."}),
        ({"visit_every_days": "6"}, {"visit_every_days": "Enter a whole number of days from 7 to 180."}),
        ({"task_working_days": "-1"}, {"task_working_days": "Enter a whole number of working days from 1 to 30."}),
        ({"offer_minutes": "2000"}, {"offer_minutes": "Enter a number of minutes from 1 to 1440, or leave it empty."}),
        ({"triage_working_days": ""}, {"triage_working_days": "Enter a whole number of working days from 1 to 20."}),
        (
            {"escalate_after_working_days": "1.5"},
            {"escalate_after_working_days": "Enter a whole number of working days from 1 to 10."},
        ),
    ],
)
def test_it_checks_each_setting_against_its_bounds(changes: dict[str, str], errors: dict[str, str]) -> None:
    settings, found = parse_settings({**as_form(DEFAULTS), **changes})
    assert found == errors
    assert (settings is None) is bool(errors)


@pytest.mark.parametrize(
    ("changes", "shorter"),
    [
        ({"visit_every_days": 45, "triage_working_days": 4}, []),
        ({"triage_working_days": 1}, ["triage_working_days"]),
        ({"offer_minutes": 10}, ["offer_minutes"]),
        ({"escalate_after_working_days": 1}, []),
    ],
)
def test_it_names_the_times_a_change_shortens(changes: dict[str, int], shorter: list[str]) -> None:
    assert shortened(DEFAULTS, replace(DEFAULTS, **changes)) == shorter


def test_it_takes_a_shorter_deadline_in_minutes_as_shortened_and_a_longer_one_not() -> None:
    demo = replace(DEFAULTS, offer_minutes=10)
    assert shortened(demo, replace(DEFAULTS, offer_minutes=5)) == ["offer_minutes"]
    assert shortened(demo, replace(DEFAULTS, offer_minutes=60)) == []
    assert shortened(demo, DEFAULTS) == []
