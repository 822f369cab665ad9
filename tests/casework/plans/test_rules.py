"""The plan's rules as tables: measure moves, what a measure and a problem must say, who may change
the plan when, and when a problem may be closed out."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from accounts.policy import Actor, Role
from casework.confirmations.rules import ConfirmationFacts, Method
from casework.plans.rules import (
    MeasureStatus,
    Owner,
    PlanCase,
    ProblemFacts,
    check_close_out,
    check_may_close_out,
    check_may_record_progress,
    check_may_write_diagnosis,
    check_may_write_plan,
    check_move,
    moves_from,
    read_diagnosis,
    read_measure,
    read_problem,
    read_problem_ids,
    ready_to_close_out,
)
from casework.states import CaseState
from core.errors import Conflict, Invalid, NotAllowed

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

TODAY = date(2026, 12, 1)
LEAD = Actor(5, Role.EXPERT, None)
OTHER_EXPERT = Actor(6, Role.EXPERT, None)
BROKER = Actor(1, Role.BROKER, "500154")
OFFICER = Actor(3, Role.DISTRICT_OFFICER, "500154")
CITY = Actor(4, Role.CITY_OFFICER, None)
ADMIN = Actor(7, Role.ADMIN, None)
S = MeasureStatus


@pytest.mark.parametrize(
    ("current", "target", "reason", "outcome"),
    [
        (S.TODO, "doing", "", S.DOING),
        (S.DOING, "done", "", S.DONE),
        (S.TODO, "dropped", "企业已自筹资金", S.DROPPED),
        (S.DOING, "dropped", "政策取消", S.DROPPED),
        (S.TODO, "dropped", "  ", Invalid),  # a reason is required
        (S.TODO, "done", "", Invalid),  # done only after doing
        (S.DOING, "todo", "", Invalid),
        (S.DONE, "doing", "", Invalid),  # final
        (S.DONE, "dropped", "x", Invalid),
        (S.DROPPED, "doing", "", Invalid),
        (S.TODO, "finished", "", Invalid),
        (S.TODO, "todo", "", Invalid),
    ],
)
def test_it_moves_measures_only_along_the_table(current: S, target: str, reason: str, outcome: object) -> None:
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            check_move(current, target, reason)
    else:
        assert check_move(current, target, reason) is outcome


def test_it_offers_the_moves_in_a_stable_order() -> None:
    assert moves_from(S.TODO) == [S.DOING, S.DROPPED]
    assert moves_from(S.DOING) == [S.DONE, S.DROPPED]
    assert moves_from(S.DONE) == [] and moves_from(S.DROPPED) == []


GOOD = {"description": "对接区农商行创业担保贷款", "owner": "bureau", "owner_name": "", "due_on": "2026-12-20"}


@pytest.mark.parametrize(
    ("change", "previous_due", "errors"),
    [
        ({}, None, set()),
        ({"due_on": "２０２６-１２-０１"}, None, set()),  # today, typed in full-width digits
        ({"description": "  "}, None, {"description"}),
        ({"owner": "mayor"}, None, {"owner"}),
        ({"owner": ""}, None, {"owner"}),
        ({"owner": "agency"}, None, {"owner_name"}),  # another agency must be named
        ({"owner": "agency", "owner_name": "区市场监管局"}, None, set()),
        ({"owner_name": "x" * 201}, None, {"owner_name"}),
        ({"due_on": ""}, None, {"due_on"}),
        ({"due_on": "2026/13/01"}, None, {"due_on"}),
        ({"due_on": "2026-11-30"}, None, {"due_on"}),  # in the past
        ({"due_on": "2026-11-30"}, date(2026, 11, 30), set()),  # agreed before, now passed: kept
        ({"due_on": "2026-11-29"}, date(2026, 11, 30), {"due_on"}),  # changed to another past date
        ({"due_on": "2099-01-01"}, None, {"due_on"}),  # a typing slip
        ({"description": "", "owner": "", "due_on": ""}, None, {"description", "owner", "due_on"}),
    ],
)
def test_it_checks_a_measure_field_by_field(
    change: dict[str, str], previous_due: date | None, errors: set[str]
) -> None:
    form = {**GOOD, **change}
    if errors:
        with pytest.raises(Invalid) as refused:
            read_measure(form, TODAY, previous_due)
        assert set(refused.value.errors) == errors
    else:
        measure = read_measure(form, TODAY, previous_due)
        assert measure.owner in Owner and measure.description


def test_it_tidies_what_was_typed() -> None:
    measure = read_measure({**GOOD, "description": " 对接\u200b银行 \r\n 办理贷款 ", "owner_name": "  "}, TODAY)
    assert measure.description == "对接银行\n办理贷款"
    assert read_problem({"title": "  资金 周转 困难 ", "description": ""}).title == "资金 周转 困难"


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"title": "缺少冷库"}, set()),
        ({"title": " "}, {"title"}),
        ({"title": "x" * 201}, {"title"}),
        ({"title": "缺少冷库", "description": "x" * 4001}, {"description"}),
    ],
)
def test_it_checks_a_problem(form: dict[str, str], errors: set[str]) -> None:
    if errors:
        with pytest.raises(Invalid) as refused:
            read_problem(form)
        assert set(refused.value.errors) == errors
    else:
        assert read_problem(form).title == form["title"]


def test_it_refuses_a_diagnosis_too_long_to_be_one() -> None:
    assert read_diagnosis(" 缺少流动资金 ") == "缺少流动资金"
    with pytest.raises(Invalid):
        read_diagnosis("x" * 20001)


C = CaseState


def case(state: CaseState, awaiting: bool = False) -> PlanCase:
    return PlanCase(state=state, lead_expert=LEAD.user_id, awaiting_decision=awaiting)


@pytest.mark.parametrize(
    ("check", "actor", "plan_case", "outcome"),
    [
        (check_may_write_diagnosis, LEAD, case(C.DIAGNOSING), None),
        (check_may_write_diagnosis, LEAD, case(C.PLANNING), None),
        (check_may_write_diagnosis, LEAD, case(C.PLANNING, awaiting=True), Conflict),
        (check_may_write_diagnosis, LEAD, case(C.ASSIGNED), Conflict),
        (check_may_write_diagnosis, OTHER_EXPERT, case(C.DIAGNOSING), NotAllowed),
        (check_may_write_diagnosis, OFFICER, case(C.DIAGNOSING), NotAllowed),
        (check_may_write_plan, LEAD, case(C.PLANNING), None),
        (check_may_write_plan, LEAD, case(C.DIAGNOSING), Conflict),
        (check_may_write_plan, LEAD, case(C.PLANNING, awaiting=True), Conflict),
        (check_may_write_plan, LEAD, case(C.PLAN_APPROVED), Conflict),
        (check_may_write_plan, BROKER, case(C.PLANNING), NotAllowed),  # a broker may not edit the plan
        (check_may_write_plan, OFFICER, case(C.PLANNING), NotAllowed),
        (check_may_write_plan, OTHER_EXPERT, case(C.PLANNING), NotAllowed),
        (check_may_close_out, BROKER, case(C.IN_PROGRESS), None),
        (check_may_close_out, BROKER, case(C.PLAN_APPROVED), None),
        (check_may_close_out, BROKER, case(C.PLANNING), Conflict),
        (check_may_close_out, BROKER, case(C.MONITORING), Conflict),
        (check_may_close_out, LEAD, case(C.IN_PROGRESS), NotAllowed),  # an expert may not close out
        (check_may_close_out, OFFICER, case(C.IN_PROGRESS), NotAllowed),
    ],
)
def test_it_says_who_may_change_the_plan_when(
    check: object, actor: Actor, plan_case: PlanCase, outcome: type[Exception] | None
) -> None:
    if outcome is None:
        check(actor, plan_case)  # type: ignore[operator]
    else:
        with pytest.raises(outcome):
            check(actor, plan_case)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("actor", "owner", "state", "outcome"),
    [
        (LEAD, Owner.ENTERPRISE, C.IN_PROGRESS, None),
        (LEAD, Owner.BROKER, C.PLAN_APPROVED, None),
        (OFFICER, Owner.AGENCY, C.IN_PROGRESS, None),
        (CITY, Owner.EXPERT, C.IN_PROGRESS, None),
        (BROKER, Owner.BROKER, C.IN_PROGRESS, None),
        (BROKER, Owner.EXPERT, C.IN_PROGRESS, NotAllowed),  # brokers update only their own measures
        (OTHER_EXPERT, Owner.EXPERT, C.IN_PROGRESS, NotAllowed),
        (ADMIN, Owner.BUREAU, C.IN_PROGRESS, NotAllowed),
        (LEAD, Owner.EXPERT, C.PLANNING, Conflict),  # not before approval
        (OFFICER, Owner.EXPERT, C.MONITORING, Conflict),
    ],
)
def test_it_says_who_may_record_progress_on_which_measure(
    actor: Actor, owner: Owner, state: CaseState, outcome: type[Exception] | None
) -> None:
    if outcome is None:
        check_may_record_progress(actor, case(state), owner)
    else:
        with pytest.raises(outcome):
            check_may_record_progress(actor, case(state), owner)


NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CONFIRMED = ConfirmationFacts(id=9, case_id=1, method=Method.CODE, problems=frozenset({10, 11}), confirmed_at=NOW)
PROBLEMS = {
    10: ProblemFacts(10, False, (S.DONE, S.DROPPED)),
    11: ProblemFacts(11, False, ()),  # no measure: the founder's word alone closes it
    12: ProblemFacts(12, False, (S.DONE, S.DOING)),
    13: ProblemFacts(13, True, (S.DONE,)),
}


@pytest.mark.parametrize(
    ("chosen", "confirmation", "field"),
    [
        ({10}, CONFIRMED, None),
        ({10, 11}, CONFIRMED, None),
        ({10}, None, "confirmation"),  # no confirmation
        ({10}, ConfirmationFacts(9, 1, Method.CODE, frozenset({10})), "confirmation"),  # not confirmed yet
        ({10}, ConfirmationFacts(9, 2, Method.CODE, frozenset({10}), confirmed_at=NOW), "confirmation"),  # other case
        ({10, 11}, ConfirmationFacts(9, 1, Method.SIGNATURE, frozenset({10}), confirmed_at=NOW), "confirmation"),
        ({12}, ConfirmationFacts(9, 1, Method.CODE, frozenset({12}), confirmed_at=NOW), "problems"),  # a measure open
        ({13}, ConfirmationFacts(9, 1, Method.CODE, frozenset({13}), confirmed_at=NOW), "problems"),  # closed already
        ({99}, CONFIRMED, "problems"),  # not of this plan
        (set(), CONFIRMED, "problems"),
    ],
)
def test_it_closes_a_problem_out_only_with_its_measures_final_and_the_founders_confirmation(
    chosen: set[int], confirmation: ConfirmationFacts | None, field: str | None
) -> None:
    if field is None:
        check_close_out(1, PROBLEMS, frozenset(chosen), confirmation)
    else:
        with pytest.raises(Invalid) as refused:
            check_close_out(1, PROBLEMS, frozenset(chosen), confirmation)
        assert set(refused.value.errors) == {field}


def test_it_knows_which_problems_are_ready() -> None:
    assert [p for p, facts in PROBLEMS.items() if ready_to_close_out(facts)] == [10, 11]


def test_it_reads_problem_ids_as_a_form_sends_them() -> None:
    assert read_problem_ids(["3", " 4", "x", "-1", "0", 5, "99999999999"]) == frozenset({3, 4, 5})
