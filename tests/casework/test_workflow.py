"""The workflow's rules as a table: who may make which transition from which state, with what.

`SPEC` below is written from DESIGN §4 and the issue, not read from `RULES`: one row per
transition naming a source state inside and one outside, an actor who may and one who may not,
what a complete request gives, and what happens when one thing it needs is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pytest

from accounts.policy import Actor, Role
from casework.workflow import (
    NO_OPEN_OFFER,
    RULES,
    CaseFacts,
    CaseState,
    FollowUpEffect,
    Given,
    Party,
    Transition,
    available_transitions,
    check_transition,
    needs_plan_facts,
    waiting_on,
)
from core.errors import Conflict, Invalid, NotAllowed

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

FILER = Actor(1, Role.BROKER, "500154")
OTHER_BROKER = Actor(2, Role.BROKER, "500154")
OFFICER = Actor(3, Role.DISTRICT_OFFICER, "500154")
CITY = Actor(4, Role.CITY_OFFICER, None)
LEAD = Actor(5, Role.EXPERT, None)  # the expert whose lead assignment is accepted
OFFERED = Actor(6, Role.EXPERT, None)  # the expert with an open offer
OTHER_EXPERT = Actor(7, Role.EXPERT, None)
ADMIN = Actor(8, Role.ADMIN, None)

TODAY = date(2026, 12, 1)
S, T = CaseState, Transition


@dataclass(frozen=True)
class Row:
    transition: Transition
    inside: CaseState  # a source state the transition leaves from
    outside: CaseState  # a state it does not
    may: Actor  # someone allowed
    may_not: Actor  # someone not allowed (role or relation)
    target: CaseState
    given: Given = field(default_factory=lambda: Given(today=TODAY))
    facts: dict[str, Any] = field(default_factory=dict)  # facts of the case the transition needs
    # One thing missing (a given or a fact, replaced) and the field that then reports it.
    missing: dict[str, Any] | None = None
    missing_field: str = ""


def G(**values: Any) -> Given:
    return Given(today=TODAY, **values)


SPEC = [
    Row(T.SUBMIT, S.DRAFT, S.SUBMITTED, FILER, OTHER_BROKER, S.SUBMITTED),
    Row(
        T.SUBMIT,
        S.DRAFT,
        S.TRIAGED,
        FILER,
        OFFICER,
        S.SUBMITTED,
        G(reason="他们要的是冷库贷款"),
        {"open_question": True},
        {"reason": ""},
        "reason",
    ),
    Row(
        T.RETURN_TO_BROKER,
        S.SUBMITTED,
        S.TRIAGED,
        OFFICER,
        FILER,
        S.DRAFT,
        G(reason="金额是多少？"),
        {},
        {"reason": " "},
        "reason",
    ),
    Row(T.TRIAGE, S.SUBMITTED, S.TRIAGED, CITY, LEAD, S.TRIAGED),
    Row(
        T.DECLINE, S.TRIAGED, S.ASSIGNED, OFFICER, FILER, S.DECLINED, G(reason="不在范围"), {}, {"reason": ""}, "reason"
    ),
    Row(T.MERGE, S.SUBMITTED, S.ASSIGNED, OFFICER, FILER, S.MERGED, G(survivor=9), {}, {"survivor": None}, "survivor"),
    Row(
        T.WITHDRAW,
        S.DRAFT,
        S.ASSIGNED,
        FILER,
        OTHER_BROKER,
        S.WITHDRAWN,
        G(reason="不需要了"),
        {},
        {"reason": ""},
        "reason",
    ),
    Row(
        T.HOLD,
        S.IN_PROGRESS,
        S.DRAFT,
        OFFICER,
        LEAD,
        S.ON_HOLD,
        G(reason="春节", resume_on=date(2027, 2, 20)),
        {},
        {"resume_on": None},
        "resume_on",
    ),
    Row(T.RESUME, S.ON_HOLD, S.PLANNING, OFFICER, FILER, S.PLANNING, facts={"held_from": S.PLANNING}),
    Row(T.ASSIGN, S.TRIAGED, S.SUBMITTED, OFFICER, OFFERED, S.ASSIGNED, G(expert=11), {}, {"expert": None}, "expert"),
    Row(T.ACCEPT_ASSIGNMENT, S.ASSIGNED, S.TRIAGED, OFFERED, OTHER_EXPERT, S.ASSIGNED),
    Row(
        T.DECLINE_ASSIGNMENT,
        S.ASSIGNED,
        S.DIAGNOSING,
        OFFERED,
        OFFICER,
        S.TRIAGED,
        G(reason="利益冲突"),
        {},
        {"reason": ""},
        "reason",
    ),
    Row(T.WITHDRAW_OFFER, S.ASSIGNED, S.DIAGNOSING, OFFICER, OFFERED, S.TRIAGED),
    Row(
        T.HAND_BACK,
        S.PLANNING,
        S.PLAN_APPROVED,
        LEAD,
        OFFERED,
        S.TRIAGED,
        G(reason="另有任务"),
        {},
        {"reason": ""},
        "reason",
    ),
    Row(
        T.HAND_BACK,
        S.ASSIGNED,
        S.IN_PROGRESS,
        LEAD,
        OTHER_EXPERT,
        S.TRIAGED,
        G(reason="生病住院"),
        {},
        {"plan_submitted": True},
        "plan",
    ),
    Row(T.START_DIAGNOSIS, S.ASSIGNED, S.TRIAGED, LEAD, OFFERED, S.DIAGNOSING),
    Row(
        T.FINISH_DIAGNOSIS,
        S.DIAGNOSING,
        S.ASSIGNED,
        LEAD,
        OTHER_EXPERT,
        S.PLANNING,
        facts={"has_diagnosis": True},
        missing={"has_diagnosis": False},
        missing_field="diagnosis",
    ),
    Row(
        T.SUBMIT_PLAN,
        S.PLANNING,
        S.DIAGNOSING,
        LEAD,
        OFFICER,
        S.PLANNING,
        facts={"plan_measures": 2},
        missing={"plan_measures": 0},
        missing_field="plan",
    ),
    Row(
        T.APPROVE_PLAN,
        S.PLANNING,
        S.IN_PROGRESS,
        OFFICER,
        LEAD,
        S.PLAN_APPROVED,
        facts={"plan_submitted": True},
        missing={"plan_submitted": False},
        missing_field="plan",
    ),
    Row(
        T.RETURN_PLAN,
        S.PLANNING,
        S.PLAN_APPROVED,
        CITY,
        LEAD,
        S.PLANNING,
        G(reason="措施三缺少期限"),
        {"plan_submitted": True},
        {"reason": ""},
        "reason",
    ),
    Row(T.START_WORK, S.PLAN_APPROVED, S.PLANNING, LEAD, FILER, S.IN_PROGRESS),
    Row(
        T.START_MONITORING,
        S.IN_PROGRESS,
        S.PLAN_APPROVED,
        OFFICER,
        OTHER_EXPERT,
        S.MONITORING,
        missing={"open_problems": 2},
        missing_field="plan",
    ),
    Row(
        T.CLOSE, S.MONITORING, S.ON_HOLD, OFFICER, LEAD, S.CLOSED, G(outcome="resolved"), {}, {"outcome": ""}, "outcome"
    ),
    Row(
        T.REOPEN,
        S.CLOSED,
        S.DECLINED,
        OFFICER,
        FILER,
        S.IN_PROGRESS,
        G(reason="又出问题"),
        {},
        {"reason": ""},
        "reason",
    ),
]
IDS = [f"{row.transition.value}-{i}" for i, row in enumerate(SPEC)]


def case_in(state: CaseState, row: Row, **more: Any) -> CaseFacts:
    facts = {"filed_by": FILER.user_id, "lead_expert": LEAD.user_id, "offered_expert": OFFERED.user_id}
    return CaseFacts(state=state, **{**facts, **row.facts, **more})


def test_the_spec_covers_every_transition() -> None:
    assert {row.transition for row in SPEC} == set(Transition)


@pytest.mark.parametrize("row", SPEC, ids=IDS)
def test_it_allows_the_transition_from_its_source_to_its_target(row: Row) -> None:
    move = check_transition(row.transition, case_in(row.inside, row), row.may, row.given)
    assert (move.source, move.target) == (row.inside, row.target)
    assert move.notify == RULES[row.transition].notify and move.effects == RULES[row.transition].effects


@pytest.mark.parametrize("row", SPEC, ids=IDS)
def test_it_refuses_a_role_or_person_the_rule_does_not_name(row: Row) -> None:
    with pytest.raises(NotAllowed):
        check_transition(row.transition, case_in(row.inside, row), row.may_not, row.given)


@pytest.mark.parametrize("row", SPEC, ids=IDS)
def test_it_refuses_the_transition_from_a_state_it_does_not_leave(row: Row) -> None:
    with pytest.raises(Conflict) as refused:
        check_transition(row.transition, case_in(row.outside, row), row.may, row.given)
    assert refused.value.params["state"] == row.outside.value  # the message says where the case is


@pytest.mark.parametrize("row", [r for r in SPEC if r.missing is not None], ids=lambda r: r.transition.value)
def test_it_names_the_field_when_something_the_rule_needs_is_missing(row: Row) -> None:
    assert row.missing is not None
    given_fields = set(Given.__dataclass_fields__)
    given = replace(row.given, **{k: v for k, v in row.missing.items() if k in given_fields})
    facts = case_in(row.inside, row, **{k: v for k, v in row.missing.items() if k not in given_fields})
    with pytest.raises(Invalid) as refused:
        check_transition(row.transition, facts, row.may, given)
    assert set(refused.value.errors) == {row.missing_field}


@pytest.mark.parametrize("transition", list(Transition))
def test_it_lets_an_administrator_make_no_transition(transition: Transition) -> None:
    row = next(r for r in SPEC if r.transition is transition)
    with pytest.raises(NotAllowed):
        check_transition(transition, case_in(row.inside, row), ADMIN, row.given)


@pytest.mark.parametrize(
    ("resume_on", "refused"),
    [(date(2026, 12, 2), False), (TODAY, True), (date(2026, 11, 30), True)],
)
def test_it_wants_a_resume_date_after_today(resume_on: date, refused: bool) -> None:
    given = G(reason="春节", resume_on=resume_on)
    case = CaseFacts(state=S.IN_PROGRESS, filed_by=FILER.user_id)
    if refused:
        with pytest.raises(Invalid):
            check_transition(T.HOLD, case, OFFICER, given)
    else:
        assert check_transition(T.HOLD, case, OFFICER, given).target is S.ON_HOLD


@pytest.mark.parametrize("held_from", [S.SUBMITTED, S.ASSIGNED, S.MONITORING])
def test_it_resumes_to_the_state_the_case_was_held_from(held_from: CaseState) -> None:
    case = CaseFacts(state=S.ON_HOLD, filed_by=FILER.user_id, held_from=held_from)
    assert check_transition(T.RESUME, case, CITY).target is held_from


def test_it_refuses_a_second_submission_of_a_plan_awaiting_approval() -> None:
    case = CaseFacts(state=S.PLANNING, filed_by=1, lead_expert=LEAD.user_id, plan_measures=3, plan_submitted=True)
    with pytest.raises(Invalid) as refused:
        check_transition(T.SUBMIT_PLAN, case, LEAD)
    assert set(refused.value.errors) == {"plan"}


def test_it_tells_the_parties_the_issue_names() -> None:
    assert Party.FILER in RULES[T.TRIAGE].notify and Party.FILER in RULES[T.RETURN_TO_BROKER].notify
    assert Party.FILER in RULES[T.DECLINE].notify and Party.FILER in RULES[T.ASSIGN].notify
    assert Party.FILER in RULES[T.CLOSE].notify
    assert Party.DISTRICT_OFFICERS in RULES[T.SUBMIT].notify
    assert Party.DISTRICT_OFFICERS in RULES[T.SUBMIT_PLAN].notify
    assert Party.DISTRICT_OFFICERS in RULES[T.DECLINE_ASSIGNMENT].notify  # the case handed back
    assert Party.LEAD_EXPERT in RULES[T.RETURN_PLAN].notify
    assert Party.OFFERED_EXPERT in RULES[T.ASSIGN].notify


@pytest.mark.parametrize(
    ("state", "actor", "offered"),
    [
        (S.DRAFT, FILER, [T.SUBMIT, T.WITHDRAW]),
        (S.SUBMITTED, FILER, [T.WITHDRAW]),
        (S.SUBMITTED, OFFICER, [T.RETURN_TO_BROKER, T.TRIAGE, T.DECLINE, T.MERGE, T.HOLD]),
        (S.TRIAGED, CITY, [T.DECLINE, T.MERGE, T.HOLD, T.ASSIGN]),
        (S.ASSIGNED, OFFERED, [T.ACCEPT_ASSIGNMENT, T.DECLINE_ASSIGNMENT]),
        (S.ASSIGNED, LEAD, [T.HAND_BACK, T.START_DIAGNOSIS]),
        (S.ASSIGNED, OFFICER, [T.HOLD, T.WITHDRAW_OFFER]),
        (S.ASSIGNED, OTHER_EXPERT, []),
        (S.PLANNING, LEAD, [T.HAND_BACK, T.SUBMIT_PLAN]),
        (S.PLAN_APPROVED, LEAD, [T.START_WORK]),
        (S.PLANNING, OFFICER, [T.HOLD, T.RETURN_PLAN, T.APPROVE_PLAN]),
        (S.IN_PROGRESS, LEAD, [T.START_MONITORING]),
        (S.ON_HOLD, OFFICER, [T.RESUME]),
        (S.CLOSED, OFFICER, [T.REOPEN]),
        (S.SUBMITTED, OTHER_BROKER, []),
        (S.DECLINED, OFFICER, []),
        (S.WITHDRAWN, FILER, []),
        (S.MERGED, CITY, []),
        (S.IN_PROGRESS, ADMIN, []),
    ],
)
def test_it_offers_only_the_transitions_the_actor_may_make(
    state: CaseState, actor: Actor, offered: list[Transition]
) -> None:
    case = CaseFacts(state=state, filed_by=FILER.user_id, lead_expert=LEAD.user_id, offered_expert=OFFERED.user_id)
    assert available_transitions(case, actor) == offered


@pytest.mark.parametrize(
    ("facts", "actor", "waiting"),
    [
        # Nothing written yet: submitting holds back on the plan, the officer's decision on a version.
        ({}, LEAD, {T.SUBMIT_PLAN: "A plan needs at least one problem with a measure."}),
        (
            {},
            OFFICER,
            {T.RETURN_PLAN: "No plan version awaits approval.", T.APPROVE_PLAN: "No plan version awaits approval."},
        ),
        # A version submitted: the expert waits for the decision, the officer may decide.
        (
            {"plan_measures": 2, "plan_submitted": True},
            LEAD,
            {
                T.HAND_BACK: "A plan version awaits the officer's decision: ask for it to be returned first.",
                T.SUBMIT_PLAN: "This plan version is already awaiting approval.",
            },
        ),
        ({"plan_measures": 2, "plan_submitted": True}, OFFICER, {}),
        ({"plan_measures": 2}, LEAD, {}),
    ],
)
def test_it_says_what_the_plan_still_lacks_for_a_move_the_actor_may_make(
    facts: dict[str, Any], actor: Actor, waiting: dict[Transition, str]
) -> None:
    case = CaseFacts(state=S.PLANNING, filed_by=FILER.user_id, lead_expert=LEAD.user_id, **facts)
    assert waiting_on(case, actor) == waiting
    assert needs_plan_facts(case, actor)


def test_it_offers_no_withdrawal_once_the_expert_has_accepted_and_refuses_one_in_words() -> None:
    accepted = CaseFacts(state=S.ASSIGNED, filed_by=FILER.user_id, lead_expert=LEAD.user_id)
    assert T.WITHDRAW_OFFER not in available_transitions(accepted, OFFICER)
    with pytest.raises(Conflict) as refused:
        check_transition(T.WITHDRAW_OFFER, accepted, OFFICER)
    assert refused.value.message == NO_OPEN_OFFER


def test_it_tells_the_expert_whose_offer_was_withdrawn_and_the_officers_of_a_case_handed_back() -> None:
    assert RULES[T.WITHDRAW_OFFER].notify == {Party.RELEASED_EXPERT}
    assert Party.DISTRICT_OFFICERS in RULES[T.HAND_BACK].notify
    assert RULES[T.WITHDRAW_OFFER].effects == (FollowUpEffect.CLOSE_OFFER_DEADLINE,)


def test_it_asks_for_the_plan_only_where_a_move_open_to_the_actor_needs_it() -> None:
    diagnosing = CaseFacts(state=S.DIAGNOSING, filed_by=FILER.user_id, lead_expert=LEAD.user_id)
    assert waiting_on(diagnosing, LEAD) == {T.FINISH_DIAGNOSIS: "Write the diagnosis first."}
    assert not needs_plan_facts(diagnosing, LEAD)
    assert not needs_plan_facts(CaseFacts(state=S.PLANNING, filed_by=FILER.user_id), FILER)
    monitoring = CaseFacts(state=S.IN_PROGRESS, filed_by=FILER.user_id, lead_expert=LEAD.user_id, open_problems=1)
    assert needs_plan_facts(monitoring, LEAD) and T.START_MONITORING in waiting_on(monitoring, LEAD)
