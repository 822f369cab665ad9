"""Which reveals belong to a case: those made while it was open, placed among its events by time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casework.timeline.chronology import Period, merge_in, open_periods, while_open

pytestmark = pytest.mark.pure

T0 = datetime(2025, 11, 30, 22, 38, tzinfo=UTC)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def event(hours: int, source: str, target: str, kind: str = "x") -> dict[str, Any]:
    return {"created_at": at(hours), "from_state": source, "to_state": target, "kind": kind}


# events (hours, from, to), open now -> periods (start, end)
PERIODS: list[tuple[list[tuple[int, str, str]], bool, list[tuple[int, int | None]]]] = [
    ([(0, "", "submitted")], True, [(0, None)]),
    ([(0, "", "submitted"), (1, "", ""), (2, "submitted", "triaged")], True, [(0, None)]),
    ([(0, "", "submitted"), (5, "submitted", "declined")], False, [(0, 5)]),
    ([(0, "", "draft"), (3, "draft", "withdrawn")], False, [(0, 3)]),
    ([(0, "", "submitted"), (5, "monitoring", "closed"), (9, "closed", "in_progress")], True, [(0, 5), (9, None)]),
    (
        [(0, "", "submitted"), (5, "monitoring", "closed"), (9, "closed", "in_progress"), (12, "monitoring", "closed")],
        False,
        [(0, 5), (9, 12)],
    ),
    ([(0, "", "submitted"), (2, "in_progress", "on_hold"), (4, "on_hold", "in_progress")], True, [(0, None)]),
    # A duplicate's events moved into the surviving case end with "merged"; the survivor is still open.
    ([(0, "", "submitted"), (1, "", "submitted"), (2, "triaged", "merged")], True, [(0, None)]),
    ([], True, []),
]


@pytest.mark.parametrize(("events", "open_now", "expected"), PERIODS)
def test_it_finds_when_the_case_was_open(
    events: list[tuple[int, str, str]], open_now: bool, expected: list[tuple[int, int | None]]
) -> None:
    periods = open_periods([event(*e) for e in events], open_now)

    assert periods == [Period(at(start), None if end is None else at(end)) for start, end in expected]


def test_it_counts_a_reveal_while_open_including_the_moments_of_filing_and_closing() -> None:
    periods = [Period(at(0), at(5)), Period(at(9))]

    assert [while_open(periods, at(h)) for h in (-1, 0, 3, 5, 6, 9, 100)] == [
        False,
        True,
        True,
        True,
        False,
        True,
        True,
    ]


def test_it_places_each_reveal_before_the_first_event_later_than_it() -> None:
    events = [event(0, "", "submitted", "filed"), event(2, "", "", "note"), event(4, "", "", "attachment")]
    reveals = [
        {"created_at": at(3), "kind": "reveal", "id": 2},
        {"created_at": at(1), "kind": "reveal", "id": 1},
        {"created_at": at(7), "kind": "reveal", "id": 3},
    ]

    merged = merge_in(events, reveals)

    assert [(row["kind"], row["created_at"]) for row in merged] == [
        ("filed", at(0)),
        ("reveal", at(1)),
        ("note", at(2)),
        ("reveal", at(3)),
        ("attachment", at(4)),
        ("reveal", at(7)),
    ]


def test_it_keeps_the_events_in_their_recorded_order_even_when_clocks_disagree() -> None:
    # Two web servers: the second event was recorded later by a clock a second behind.
    events = [
        event(0, "", "submitted", "filed"),
        {**event(0, "", "", "note"), "created_at": at(0) - timedelta(seconds=1)},
    ]

    assert [row["kind"] for row in merge_in(events, [])] == ["filed", "note"]
