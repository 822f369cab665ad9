"""Offers answered, withdrawn and handed back: capacity checked at acceptance, a closed offer said in words."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest

from accounts.tables import Notification
from casework.assigning import AWAY, FULL, NOT_TAKING, WITHDRAWN
from casework.followups.rules import FollowUpKind, FollowUpState
from casework.matching.facts import case_facts
from casework.moving import STALE, Details, transition_case
from casework.tables import Assignment, Case, CaseEvent, FollowUp
from casework.workflow import NO_OPEN_OFFER, CaseState, Transition
from core.errors import Conflict, Invalid
from experts.tables import Expert
from tests.casework.life import Life
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition
OFFERS = 20
CAPACITY = 3


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def offered(life: Life, expert: str = "eve") -> int:
    """A triaged case offered to the expert (added to the pool if he is not yet in it), not yet answered."""
    case_id = await life.case()
    await life.bring_to(case_id, S.TRIAGED)
    if expert not in life.experts:
        await life.expert(expert)
    await life.move("olga", case_id, T.ASSIGN, expert=life.experts[expert])
    return case_id


async def snapshot(case_id: int) -> tuple[Any, ...]:
    """What a refused move must leave alone: the case's state and version, its assignments and events."""
    case = await Case.select(Case.state, Case.version).where(Case.id == case_id).first()
    statuses = await Assignment.select(Assignment.status).where(Assignment.case == case_id).order_by(Assignment.id)
    events = await CaseEvent.count().where(CaseEvent.case == case_id)
    return case, [row["status"] for row in statuses], events


async def inbox(life: Life, username: str) -> list[str]:
    rows = await Notification.select(Notification.subject).where(Notification.user == life.id(username))
    return [row["subject"] for row in rows]


async def test_it_lets_an_expert_of_capacity_three_accept_exactly_three_of_twenty_offers_at_once(life: Life) -> None:
    cases = [await offered(life) for _ in range(OFFERS)]
    await Expert.update({Expert.capacity: CAPACITY}).where(Expert.id == life.experts["eve"])
    eve = life.actor("eve")
    versions = [await life.version(case_id) for case_id in cases]

    outcomes = await asyncio.gather(
        *[transition_case(eve, case_id, T.ACCEPT_ASSIGNMENT, v) for case_id, v in zip(cases, versions, strict=True)],
        return_exceptions=True,
    )

    accepted = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(accepted) == CAPACITY and len(refused) == OFFERS - CAPACITY, refused
    assert all(isinstance(o, Conflict) and o.message == FULL for o in refused), refused
    assert {o.params["capacity"] for o in refused if isinstance(o, Conflict)} == {CAPACITY}
    held = await Assignment.count().where(
        (Assignment.expert == life.experts["eve"]) & (Assignment.status == "accepted")
    )
    assert held == CAPACITY
    # The refused offers are still open: nothing of a refused acceptance was written.
    assert await Assignment.count().where(Assignment.status == "offered") == OFFERS - CAPACITY
    assert await CaseEvent.count().where(CaseEvent.kind == T.ACCEPT_ASSIGNMENT) == CAPACITY


async def test_it_counts_only_cases_not_ended_against_the_capacity(life: Life) -> None:
    first = await offered(life)
    await Expert.update({Expert.capacity: 1}).where(Expert.id == life.experts["eve"])
    await life.move("eve", first, T.ACCEPT_ASSIGNMENT)
    second = await offered(life)
    with pytest.raises(Conflict) as full:
        await life.move("eve", second, T.ACCEPT_ASSIGNMENT)
    assert full.value.message == FULL and full.value.params == {"load": 1, "capacity": 1}

    await Case.update({Case.state: S.CLOSED, Case.outcome: "resolved"}).where(Case.id == first)
    await life.move("eve", second, T.ACCEPT_ASSIGNMENT)
    assert await life.state(second) is S.ASSIGNED


@pytest.mark.parametrize(
    ("profile", "message"),
    [({"available": False}, NOT_TAKING), ({"away_until": date.today() + timedelta(days=3)}, AWAY)],
)
async def test_it_refuses_an_acceptance_by_an_expert_away_or_not_taking_cases(
    life: Life, profile: dict[str, Any], message: str
) -> None:
    case_id = await offered(life)
    await Expert.update({getattr(Expert, name): value for name, value in profile.items()}).where(
        Expert.id == life.experts["eve"]
    )
    before = await snapshot(case_id)
    with pytest.raises(Conflict) as refused:
        await life.move("eve", case_id, T.ACCEPT_ASSIGNMENT)
    assert refused.value.message == message
    assert await snapshot(case_id) == before
    # Declining stays open to him: it takes nothing on.
    await life.move("eve", case_id, T.DECLINE_ASSIGNMENT, reason="外出开会")
    assert await life.state(case_id) is S.TRIAGED


async def test_it_lets_an_officer_withdraw_an_open_offer_and_tells_the_expert(life: Life) -> None:
    case_id = await offered(life)
    moved = await life.move("olga", case_id, T.WITHDRAW_OFFER)

    assert moved.target is S.TRIAGED and moved.notified == (life.id("eve"),)
    offer = await Assignment.select(Assignment.status).where(Assignment.case == case_id).first()
    assert offer == {"status": "withdrawn"}
    [deadline] = await FollowUp.select(FollowUp.state).where(
        (FollowUp.case == case_id) & (FollowUp.kind == FollowUpKind.OFFER_DEADLINE)
    )
    assert deadline["state"] == FollowUpState.DONE
    run_worker_until_idle()
    assert await inbox(life, "eve") == ["You are offered case {number}", "The offer of case {number} was withdrawn"]

    # The expert answers too late: told what happened, and nothing changes.
    before = await snapshot(case_id)
    for transition in (T.ACCEPT_ASSIGNMENT, T.DECLINE_ASSIGNMENT):
        with pytest.raises(Conflict) as refused:
            await transition_case(life.actor("eve"), case_id, transition, before[0]["version"], "不方便")
        assert refused.value.message == WITHDRAWN
    assert await snapshot(case_id) == before

    # The case is back in the queue: another expert can be offered it.
    await life.expert("ed", name="王工")
    await life.move("olga", case_id, T.ASSIGN, expert=life.experts["ed"])
    assert await life.state(case_id) is S.ASSIGNED


async def test_it_refuses_to_withdraw_an_offer_the_expert_has_accepted(life: Life) -> None:
    case_id = await offered(life)
    await life.move("eve", case_id, T.ACCEPT_ASSIGNMENT)
    with pytest.raises(Conflict) as refused:
        await life.move("olga", case_id, T.WITHDRAW_OFFER)
    assert refused.value.message == NO_OPEN_OFFER


async def test_it_lets_the_lead_expert_hand_a_case_back_with_a_reason_and_keeps_its_history(life: Life) -> None:
    case_id = await life.case()
    await life.bring_to(case_id, S.PLANNING)  # accepted, diagnosed, the plan being written
    events = await CaseEvent.count().where(CaseEvent.case == case_id)

    with pytest.raises(Invalid) as no_reason:
        await life.move("eve", case_id, T.HAND_BACK, reason=" ")
    assert set(no_reason.value.errors) == {"reason"}

    moved = await life.move("eve", case_id, T.HAND_BACK, reason="身体原因，无法继续")
    assert moved.target is S.TRIAGED and moved.notified == (life.id("olga"),)
    offer = await Assignment.select(Assignment.status, Assignment.reason).where(Assignment.case == case_id).first()
    assert offer == {"status": "released", "reason": "身体原因，无法继续"}
    case = await Case.select(Case.diagnosis).where(Case.id == case_id).first()
    assert case == {"diagnosis": "销路单一，缺少电商渠道"}  # the diagnosis stays for the next expert
    assert await CaseEvent.count().where(CaseEvent.case == case_id) == events + 1
    run_worker_until_idle()
    assert "The expert handed case {number} back" in await inbox(life, "olga")

    # The case returns to matching without him, and he no longer reaches it.
    assert life.experts["eve"] in (await case_facts(case_id)).passed_over
    with pytest.raises(Exception) as gone:
        await life.move("eve", case_id, T.START_DIAGNOSIS)
    assert type(gone.value).__name__ in {"NotFound", "Conflict"}


async def test_it_keeps_a_case_whose_plan_awaits_approval_or_is_approved_with_its_expert(life: Life) -> None:
    case_id = await life.case()
    await life.bring_to(case_id, S.PLANNING)
    await life.plan(case_id)
    await life.move("eve", case_id, T.SUBMIT_PLAN)
    with pytest.raises(Invalid) as awaiting:
        await life.move("eve", case_id, T.HAND_BACK, reason="另有任务")
    assert set(awaiting.value.errors) == {"plan"}

    await life.move("olga", case_id, T.APPROVE_PLAN)
    with pytest.raises(Conflict):
        await life.move("eve", case_id, T.HAND_BACK, reason="另有任务")
    assert await life.state(case_id) is S.PLAN_APPROVED


async def test_it_lets_one_of_two_officers_assigning_a_case_at_once_win_and_tells_the_other(life: Life) -> None:
    case_id = await life.case()
    await life.bring_to(case_id, S.TRIAGED)
    eve, ed = await life.expert("eve"), await life.expert("ed", "周工")
    version = await life.version(case_id)

    outcomes = await asyncio.gather(
        transition_case(life.actor("olga"), case_id, T.ASSIGN, version, details=Details(expert=eve)),
        transition_case(life.actor("carl"), case_id, T.ASSIGN, version, details=Details(expert=ed)),
        return_exceptions=True,
    )

    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], Conflict) and refused[0].message == STALE, outcomes
    offers = await Assignment.select(Assignment.expert).where(Assignment.case == case_id)
    assert len(offers) == 1 and offers[0]["expert"] in (eve, ed)
    assert await life.version(case_id) == version + 1
