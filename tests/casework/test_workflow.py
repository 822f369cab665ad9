"""The workflow's rules as a table: who may make which transition from which state."""

from __future__ import annotations

import pytest

from accounts.policy import Actor, Role
from casework.workflow import CaseFacts, CaseState, Transition, available_transitions, check_transition
from core.errors import Conflict, Invalid, NotAllowed

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

FILER = Actor(1, Role.BROKER, "500154")
OTHER_BROKER = Actor(2, Role.BROKER, "500154")
OFFICER = Actor(3, Role.DISTRICT_OFFICER, "500154")
CITY = Actor(4, Role.CITY_OFFICER, None)
EXPERT = Actor(5, Role.EXPERT, None)

S = CaseState


@pytest.mark.parametrize(
    ("transition", "state", "actor", "reason", "outcome"),
    [
        (Transition.SUBMIT, S.DRAFT, FILER, "", S.SUBMITTED),
        (Transition.SUBMIT, S.DRAFT, OTHER_BROKER, "", NotAllowed),
        (Transition.SUBMIT, S.SUBMITTED, FILER, "", Conflict),
        (Transition.TRIAGE, S.SUBMITTED, OFFICER, "", S.TRIAGED),
        (Transition.TRIAGE, S.SUBMITTED, CITY, "", S.TRIAGED),
        (Transition.TRIAGE, S.SUBMITTED, FILER, "", NotAllowed),
        (Transition.TRIAGE, S.SUBMITTED, EXPERT, "", NotAllowed),
        (Transition.TRIAGE, S.TRIAGED, OFFICER, "", Conflict),
        (Transition.DECLINE, S.SUBMITTED, OFFICER, "out of scope", S.DECLINED),
        (Transition.DECLINE, S.SUBMITTED, OFFICER, "  ", Invalid),
        (Transition.DECLINE, S.DRAFT, OFFICER, "why", Conflict),
        (Transition.WITHDRAW, S.SUBMITTED, FILER, "no longer needed", S.WITHDRAWN),
        (Transition.WITHDRAW, S.TRIAGED, FILER, "no longer needed", S.WITHDRAWN),
        (Transition.WITHDRAW, S.SUBMITTED, FILER, "", Invalid),
        (Transition.WITHDRAW, S.SUBMITTED, OTHER_BROKER, "x", NotAllowed),
        (Transition.WITHDRAW, S.DECLINED, FILER, "x", Conflict),
        (Transition.WITHDRAW, S.SUBMITTED, OFFICER, "x", NotAllowed),
    ],
)
def test_it_applies_the_transition_rules(
    transition: Transition, state: CaseState, actor: Actor, reason: str, outcome: object
) -> None:
    case = CaseFacts(state=state, filed_by=FILER.user_id)
    if isinstance(outcome, type):
        with pytest.raises(outcome):
            check_transition(transition, case, actor, reason)
    else:
        assert check_transition(transition, case, actor, reason).target is outcome


@pytest.mark.parametrize(
    ("state", "actor", "offered"),
    [
        (S.DRAFT, FILER, [Transition.SUBMIT, Transition.WITHDRAW]),
        (S.SUBMITTED, FILER, [Transition.WITHDRAW]),
        (
            S.SUBMITTED,
            OFFICER,
            [Transition.RETURN_TO_BROKER, Transition.TRIAGE, Transition.DECLINE, Transition.MERGE, Transition.HOLD],
        ),
        (S.SUBMITTED, OTHER_BROKER, []),
        (S.DECLINED, OFFICER, []),
        (S.WITHDRAWN, FILER, []),
    ],
)
def test_it_offers_only_the_transitions_the_actor_may_make(
    state: CaseState, actor: Actor, offered: list[Transition]
) -> None:
    assert available_transitions(CaseFacts(state=state, filed_by=FILER.user_id), actor) == offered
