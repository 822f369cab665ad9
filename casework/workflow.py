"""The case workflow: who may move a case from which state to which, and what each move needs.

Pure: no web, database or queue. Services call `check_transition` before writing, and write a
`CaseEvent` for every transition it allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from accounts.policy import Actor, Role
from core.errors import Conflict, Invalid, NotAllowed


class CaseState(StrEnum):
    """States that exist so far; later work adds assigned, diagnosing, planning and the rest."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in (CaseState.DECLINED, CaseState.WITHDRAWN)


_STATE_LABELS = {
    CaseState.DRAFT: "Draft",
    CaseState.SUBMITTED: "Submitted",
    CaseState.TRIAGED: "Triaged",
    CaseState.DECLINED: "Declined",
    CaseState.WITHDRAWN: "Withdrawn",
}


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Transition(StrEnum):
    SUBMIT = "submit"
    TRIAGE = "triage"
    DECLINE = "decline"
    WITHDRAW = "withdraw"

    @property
    def label(self) -> str:
        return _TRANSITION_LABELS[self]


_TRANSITION_LABELS = {
    Transition.SUBMIT: "Submit",
    Transition.TRIAGE: "Accept for support",
    Transition.DECLINE: "Decline",
    Transition.WITHDRAW: "Withdraw",
}

_OFFICERS = frozenset({Role.DISTRICT_OFFICER, Role.CITY_OFFICER})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[CaseState]
    target: CaseState
    roles: frozenset[Role]
    filer_only: bool = False
    needs_reason: bool = False


RULES: dict[Transition, Rule] = {
    Transition.SUBMIT: Rule(
        frozenset({CaseState.DRAFT}), CaseState.SUBMITTED, frozenset({Role.BROKER}), filer_only=True
    ),
    Transition.TRIAGE: Rule(frozenset({CaseState.SUBMITTED}), CaseState.TRIAGED, _OFFICERS),
    Transition.DECLINE: Rule(frozenset({CaseState.SUBMITTED}), CaseState.DECLINED, _OFFICERS, needs_reason=True),
    Transition.WITHDRAW: Rule(
        frozenset({CaseState.DRAFT, CaseState.SUBMITTED, CaseState.TRIAGED}),
        CaseState.WITHDRAWN,
        frozenset({Role.BROKER}),
        filer_only=True,
        needs_reason=True,
    ),
}


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know of a case."""

    state: CaseState
    filed_by: int | None


def _permitted(rule: Rule, case: CaseFacts, actor: Actor) -> bool:
    return actor.role in rule.roles and (not rule.filer_only or case.filed_by == actor.user_id)


def check_transition(transition: Transition, case: CaseFacts, actor: Actor, reason: str) -> CaseState:
    """The state `transition` leads to, or the domain error that forbids it."""
    rule = RULES[transition]
    if not _permitted(rule, case, actor):
        raise NotAllowed("You may not do this to this case.")
    if case.state not in rule.sources:
        raise Conflict("The case is no longer in a state that allows this. Reload the page.")
    if rule.needs_reason and not reason.strip():
        raise Invalid({"reason": "Please give a reason."})
    return rule.target


def available_transitions(case: CaseFacts, actor: Actor) -> list[Transition]:
    """The transitions `actor` may make now, in the order the page offers them."""
    return [t for t, rule in RULES.items() if case.state in rule.sources and _permitted(rule, case, actor)]
