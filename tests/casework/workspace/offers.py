"""Offers for the workspace and offers API tests: a case offered through the service, and its lapse
made the real way (the OFFER_DEADLINE follow-up acted on by the follow-ups' own code, as its job does)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from casework.followups.acting import act_on
from casework.followups.rules import FollowUpKind
from casework.tables import Assignment, FollowUp
from casework.workflow import CaseState, Transition
from tests.casework.life import Life


async def offered(life: Life, expert: str = "eve", category: str = "market") -> tuple[int, int]:
    """A triaged case of Alice's offered to the expert by Olga: (case id, offer id)."""
    if expert not in life.experts:
        await life.expert(expert)
    case_id = await life.case(category=category)
    await life.bring_to(case_id, CaseState.TRIAGED)
    await life.move("olga", case_id, Transition.ASSIGN, expert=life.experts[expert])
    return case_id, await open_offer(case_id)


async def open_offer(case_id: int) -> int:
    row = (
        await Assignment.select(Assignment.id)
        .where((Assignment.case == case_id) & (Assignment.status == "offered"))
        .first()
    )
    assert row is not None
    offer_id: int = row["id"]
    return offer_id


async def deadline_of(offer_id: int) -> dict[str, Any]:
    row = (
        await FollowUp.select()
        .where((FollowUp.kind == FollowUpKind.OFFER_DEADLINE) & (FollowUp.follows == offer_id))
        .first()
    )
    assert row is not None
    return dict(row)


async def lapse(offer_id: int) -> None:
    """The offer's deadline passes unanswered: its follow-up acts a minute after its due time."""
    row = await deadline_of(offer_id)
    await act_on(row["id"], row["version"], now=row["due_at"] + timedelta(minutes=1))
    status = await Assignment.select(Assignment.status).where(Assignment.id == offer_id).first()
    assert status is not None and status["status"] == "lapsed"
