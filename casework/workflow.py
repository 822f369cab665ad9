"""The case workflow: who may move a case from which state to which, and what each move needs.

Pure: no web, database or queue. One row of `RULES` per action says from which states, by which
roles and relation (the filing broker, the lead expert, the expert offered the case; officers are
kept to their district by `casework.access`), what must be given or be true, whom to tell and what
it means for follow-ups. Services call `check_transition` before writing, and write a `CaseEvent`
for every transition it allows, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from accounts.policy import Actor, Role
from casework.states import ENDED, HOLDABLE, CaseState, FollowUpEffect, Outcome, Party, Priority, Transition
from core.errors import Conflict, Invalid, NotAllowed

# The vocabulary is re-exported: callers name the workflow, not where its words are kept.
__all__ = [
    "ENDED",
    "HOLDABLE",
    "NO_OPEN_OFFER",
    "RULES",
    "CaseFacts",
    "CaseState",
    "FollowUpEffect",
    "Given",
    "Move",
    "Needs",
    "Outcome",
    "Party",
    "Priority",
    "Relation",
    "Rule",
    "Transition",
    "available_transitions",
    "check_transition",
    "target_of",
]


class Relation(StrEnum):
    """Who, within the rule's roles, may act: anyone his reach lets see the case, or one person."""

    ANYONE = "anyone"
    FILER = "filer"
    LEAD_EXPERT = "lead_expert"
    OFFERED_EXPERT = "offered_expert"


class Needs(StrEnum):
    """What a transition requires: something the user gives, or a fact of the case."""

    REASON = "reason"
    ANSWER = "answer"  # to the officer's question, when the case was returned
    OUTCOME = "outcome"
    SURVIVOR = "survivor"
    RESUME_DATE = "resume_on"
    EXPERT = "expert"
    DIAGNOSIS = "diagnosis"
    PLAN_WITH_MEASURES = "plan_with_measures"
    PLAN_SUBMITTED = "plan_submitted"
    PROBLEMS_CLOSED_OUT = "problems_closed_out"
    OPEN_OFFER = "open_offer"  # an offer still awaits the expert's answer
    NO_PLAN_AWAITING = "no_plan_awaiting"  # no plan version awaits the officer's decision


_OFFICERS = frozenset({Role.DISTRICT_OFFICER, Role.CITY_OFFICER})
_BROKER = frozenset({Role.BROKER})
_EXPERT = frozenset({Role.EXPERT})
_F = FollowUpEffect


@dataclass(frozen=True)
class Rule:
    sources: frozenset[CaseState]
    # None: the case stays where it is (the move is recorded, the version bumped);
    # RESUME goes back to the state the case was held from.
    target: CaseState | None
    roles: frozenset[Role]
    relation: Relation = Relation.ANYONE
    needs: frozenset[Needs] = frozenset()
    notify: frozenset[Party] = frozenset()
    effects: tuple[FollowUpEffect, ...] = ()


S = CaseState
RULES: dict[Transition, Rule] = {
    Transition.SUBMIT: Rule(
        sources=frozenset({S.DRAFT}),
        target=S.SUBMITTED,
        roles=_BROKER,
        relation=Relation.FILER,
        needs=frozenset({Needs.ANSWER}),
        notify=frozenset({Party.DISTRICT_OFFICERS}),
        effects=(_F.OPEN_TRIAGE_CLOCK,),
    ),
    Transition.RETURN_TO_BROKER: Rule(
        sources=frozenset({S.SUBMITTED}),
        target=S.DRAFT,
        roles=_OFFICERS,
        needs=frozenset({Needs.REASON}),
        notify=frozenset({Party.FILER}),
        effects=(_F.CLOSE_TRIAGE_CLOCK,),
    ),
    Transition.TRIAGE: Rule(
        sources=frozenset({S.SUBMITTED}),
        target=S.TRIAGED,
        roles=_OFFICERS,
        notify=frozenset({Party.FILER}),
        effects=(_F.CLOSE_TRIAGE_CLOCK,),
    ),
    Transition.DECLINE: Rule(
        sources=frozenset({S.SUBMITTED, S.TRIAGED}),
        target=S.DECLINED,
        roles=_OFFICERS,
        needs=frozenset({Needs.REASON}),
        notify=frozenset({Party.FILER}),
        effects=(_F.CANCEL_ALL,),
    ),
    Transition.MERGE: Rule(
        sources=frozenset({S.SUBMITTED, S.TRIAGED}),
        target=S.MERGED,
        roles=_OFFICERS,
        needs=frozenset({Needs.SURVIVOR}),
        notify=frozenset({Party.FILER}),
        effects=(_F.CANCEL_ALL,),
    ),
    Transition.WITHDRAW: Rule(
        sources=frozenset({S.DRAFT, S.SUBMITTED, S.TRIAGED}),
        target=S.WITHDRAWN,
        roles=_BROKER,
        relation=Relation.FILER,
        needs=frozenset({Needs.REASON}),
        notify=frozenset({Party.DISTRICT_OFFICERS}),
        effects=(_F.CANCEL_ALL,),
    ),
    Transition.HOLD: Rule(
        sources=HOLDABLE,
        target=S.ON_HOLD,
        roles=_OFFICERS,
        needs=frozenset({Needs.REASON, Needs.RESUME_DATE}),
        notify=frozenset({Party.FILER, Party.LEAD_EXPERT}),
        effects=(_F.PAUSE_CLOCKS,),
    ),
    Transition.RESUME: Rule(
        sources=frozenset({S.ON_HOLD}),
        target=None,
        roles=_OFFICERS,
        notify=frozenset({Party.FILER, Party.LEAD_EXPERT}),
        effects=(_F.RESUME_CLOCKS,),
    ),
    Transition.ASSIGN: Rule(
        sources=frozenset({S.TRIAGED}),
        target=S.ASSIGNED,
        roles=_OFFICERS,
        needs=frozenset({Needs.EXPERT}),
        notify=frozenset({Party.FILER, Party.OFFERED_EXPERT}),
        effects=(_F.OPEN_OFFER_DEADLINE,),
    ),
    Transition.ACCEPT_ASSIGNMENT: Rule(
        sources=frozenset({S.ASSIGNED}),
        target=None,
        roles=_EXPERT,
        relation=Relation.OFFERED_EXPERT,
        notify=frozenset({Party.DISTRICT_OFFICERS}),
        effects=(_F.CLOSE_OFFER_DEADLINE,),
    ),
    Transition.DECLINE_ASSIGNMENT: Rule(
        sources=frozenset({S.ASSIGNED}),
        target=S.TRIAGED,
        roles=_EXPERT,
        relation=Relation.OFFERED_EXPERT,
        needs=frozenset({Needs.REASON}),
        notify=frozenset({Party.DISTRICT_OFFICERS}),
        effects=(_F.CLOSE_OFFER_DEADLINE,),
    ),
    # The officer takes back an offer nobody answered yet (an accepted lead is the expert's to hand back).
    Transition.WITHDRAW_OFFER: Rule(
        sources=frozenset({S.ASSIGNED}),
        target=S.TRIAGED,
        roles=_OFFICERS,
        needs=frozenset({Needs.OPEN_OFFER}),
        notify=frozenset({Party.RELEASED_EXPERT}),
        effects=(_F.CLOSE_OFFER_DEADLINE,),
    ),
    # The lead expert gives the case back before the plan is approved: until then nothing but the
    # diagnosis and a draft plan hang on him, and both stay with the case for the next expert.
    # From an approved plan on, measures, reminders and visits are his: the officer reassigns then.
    Transition.HAND_BACK: Rule(
        sources=frozenset({S.ASSIGNED, S.DIAGNOSING, S.PLANNING}),
        target=S.TRIAGED,
        roles=_EXPERT,
        relation=Relation.LEAD_EXPERT,
        needs=frozenset({Needs.REASON, Needs.NO_PLAN_AWAITING}),
        notify=frozenset({Party.DISTRICT_OFFICERS}),
        effects=(_F.CLOSE_PLAN_REVIEW_CLOCK,),
    ),
    Transition.START_DIAGNOSIS: Rule(
        sources=frozenset({S.ASSIGNED}),
        target=S.DIAGNOSING,
        roles=_EXPERT,
        relation=Relation.LEAD_EXPERT,
        notify=frozenset({Party.FILER}),
    ),
    Transition.FINISH_DIAGNOSIS: Rule(
        sources=frozenset({S.DIAGNOSING}),
        target=S.PLANNING,
        roles=_EXPERT,
        relation=Relation.LEAD_EXPERT,
        needs=frozenset({Needs.DIAGNOSIS}),
    ),
    Transition.SUBMIT_PLAN: Rule(
        sources=frozenset({S.PLANNING}),
        target=None,
        roles=_EXPERT,
        relation=Relation.LEAD_EXPERT,
        needs=frozenset({Needs.PLAN_WITH_MEASURES}),
        notify=frozenset({Party.DISTRICT_OFFICERS}),
        effects=(_F.OPEN_PLAN_REVIEW_CLOCK,),
    ),
    Transition.RETURN_PLAN: Rule(
        sources=frozenset({S.PLANNING}),
        target=None,
        roles=_OFFICERS,
        needs=frozenset({Needs.PLAN_SUBMITTED, Needs.REASON}),
        notify=frozenset({Party.LEAD_EXPERT}),
        effects=(_F.CLOSE_PLAN_REVIEW_CLOCK,),
    ),
    Transition.APPROVE_PLAN: Rule(
        sources=frozenset({S.PLANNING}),
        target=S.PLAN_APPROVED,
        roles=_OFFICERS,
        needs=frozenset({Needs.PLAN_SUBMITTED}),
        notify=frozenset({Party.LEAD_EXPERT, Party.FILER}),
        effects=(_F.CLOSE_PLAN_REVIEW_CLOCK,),
    ),
    Transition.START_WORK: Rule(
        sources=frozenset({S.PLAN_APPROVED}),
        target=S.IN_PROGRESS,
        roles=_OFFICERS | _EXPERT,
        relation=Relation.LEAD_EXPERT,
        notify=frozenset({Party.FILER}),
        effects=(_F.START_MEASURE_REMINDERS, _F.START_VISIT_CYCLE),
    ),
    Transition.START_MONITORING: Rule(
        sources=frozenset({S.IN_PROGRESS}),
        target=S.MONITORING,
        roles=_OFFICERS | _EXPERT,
        relation=Relation.LEAD_EXPERT,
        needs=frozenset({Needs.PROBLEMS_CLOSED_OUT}),
        notify=frozenset({Party.FILER, Party.DISTRICT_OFFICERS}),
        effects=(_F.CANCEL_VISIT_CYCLE, _F.SCHEDULE_OUTCOME_SURVEYS),
    ),
    Transition.CLOSE: Rule(
        sources=frozenset({S.IN_PROGRESS, S.MONITORING}),
        target=S.CLOSED,
        roles=_OFFICERS,
        needs=frozenset({Needs.OUTCOME}),
        notify=frozenset({Party.FILER, Party.LEAD_EXPERT}),
        effects=(_F.CANCEL_VISIT_CYCLE,),
    ),
    Transition.REOPEN: Rule(
        sources=frozenset({S.CLOSED}),
        target=S.IN_PROGRESS,
        roles=_OFFICERS,
        needs=frozenset({Needs.REASON}),
        notify=frozenset({Party.FILER, Party.LEAD_EXPERT}),
        effects=(_F.START_VISIT_CYCLE,),
    ),
}
del S


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know of a case."""

    state: CaseState
    filed_by: int | None
    lead_expert: int | None = None  # user id of the expert who accepted the lead assignment
    offered_expert: int | None = None  # user id of the expert with an open offer
    held_from: CaseState | None = None
    open_question: bool = False  # returned to the broker and not yet answered
    has_diagnosis: bool = False
    plan_measures: int = 0  # measures of the plan being written
    plan_submitted: bool = False  # a version awaits the officer's decision
    open_problems: int = 0  # problems of the approved plan not yet closed out


@dataclass(frozen=True)
class Given:
    """What the user gave with the transition."""

    reason: str = ""
    outcome: str = ""
    survivor: int | None = None
    resume_on: date | None = None
    expert: int | None = None
    today: date | None = None


@dataclass(frozen=True)
class Move:
    """What an allowed transition does."""

    transition: Transition
    source: CaseState
    target: CaseState
    notify: frozenset[Party] = field(default_factory=frozenset)
    effects: tuple[FollowUpEffect, ...] = ()


def _related(rule: Rule, case: CaseFacts, actor: Actor) -> bool:
    if actor.role in _OFFICERS and rule.relation is not Relation.FILER:
        return True  # officers act on any case their reach lets them see
    if rule.relation is Relation.FILER:
        return case.filed_by == actor.user_id
    if rule.relation is Relation.LEAD_EXPERT:
        return case.lead_expert == actor.user_id
    if rule.relation is Relation.OFFERED_EXPERT:
        return case.offered_expert == actor.user_id
    return True


def _permitted(rule: Rule, case: CaseFacts, actor: Actor) -> bool:
    return actor.role in rule.roles and _related(rule, case, actor)


def _offer_closed(rule: Rule, case: CaseFacts) -> bool:
    """Whether the rule acts on an open offer and the case has none (an assigned case whose lead accepted)."""
    return Needs.OPEN_OFFER in rule.needs and case.offered_expert is None


def _missing(rule: Rule, case: CaseFacts, given: Given) -> dict[str, str]:
    """What the transition needs that is not there, as field → message id."""
    needs = rule.needs
    errors: dict[str, str] = {}
    if Needs.REASON in needs and not given.reason.strip():
        errors["reason"] = "Please give a reason."
    if Needs.ANSWER in needs and case.open_question and not given.reason.strip():
        errors["reason"] = "Please answer the officer's question."
    if Needs.OUTCOME in needs and given.outcome not in Outcome.__members__.values():
        errors["outcome"] = "Choose the outcome."
    if Needs.SURVIVOR in needs and not given.survivor:
        errors["survivor"] = "Name the case this one duplicates."
    if Needs.RESUME_DATE in needs:
        if given.resume_on is None:
            errors["resume_on"] = "Give the date work is expected to resume."
        elif given.today is not None and given.resume_on <= given.today:
            errors["resume_on"] = "The date must be in the future."
    if Needs.EXPERT in needs and not given.expert:
        errors["expert"] = "Choose an expert."
    return {**errors, **_unmet(rule, case)}


def _unmet(rule: Rule, case: CaseFacts) -> dict[str, str]:
    """What the case itself lacks for the transition (nothing the user could type into its form)."""
    needs = rule.needs
    errors: dict[str, str] = {}
    if Needs.DIAGNOSIS in needs and not case.has_diagnosis:
        errors["diagnosis"] = "Write the diagnosis first."
    if Needs.PLAN_WITH_MEASURES in needs and case.plan_measures == 0:
        errors["plan"] = "A plan needs at least one problem with a measure."
    if Needs.PLAN_WITH_MEASURES in needs and case.plan_submitted:
        errors["plan"] = "This plan version is already awaiting approval."
    if Needs.PLAN_SUBMITTED in needs and not case.plan_submitted:
        errors["plan"] = "No plan version awaits approval."
    if Needs.PROBLEMS_CLOSED_OUT in needs and case.open_problems:
        errors["plan"] = "Every problem must be closed out with the enterprise's confirmation first."
    if Needs.NO_PLAN_AWAITING in needs and case.plan_submitted:
        errors["plan"] = "A plan version awaits the officer's decision: ask for it to be returned first."
    return errors


# The needs answered by the plan's rows: a reader asks for the plan's facts only when a rule needs them.
PLAN_NEEDS = frozenset(
    {Needs.PLAN_WITH_MEASURES, Needs.PLAN_SUBMITTED, Needs.PROBLEMS_CLOSED_OUT, Needs.NO_PLAN_AWAITING}
)

NO_OPEN_OFFER = "No offer of this case awaits an answer: the expert has already answered it."


def target_of(transition: Transition, case: CaseFacts) -> CaseState:
    rule = RULES[transition]
    if transition is Transition.RESUME:
        return case.held_from or CaseState.TRIAGED
    return rule.target if rule.target is not None else case.state


def check_transition(transition: Transition, case: CaseFacts, actor: Actor, given: Given | str = "") -> Move:
    """What `transition` does to the case, or the domain error that forbids it."""
    if isinstance(given, str):
        given = Given(reason=given)
    rule = RULES[transition]
    if not _permitted(rule, case, actor):
        raise NotAllowed("You may not do this to this case.")
    if case.state not in rule.sources:
        allowed = ", ".join(t.value for t in available_transitions(case, actor)) or "-"
        message = "This action is not open in the case's state ({state}). Open now: {allowed}."
        raise Conflict(message, state=case.state.value, allowed=allowed)
    if _offer_closed(rule, case):
        raise Conflict(NO_OPEN_OFFER)
    errors = _missing(rule, case, given)
    if errors:
        raise Invalid(errors)
    return Move(transition, case.state, target_of(transition, case), rule.notify, rule.effects)


def available_transitions(case: CaseFacts, actor: Actor) -> list[Transition]:
    """The transitions `actor` may make now, in the order the page offers them."""
    return [
        t
        for t, rule in RULES.items()
        if case.state in rule.sources and _permitted(rule, case, actor) and not _offer_closed(rule, case)
    ]


def waiting_on(case: CaseFacts, actor: Actor) -> dict[Transition, str]:
    """Of the transitions open to `actor`, those the case's own facts still hold back, each with why.

    The page shows them, not as a button that can only fail, but with what must happen first.
    """
    waiting = {}
    for transition in available_transitions(case, actor):
        unmet = _unmet(RULES[transition], case)
        if unmet:
            waiting[transition] = next(iter(unmet.values()))
    return waiting


def needs_plan_facts(case: CaseFacts, actor: Actor) -> bool:
    """Whether any transition open to `actor` asks about the plan (so its facts are worth reading)."""
    return any(_asks_plan(RULES[t], case) for t in available_transitions(case, actor))


def _asks_plan(rule: Rule, case: CaseFacts) -> bool:
    needs = rule.needs & PLAN_NEEDS
    # A plan version can await a decision only while the plan is written: elsewhere there is nothing to read.
    if needs == {Needs.NO_PLAN_AWAITING} and case.state is not CaseState.PLANNING:
        return False
    return bool(needs)
