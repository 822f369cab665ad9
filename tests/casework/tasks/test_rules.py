"""Broker tasks' rules and reach as tables: who may dispatch, complete and cancel what, and what each needs."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.policy import Actor, Role
from casework.states import CaseState
from casework.tasks.access import may_reach_task
from casework.tasks.rules import (
    DispatchDraft,
    Record,
    TaskAction,
    TaskFacts,
    TaskKind,
    TaskStatus,
    available_actions,
    case_takes_tasks,
    check_cancel,
    check_completion,
    check_dispatch,
    is_overdue,
    may_take_confirmation,
    parse_due_on,
    parse_id,
)
from core.errors import Conflict, Invalid, NotAllowed

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

A, B = "500154", "500118"
BROKER = Actor(1, Role.BROKER, A)
OTHER_BROKER = Actor(2, Role.BROKER, A)
OFFICER = Actor(3, Role.DISTRICT_OFFICER, A)
OTHER_OFFICER = Actor(4, Role.DISTRICT_OFFICER, B)
CITY = Actor(5, Role.CITY_OFFICER, None)
EXPERT = Actor(6, Role.EXPERT, None)
ADMIN = Actor(7, Role.ADMIN, None)
TODAY = date(2027, 2, 10)


def draft(**changes: object) -> DispatchDraft:
    values: dict[str, object] = {
        "kind": "visit",
        "due_on": TODAY,
        "instructions": "走访了解冷库建设进度",
        "district": A,
        "has_case": True,
        "case_state": CaseState.TRIAGED,
        "broker_district": A,
    }
    return DispatchDraft(**{**values, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("actor", "changes", "outcome"),
    [
        (OFFICER, {}, TaskKind.VISIT),
        (OFFICER, {"kind": "survey", "has_case": False, "case_state": None}, TaskKind.SURVEY),
        (OFFICER, {"kind": "collect_document"}, TaskKind.COLLECT_DOCUMENT),
        (CITY, {"district": B, "broker_district": B}, TaskKind.VISIT),
        (OFFICER, {"district": B, "broker_district": B}, NotAllowed),
        (OTHER_OFFICER, {}, NotAllowed),
        (BROKER, {}, NotAllowed),
        (EXPERT, {}, NotAllowed),
        (ADMIN, {}, NotAllowed),
        (OFFICER, {"case_state": CaseState.MERGED}, Conflict),
        (OFFICER, {"case_state": CaseState.DECLINED}, Conflict),
        (OFFICER, {"case_state": CaseState.WITHDRAWN}, Conflict),
        (OFFICER, {"case_state": CaseState.CLOSED}, Conflict),  # reopened first, if it needs more work
        (OFFICER, {"case_state": CaseState.CLOSED, "kind": "survey"}, Conflict),
        (OFFICER, {"case_state": CaseState.MONITORING, "kind": "survey"}, TaskKind.SURVEY),
        (OFFICER, {"case_state": CaseState.ON_HOLD}, TaskKind.VISIT),
    ],
)
def test_it_decides_who_may_dispatch_a_task(actor: Actor, changes: dict[str, object], outcome: object) -> None:
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            check_dispatch(draft(**changes), actor, TODAY)
    else:
        assert check_dispatch(draft(**changes), actor, TODAY) is outcome


@pytest.mark.parametrize("state", list(CaseState))
def test_it_takes_new_tasks_for_a_case_until_it_is_in_a_final_state(state: CaseState) -> None:
    final = state in {CaseState.CLOSED, CaseState.DECLINED, CaseState.WITHDRAWN, CaseState.MERGED}
    assert case_takes_tasks(state) is not final
    assert case_takes_tasks(state.value) is not final  # as a template has it, from the case's row


def test_it_takes_tasks_about_an_enterprise_alone() -> None:
    assert case_takes_tasks(None)


def test_it_refuses_a_task_for_an_ended_case_before_looking_at_its_fields() -> None:
    with pytest.raises(Conflict) as refused:
        check_dispatch(draft(case_state=CaseState.DECLINED, kind="", due_on=None), OFFICER, TODAY)
    assert refused.value.message == "This case has ended; it takes no new tasks."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "party"}, "kind", "Choose the kind of task."),
        ({"kind": "collect_document", "has_case": False, "case_state": None}, "kind", "A collected document"),
        ({"due_on": None}, "due_on", "Give the date the task is due by."),
        ({"due_on": date(2027, 2, 9)}, "due_on", "A task cannot be due in the past"),
        ({"instructions": "  "}, "instructions", "Say what the broker should do."),
        ({"instructions": "x" * 2001}, "instructions", "Keep the instructions"),
        ({"broker_district": None}, "broker_id", "Choose an active broker from the list."),
        ({"broker_given": False, "broker_district": None}, "broker_id", "Choose an active broker from the list."),
        ({"broker_district": B}, "broker_id", "This broker works in another district"),
    ],
)
def test_it_refuses_a_dispatch_with_each_fields_message(changes: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        check_dispatch(draft(**changes), OFFICER, TODAY)
    assert refused.value.errors[field].startswith(message)


def test_it_reports_every_bad_field_of_a_dispatch_at_once() -> None:
    with pytest.raises(Invalid) as refused:
        check_dispatch(draft(kind="", due_on=None, instructions="", broker_district=None), OFFICER, TODAY)
    assert set(refused.value.errors) == {"kind", "due_on", "instructions", "broker_id"}


def test_it_lets_a_task_be_due_today() -> None:
    assert check_dispatch(draft(due_on=TODAY), OFFICER, TODAY) is TaskKind.VISIT


def task(kind: TaskKind = TaskKind.VISIT, status: TaskStatus = TaskStatus.OPEN, has_case: bool = True) -> TaskFacts:
    return TaskFacts(kind=kind, status=status, district=A, broker=BROKER.user_id, has_case=has_case)


V, S, D = TaskKind.VISIT, TaskKind.SURVEY, TaskKind.COLLECT_DOCUMENT


@pytest.mark.parametrize(
    ("facts", "actor", "record", "outcome"),
    [
        (task(V), BROKER, Record(note="看了冷库"), ("task_done", "visit")),
        (task(V), BROKER, Record(note="看了冷库", has_file=True, has_confirmation=True), ("task_done", "visit")),
        (task(V, has_case=False), BROKER, Record(note="看了"), ("task_done", "visit")),
        (task(V), BROKER, Record(note=" "), Invalid),
        (task(V, has_case=False), BROKER, Record(note="看了", has_file=True), Invalid),
        (task(V, has_case=False), BROKER, Record(note="看了", has_confirmation=True), Invalid),
        (task(S), BROKER, Record(note="员工 12 人"), ("task_done",)),
        (task(S), BROKER, Record(), ("task_done",)),  # a survey's answers are its fields (enterprises.outcomes)
        (task(S), BROKER, Record(note="x", has_file=True), Invalid),
        (task(D), BROKER, Record(has_file=True), ("task_done",)),
        (task(D), BROKER, Record(note="营业执照"), Invalid),
        (task(V), OTHER_BROKER, Record(note="x"), NotAllowed),
        (task(V), OFFICER, Record(note="x"), NotAllowed),
        (task(V), EXPERT, Record(note="x"), NotAllowed),
        (task(V, status=TaskStatus.DONE), BROKER, Record(note="x"), Conflict),
        (task(V, status=TaskStatus.CANCELLED), BROKER, Record(note="x"), Conflict),
    ],
)
def test_it_asks_each_kind_of_task_for_its_record(
    facts: TaskFacts, actor: Actor, record: Record, outcome: object
) -> None:
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            check_completion(facts, actor, record)
    else:
        assert check_completion(facts, actor, record).case_events == outcome


@pytest.mark.parametrize(
    ("status", "message"),
    [(TaskStatus.DONE, "This task is already done."), (TaskStatus.CANCELLED, "This task was cancelled.")],
)
def test_it_says_why_a_finished_task_cannot_be_completed(status: TaskStatus, message: str) -> None:
    with pytest.raises(Conflict) as refused:
        check_completion(task(status=status), BROKER, Record(note="x"))
    assert refused.value.message == message


@pytest.mark.parametrize(
    ("facts", "actor", "may"),
    [
        (task(V), BROKER, True),
        (task(V, has_case=False), BROKER, False),
        (task(S), BROKER, False),
        (task(D), BROKER, False),
        (task(V, status=TaskStatus.DONE), BROKER, False),
        (task(V), OTHER_BROKER, False),
        (task(V), OFFICER, False),  # an officer reading the task sees no code sent to the founder
    ],
)
def test_it_says_when_the_broker_may_take_the_founders_confirmation(facts: TaskFacts, actor: Actor, may: bool) -> None:
    assert may_take_confirmation(facts, actor) is may


@pytest.mark.parametrize(
    ("actor", "status", "reason", "outcome"),
    [
        (OFFICER, TaskStatus.OPEN, "企业已停业", None),
        (CITY, TaskStatus.OPEN, "重复派发", None),
        (OFFICER, TaskStatus.OPEN, " ", Invalid),
        (OFFICER, TaskStatus.DONE, "x", Conflict),
        (OTHER_OFFICER, TaskStatus.OPEN, "x", NotAllowed),
        (BROKER, TaskStatus.OPEN, "x", NotAllowed),
        (EXPERT, TaskStatus.OPEN, "x", NotAllowed),
    ],
)
def test_it_decides_who_may_cancel_a_task(actor: Actor, status: TaskStatus, reason: str, outcome: object) -> None:
    if outcome is None:
        check_cancel(task(status=status), actor, reason)
    else:
        assert isinstance(outcome, type)
        with pytest.raises(outcome):
            check_cancel(task(status=status), actor, reason)


@pytest.mark.parametrize(
    ("actor", "status", "offered"),
    [
        (BROKER, TaskStatus.OPEN, [TaskAction.COMPLETE]),
        (OTHER_BROKER, TaskStatus.OPEN, []),
        (OFFICER, TaskStatus.OPEN, [TaskAction.CANCEL]),
        (CITY, TaskStatus.OPEN, [TaskAction.CANCEL]),
        (OTHER_OFFICER, TaskStatus.OPEN, []),
        (BROKER, TaskStatus.DONE, []),
        (OFFICER, TaskStatus.CANCELLED, []),
        (EXPERT, TaskStatus.OPEN, []),
    ],
)
def test_it_offers_only_the_actions_open_to_the_user(
    actor: Actor, status: TaskStatus, offered: list[TaskAction]
) -> None:
    assert available_actions(task(status=status), actor) == offered


@pytest.mark.parametrize(
    ("actor", "facts", "reached"),
    [
        (BROKER, {"district": A, "broker": BROKER.user_id}, True),
        (OTHER_BROKER, {"district": A, "broker": BROKER.user_id}, False),
        (OFFICER, {"district": A, "broker": BROKER.user_id}, True),
        (OTHER_OFFICER, {"district": A, "broker": BROKER.user_id}, False),
        (CITY, {"district": A, "broker": BROKER.user_id}, True),
        (EXPERT, {"district": A, "broker": BROKER.user_id}, False),
        (ADMIN, {"district": A, "broker": BROKER.user_id}, False),
        (Actor(9, Role.DISTRICT_OFFICER, None), {"district": A, "broker": 1}, False),
    ],
)
def test_it_keeps_each_user_to_his_tasks(actor: Actor, facts: dict[str, object], reached: bool) -> None:
    assert may_reach_task(actor, facts) is reached


@pytest.mark.parametrize(
    ("status", "due_on", "overdue"),
    [
        ("open", date(2027, 2, 9), True),
        ("open", TODAY, False),
        ("open", date(2027, 2, 11), False),
        ("done", date(2027, 2, 1), False),
        ("cancelled", date(2027, 2, 1), False),
    ],
)
def test_it_marks_only_open_tasks_past_their_day_as_overdue(status: str, due_on: date, overdue: bool) -> None:
    assert is_overdue(status, due_on, TODAY) is overdue


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2027-03-01", date(2027, 3, 1)),
        (" 2027-03-01 ", date(2027, 3, 1)),
        ("", None),
        ("3月1日", None),
        ("2027-02-30", None),
    ],
)
def test_it_reads_the_due_date_as_the_date_field_sends_it(text: str, parsed: date | None) -> None:
    assert parse_due_on(text) == parsed


@pytest.mark.parametrize(
    ("text", "parsed"), [("12", 12), (" 7 ", 7), ("", None), ("0", None), ("-3", None), ("x", None), ("9" * 12, None)]
)
def test_it_reads_an_id_typed_into_a_form(text: str, parsed: int | None) -> None:
    assert parse_id(text) == parsed
