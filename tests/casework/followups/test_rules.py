"""Follow-ups' rules as tables: what each effect opens or closes, when it falls due, whom each step tells."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from casework.followups.messages import message_for
from casework.followups.rules import (
    DEFAULTS,
    RULES,
    CaseFacts,
    FirstAct,
    FollowUpKind,
    FollowUpState,
    MeasureFacts,
    Rung,
    Settings,
    act_at,
    add_months,
    changes_for,
    is_moot,
    resumed_due,
)
from casework.workflow import CaseState, FollowUpEffect

pytestmark = pytest.mark.pure
BEIJING = ZoneInfo("Asia/Shanghai")
K, E, S = FollowUpKind, FollowUpEffect, CaseState


def beijing(day: str, clock: str = "10:00") -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), tzinfo=BEIJING)


def case(**facts: object) -> CaseFacts:
    return CaseFacts(**{"case_id": 7, "event_id": 70, "state": S.SUBMITTED, "filer": 3, **facts})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2026-11-30", "2026-12-02"),  # Monday + 2 working days
        ("2026-12-04", "2026-12-08"),  # Friday: the weekend does not count
        ("2026-02-13", "2026-02-24"),  # before Spring Festival: 14th worked (调休), 15th-23rd off
        ("2025-09-30", "2025-10-10"),  # National Day 2025: 1-8 October off, 9th and 10th worked
    ],
)
def test_it_counts_the_triage_deadline_in_working_days(now: str, due: str) -> None:
    changes = changes_for([E.OPEN_TRIAGE_CLOCK], case(), beijing(now), DEFAULTS, BEIJING)
    [opening] = changes.open
    assert opening.kind is K.TRIAGE_DUE and opening.key == "triage:7:70"
    assert opening.due_at == beijing(due)


def test_it_keeps_a_short_offer_deadline_in_minutes_when_the_district_sets_one() -> None:
    offered = case(state=S.ASSIGNED, offer=(5, 9))
    quick = Settings(offer_minutes=3)
    [opening] = changes_for([E.OPEN_OFFER_DEADLINE], offered, beijing("2026-12-05"), quick, BEIJING).open
    assert opening.due_at == beijing("2026-12-05", "10:03") and opening.follows == 5 and opening.assignee == 9
    [normal] = changes_for([E.OPEN_OFFER_DEADLINE], offered, beijing("2026-12-04"), DEFAULTS, BEIJING).open
    assert normal.due_at == beijing("2026-12-09")  # Friday + 3 working days


def test_it_opens_no_offer_deadline_without_an_offer() -> None:
    assert changes_for([E.OPEN_OFFER_DEADLINE], case(), beijing("2026-12-01"), DEFAULTS, BEIJING).open == ()


@pytest.mark.parametrize(
    ("effect", "closed"),
    [
        (E.CLOSE_TRIAGE_CLOCK, {K.TRIAGE_DUE}),
        (E.CLOSE_OFFER_DEADLINE, {K.OFFER_DEADLINE}),
        (E.CLOSE_PLAN_REVIEW_CLOCK, {K.PLAN_REVIEW_DUE}),
    ],
)
def test_it_closes_the_clock_an_effect_names(effect: FollowUpEffect, closed: set[FollowUpKind]) -> None:
    assert changes_for([effect], case(), beijing("2026-12-01"), DEFAULTS, BEIJING).close == closed


def test_it_cancels_everything_of_a_case_that_ended_and_only_visits_when_monitoring_starts() -> None:
    assert changes_for([E.CANCEL_ALL], case(), beijing("2026-12-01"), DEFAULTS, BEIJING).cancel == set(K)
    assert changes_for([E.CANCEL_VISIT_CYCLE], case(), beijing("2026-12-01"), DEFAULTS, BEIJING).cancel == {K.VISIT}


def test_it_schedules_the_surveys_3_6_and_12_months_on_at_the_start_of_a_working_day() -> None:
    changes = changes_for([E.SCHEDULE_OUTCOME_SURVEYS], case(), beijing("2026-08-31"), DEFAULTS, BEIJING)
    due = {o.data["months"]: o.due_at for o in changes.open}
    assert due == {
        3: beijing("2026-11-30", "09:00"),
        6: beijing("2027-03-01", "09:00"),  # 28 Feb 2027 is a Sunday: the next working day
        12: beijing("2027-08-31", "09:00"),
    }
    assert {o.assignee for o in changes.open} == {3}


def test_it_opens_the_next_visit_after_the_districts_interval() -> None:
    [visit] = changes_for(
        [E.START_VISIT_CYCLE], case(), beijing("2026-11-02"), Settings(visit_every_days=14), BEIJING
    ).open
    assert visit.kind is K.VISIT and visit.due_at == beijing("2026-11-16", "09:00") and visit.assignee == 3


def test_it_reminds_of_a_measure_a_working_day_ahead_and_alerts_the_morning_after_it_is_due() -> None:
    measures = (
        MeasureFacts(1, date(2026, 12, 14), "todo"),  # Monday: reminded on Friday the 11th
        MeasureFacts(2, date(2026, 12, 2), "doing"),  # due tomorrow: the reminder time has passed
        MeasureFacts(3, date(2026, 12, 20), "done"),
    )
    facts = case(state=S.IN_PROGRESS, lead_expert=8, measures=measures)
    changes = changes_for([E.START_MEASURE_REMINDERS], facts, beijing("2026-12-01", "15:00"), DEFAULTS, BEIJING)
    got = sorted((o.kind.value, o.follows, o.due_at) for o in changes.open)
    assert got == [
        ("measure_overdue", 1, beijing("2026-12-15", "09:00")),
        ("measure_overdue", 2, beijing("2026-12-03", "09:00")),
        ("measure_reminder", 1, beijing("2026-12-11", "09:00")),
    ]
    assert {o.assignee for o in changes.open} == {8}


def test_it_pauses_and_resumes_keeping_the_time_left() -> None:
    assert changes_for([E.PAUSE_CLOCKS], case(), beijing("2026-12-01"), DEFAULTS, BEIJING).pause
    assert changes_for([E.RESUME_CLOCKS], case(), beijing("2026-12-01"), DEFAULTS, BEIJING).resume
    assert resumed_due(beijing("2026-12-03"), beijing("2026-12-01"), beijing("2026-12-05")) == beijing("2026-12-07")


@pytest.mark.parametrize(
    ("kind", "rungs", "end"),
    [
        (K.TRIAGE_DUE, [Rung.DISTRICT_OFFICERS, Rung.CITY_OFFICERS], FollowUpState.ESCALATED),
        (K.MEASURE_OVERDUE, [Rung.ASSIGNEE, Rung.DISTRICT_OFFICERS, Rung.CITY_OFFICERS], FollowUpState.ESCALATED),
        (K.MEASURE_REMINDER, [Rung.ASSIGNEE], FollowUpState.DONE),
        (K.OFFER_DEADLINE, [Rung.DISTRICT_OFFICERS], FollowUpState.DONE),
        (K.OUTCOME_SURVEY, [None, Rung.ASSIGNEE, Rung.DISTRICT_OFFICERS, Rung.CITY_OFFICERS], FollowUpState.ESCALATED),
        (K.VISIT, [None, Rung.ASSIGNEE, Rung.DISTRICT_OFFICERS, Rung.CITY_OFFICERS], FollowUpState.ESCALATED),
    ],
)
def test_it_climbs_each_kinds_ladder_a_working_day_at_a_time(
    kind: FollowUpKind, rungs: list[Rung | None], end: FollowUpState
) -> None:
    now = beijing("2026-12-04")  # a Friday: the next rung is on Monday
    acts = [act_at(kind, step, now, DEFAULTS, BEIJING) for step in range(len(rungs))]
    assert [a.rung for a in acts] == rungs
    assert acts[0].first is RULES[kind].first
    assert all(a.first is None for a in acts[1:])
    assert [a.finished_state for a in acts] == [None] * (len(rungs) - 1) + [end]
    for act in acts[:-1]:
        if act.first is not FirstAct.OPEN_TASK:
            assert act.next_due == beijing("2026-12-07")
    assert acts[-1].next_due is None


def test_it_gives_a_survey_task_the_districts_time_and_alerts_the_morning_after() -> None:
    act = act_at(K.OUTCOME_SURVEY, 0, beijing("2026-12-01"), DEFAULTS, BEIJING)
    assert act.first is FirstAct.OPEN_TASK and act.next_due == beijing("2026-12-09", "09:00")  # due the 8th


@pytest.mark.parametrize(
    ("kind", "state", "moot"),
    [
        (K.TRIAGE_DUE, S.WITHDRAWN, True),
        (K.TRIAGE_DUE, S.SUBMITTED, False),
        (K.OFFER_DEADLINE, S.ASSIGNED, False),
        (K.OFFER_DEADLINE, S.TRIAGED, True),  # answered or withdrawn meanwhile
        (K.OUTCOME_SURVEY, S.CLOSED, False),  # surveys go on after a case closes
        (K.OUTCOME_SURVEY, S.MERGED, True),
        (K.VISIT, S.CLOSED, True),
        (K.TASK_DUE, S.CLOSED, False),
    ],
)
def test_it_cancels_rather_than_sends_what_a_gone_case_no_longer_needs(
    kind: FollowUpKind, state: CaseState, moot: bool
) -> None:
    assert is_moot(kind, state) is moot


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-08-31", 6, "2027-02-28"),
        ("2028-08-31", 6, "2029-02-28"),
        ("2027-11-30", 3, "2028-02-29"),
        ("2026-01-15", 12, "2027-01-15"),
    ],
)
def test_it_adds_months_keeping_the_day_or_the_months_last(day: str, months: int, expected: str) -> None:
    assert add_months(date.fromisoformat(day), months) == date.fromisoformat(expected)


@pytest.mark.parametrize("kind", list(K))
@pytest.mark.parametrize("rung", list(Rung))
def test_it_has_a_message_for_every_rung_of_every_kind(kind: FollowUpKind, rung: Rung) -> None:
    message = message_for(kind, rung)
    assert "{number}" in message.subject and message.body


def test_it_schedules_visits_counted_in_calendar_days() -> None:
    assert DEFAULTS.visit_every_days == 30
    [visit] = changes_for([E.START_VISIT_CYCLE], case(), beijing("2026-12-01"), DEFAULTS, BEIJING).open
    assert visit.due_at.date() == date(2026, 12, 31) and visit.due_at - beijing("2026-12-01") < timedelta(days=31)
