"""Assignment rows a case's moves write: the lead offered to an expert, accepted, declined, withdrawn, handed back.

Called by `casework.moving` inside the transition's transaction, after the workflow allowed the
move (and by `casework.followups.acting` when a lapsed offer moves on to the next expert). An
offer is an `Assignment` row: offered → accepted, declined, lapsed (its deadline passed) or
withdrawn (the officer took it back); an accepted lead → released when the expert hands the case back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from accounts.policy import Actor
from casework.access import LIVE_ASSIGNMENT
from casework.expert_load import active_load
from casework.tables import Assignment
from casework.workflow import NO_OPEN_OFFER
from core.config import settings
from core.errors import Conflict, Invalid
from experts.tables import Expert

NO_SUCH_EXPERT = "Choose an expert who has an account in Fuchi."
LEAD_TAKEN = "This case already has a lead expert or an open offer."
FULL = (
    "The expert is at full capacity ({load} of {capacity} active cases): finish or hand back a case, "
    "or raise the capacity, before accepting another."
)
NOT_TAKING = "The expert is marked as not taking cases: change the availability on the profile before accepting."
AWAY = "The expert is away until {until}: change the date on the profile before accepting."
LAPSED_ON = "This offer lapsed on {date}; it can no longer be answered and nothing was changed."
WITHDRAWN = "The officer withdrew this offer; it can no longer be answered and nothing was changed."
ALREADY_ANSWERED = "You have already answered this offer; nothing was changed."

_LIVE_LEAD = (Assignment.role == "lead") & Assignment.status.is_in(list(LIVE_ASSIGNMENT))
_OPEN_OFFER = (Assignment.role == "lead") & (Assignment.status == "offered")


async def offer_lead(case_id: int, expert_id: int, actor: Actor | None) -> dict[str, Any]:
    """Offer the case's lead to an expert (by an officer, or by the system when `actor` is None);
    returns what the event records."""
    expert = await Expert.select(Expert.id, Expert.user, Expert.name).where(Expert.id == expert_id).first()
    if expert is None or expert["user"] is None:
        raise Invalid({"expert": NO_SUCH_EXPERT})
    # The partial unique index keeps one live lead too; this says so in words instead of an error.
    if await Assignment.exists().where((Assignment.case == case_id) & _LIVE_LEAD):
        raise Conflict(LEAD_TAKEN)
    rows = await Assignment.insert(
        Assignment(
            case=case_id,
            expert=expert_id,
            expert_user=expert["user"],
            role="lead",
            status="offered",
            offered_by=None if actor is None else actor.user_id,
        )
    ).returning(Assignment.id)
    return {"expert": expert_id, "expert_name": expert["name"], "assignment": rows[0]["id"]}


async def _check_room(expert_id: int, today: date) -> None:
    """Refuse an acceptance that would take the expert over his capacity, or that he cannot keep.

    The no-op UPDATE takes the expert's row first: on PostgreSQL it holds the row until the commit, so
    two acceptances by one expert count his load one after the other, never both before either
    writes (SQLite's write transactions are serialised already: `core.db.write_transaction`).
    """
    held = (
        await Expert.update({Expert.capacity: Expert.capacity + 0})
        .where(Expert.id == expert_id)
        .returning(Expert.capacity, Expert.available, Expert.away_until)
    )
    if not held:
        raise Conflict(NO_OPEN_OFFER)
    expert = held[0]
    # Matching leaves out experts away or not taking cases; an acceptance does not slip past that.
    if not expert["available"]:
        raise Conflict(NOT_TAKING)
    if expert["away_until"] is not None and expert["away_until"] >= today:
        raise Conflict(AWAY, until=expert["away_until"].isoformat())
    load = await active_load(expert_id)
    if load >= expert["capacity"]:
        raise Conflict(FULL, load=load, capacity=expert["capacity"])


async def _name_of(expert_id: int) -> str:
    expert = await Expert.select(Expert.name).where(Expert.id == expert_id).first()
    return expert["name"] if expert else ""


async def answer_offer(case_id: int, accepted: bool, reason: str, today: date) -> dict[str, Any]:
    """The offered expert accepts (if he has room) or declines the case's lead; returns what the event records."""
    offer = (
        await Assignment.select(Assignment.id, Assignment.expert)
        .where((Assignment.case == case_id) & _OPEN_OFFER)
        .first()
    )
    if offer is None:
        raise Conflict(NO_OPEN_OFFER)
    if accepted:
        await _check_room(offer["expert"], today)
    answered = (
        await Assignment.update(
            {
                Assignment.status: "accepted" if accepted else "declined",
                Assignment.reason: "" if accepted else reason,
                Assignment.answered_at: datetime.now(UTC),
            }
        )
        .where((Assignment.id == offer["id"]) & (Assignment.status == "offered"))
        .returning(Assignment.id)
    )
    if not answered:
        raise Conflict(NO_OPEN_OFFER)
    return {"expert": offer["expert"], "expert_name": await _name_of(offer["expert"]), "assignment": offer["id"]}


async def _end_lead(case_id: int, status_from: str, status_to: str, reason: str) -> dict[str, Any]:
    ended = (
        await Assignment.update({Assignment.status: status_to, Assignment.reason: reason})
        .where((Assignment.case == case_id) & (Assignment.role == "lead") & (Assignment.status == status_from))
        .returning(Assignment.id, Assignment.expert, Assignment.expert_user)
    )
    if not ended:
        raise Conflict(NO_OPEN_OFFER)
    row = ended[0]
    return {
        "expert": row["expert"],
        "expert_name": await _name_of(row["expert"]),
        "assignment": row["id"],
        "released_user": row["expert_user"],  # told of the move, though no longer holding the case
    }


async def withdraw_offer(case_id: int, reason: str) -> dict[str, Any]:
    """The officer takes back the case's open offer; returns what the event records."""
    return await _end_lead(case_id, "offered", "withdrawn", reason)


async def hand_back(case_id: int, reason: str) -> dict[str, Any]:
    """The lead expert gives the case back; his assignment is released with the reason."""
    return await _end_lead(case_id, "accepted", "released", reason)


RELEASED = "This case was already handed back; nothing was changed."


def closed_offer(status: str, answered_at: datetime | None) -> Conflict:
    """What to tell an expert who answers an offer that is no longer open, by what became of it."""
    if status == "lapsed":
        when = answered_at or datetime.now(UTC)
        return Conflict(LAPSED_ON, date=when.astimezone(settings.display_timezone).date().isoformat())
    if status == "withdrawn":
        return Conflict(WITHDRAWN)
    if status == "released":
        return Conflict(RELEASED)
    return Conflict(ALREADY_ANSWERED)


async def explain_closed_offer(case_id: int, actor: Actor) -> None:
    """Say what became of the actor's offer when he answers one that is no longer open.

    An expert whose offer lapsed or was withdrawn no longer reaches the case; without this he
    would read "not found" instead of what happened. Does nothing while he holds an open offer.
    """
    latest = await (
        Assignment.select(Assignment.status, Assignment.answered_at)
        .where((Assignment.case == case_id) & (Assignment.role == "lead") & (Assignment.expert_user == actor.user_id))
        .order_by(Assignment.id, ascending=False)
        .first()
    )
    if latest is not None and latest["status"] in ("lapsed", "withdrawn", "accepted", "declined"):
        raise closed_offer(latest["status"], latest["answered_at"])
