"""Assignment rows a case's moves write: the lead offered to an expert, accepted or declined.

Called by `casework.moving` inside the transition's transaction, after the workflow allowed the
move. The experts feature will put offers and matching in front of ASSIGN; until then an officer
offers the lead directly to an expert who has an account.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accounts.policy import Actor
from casework.access import LIVE_ASSIGNMENT
from casework.tables import Assignment
from core.errors import Conflict, Invalid
from experts.tables import Expert

NO_SUCH_EXPERT = "Choose an expert who has an account in Fuchi."
LEAD_TAKEN = "This case already has a lead expert or an open offer."


async def offer_lead(case_id: int, expert_id: int, actor: Actor) -> dict[str, Any]:
    """Offer the case's lead to an expert; returns what the event records."""
    expert = await Expert.select(Expert.id, Expert.user, Expert.name).where(Expert.id == expert_id).first()
    if expert is None or expert["user"] is None:
        raise Invalid({"expert": NO_SUCH_EXPERT})
    # The partial unique index keeps one live lead too; this says so in words instead of an error.
    live = (Assignment.case == case_id) & (Assignment.role == "lead") & Assignment.status.is_in(list(LIVE_ASSIGNMENT))
    if await Assignment.exists().where(live):
        raise Conflict(LEAD_TAKEN)
    rows = await Assignment.insert(
        Assignment(
            case=case_id,
            expert=expert_id,
            expert_user=expert["user"],
            role="lead",
            status="offered",
            offered_by=actor.user_id,
        )
    ).returning(Assignment.id)
    return {"expert": expert_id, "expert_name": expert["name"], "assignment": rows[0]["id"]}


async def answer_offer(case_id: int, accepted: bool, reason: str) -> dict[str, Any]:
    """The offered expert accepts or declines the case's lead; returns what the event records."""
    answered = (
        await Assignment.update(
            {
                Assignment.status: "accepted" if accepted else "declined",
                Assignment.reason: "" if accepted else reason,
                Assignment.answered_at: datetime.now(UTC),
            }
        )
        .where((Assignment.case == case_id) & (Assignment.role == "lead") & (Assignment.status == "offered"))
        .returning(Assignment.id, Assignment.expert)
    )
    if not answered:
        raise Conflict()
    expert = await Expert.select(Expert.name).where(Expert.id == answered[0]["expert"]).first()
    name = expert["name"] if expert else ""
    return {"expert": answered[0]["expert"], "expert_name": name, "assignment": answered[0]["id"]}
