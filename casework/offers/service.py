"""Offers read and answered within reach: a case's offers, an expert's own, and an answer by offer id.

Every read goes through casework's reach: one case by `casework.reading.reach_case`, lists by
`casework.access_filter.case_filter`. The moves are `casework.moving.transition_case`'s; this
module only says, before any of them, why an offer id that is no longer the case's open offer
cannot be answered, so that nothing changes and the expert is told in words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from accounts.policy import Action, Actor, may
from casework.access_filter import case_filter
from casework.assigning import closed_offer
from casework.followups.rules import FollowUpKind, FollowUpState
from casework.moving import Details, transition_case
from casework.reading import reach_case
from casework.tables import Assignment, Case, CaseEvent, CaseNeed, FollowUp
from casework.workflow import Transition
from core.errors import Conflict, NotFound
from core.pagination import Page, PageRequest

OPEN = "offered"
# Answered, lapsed or withdrawn offers stay on the expert's page this long.
RECENT = timedelta(days=30)

NOT_YOURS = "This offer was made to another expert: only that expert can answer it."
_OFFER_COLUMNS = (
    Assignment.id,
    Assignment.case.as_alias("case_id"),
    Assignment.expert.as_alias("expert_id"),
    Assignment.expert.name.as_alias("expert_name"),
    Assignment.expert_user,
    Assignment.role,
    Assignment.status,
    Assignment.reason,
    Assignment.offered_at,
    Assignment.answered_at,
    Assignment.offered_by.display_name.as_alias("offered_by_name"),
)
# What an expert is shown of the case he is offered: the enterprise, not its founder.
_CASE_COLUMNS = (
    Assignment.case.state.as_alias("case_state"),
    Assignment.case.version.as_alias("case_version"),
    Assignment.case.district.as_alias("district"),
    Assignment.case._.enterprise._.name.as_alias("enterprise_name"),
    Assignment.case._.enterprise._.industry.as_alias("industry"),
)


async def deadlines(offer_ids: Iterable[int]) -> dict[int, datetime]:
    """The due time of each open offer's OFFER_DEADLINE follow-up (pending, or paused while the case is held)."""
    ids = list(offer_ids)
    if not ids:
        return {}
    rows = await FollowUp.select(FollowUp.follows, FollowUp.due_at).where(
        (FollowUp.kind == FollowUpKind.OFFER_DEADLINE)
        & FollowUp.follows.is_in(ids)
        & FollowUp.state.is_in([FollowUpState.PENDING, FollowUpState.PAUSED])
    )
    return {row["follows"]: row["due_at"] for row in rows}


async def _with_deadlines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    due = await deadlines(row["id"] for row in rows if row["status"] == OPEN)
    return [{**row, "deadline": due.get(row["id"]) if row["status"] == OPEN else None} for row in rows]


async def categories_of(case_ids: Iterable[int]) -> dict[int, list[str]]:
    """The need categories each case covers, each once, in the order filed."""
    ids = list(set(case_ids))
    if not ids:
        return {}
    rows = await (
        CaseNeed.select(CaseNeed.case, CaseNeed.need.category.as_alias("category"))
        .where(CaseNeed.case.is_in(ids))
        .order_by(CaseNeed.id)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        if row["category"] not in found[row["case"]]:
            found[row["case"]].append(row["category"])
    return found


async def case_offers(actor: Actor, case_id: int) -> list[dict[str, Any]]:
    """A case's offers, oldest first: every one to those who offer cases, his own to an expert."""
    await reach_case(actor, case_id)
    query = Assignment.select(*_OFFER_COLUMNS).where(Assignment.case == case_id).order_by(Assignment.id)
    if not may(actor, Action.VIEW_EXPERTS):
        # An expert reaches the case through his own offer; other experts' answers are not his to read.
        query = query.where(Assignment.expert_user == actor.user_id)
    return await _with_deadlines(await query)


async def offer_of(case_id: int, offer_id: int) -> dict[str, Any]:
    """One offer of a case as it stands, for a caller who has reached the case."""
    row = await (
        Assignment.select(*_OFFER_COLUMNS).where((Assignment.id == offer_id) & (Assignment.case == case_id)).first()
    )
    if row is None:
        raise NotFound()
    return (await _with_deadlines([row]))[0]


async def offer_case(actor: Actor, case_id: int, expert_id: int, version: int) -> dict[str, Any]:
    """The officer offers the case's lead to an expert (the ASSIGN move); the offer as written."""
    moved = await transition_case(actor, case_id, Transition.ASSIGN, version, details=Details(expert=expert_id))
    event = await CaseEvent.select(CaseEvent.data).where(CaseEvent.id == moved.event_id).output(load_json=True).first()
    assert event is not None  # the move has just written it, with the assignment it made
    return await offer_of(case_id, int(event["data"]["assignment"]))


async def answer_offer(
    actor: Actor, case_id: int, offer_id: int, accepted: bool, reason: str = "", version: int | None = None
) -> dict[str, Any]:
    """The offered expert accepts or declines the offer `offer_id` of the case; the offer as answered.

    A case out of reach, or an offer of another case, is not found. An offer that is not the case's
    open offer made to him (lapsed, withdrawn, answered, someone else's) is a `Conflict` saying which,
    and nothing changes. Without `version`, the case's version is read here, before the offer is
    checked: a lapse or a withdrawal after that check changes the version, and the move then fails
    as stale instead of answering an offer he did not see.
    """
    try:
        case: dict[str, Any] | None = await reach_case(actor, case_id)
    except NotFound:
        case = None
    offer = await (
        Assignment.select(Assignment.status, Assignment.role, Assignment.expert_user, Assignment.answered_at)
        .where((Assignment.id == offer_id) & (Assignment.case == case_id))
        .first()
    )
    mine = offer is not None and offer["expert_user"] == actor.user_id
    if mine and offer is not None and offer["status"] != OPEN:
        # His own offer, lapsed or withdrawn: he may no longer reach the case, but the offer is his
        # to hear about (his page lists it too), so he learns why rather than "not found".
        raise closed_offer(offer["status"], offer["answered_at"])
    if case is None or offer is None:
        raise NotFound()
    if not mine:
        raise Conflict(NOT_YOURS)
    if offer["status"] != OPEN or offer["role"] != "lead":
        raise closed_offer(offer["status"], offer["answered_at"])
    transition = Transition.ACCEPT_ASSIGNMENT if accepted else Transition.DECLINE_ASSIGNMENT
    await transition_case(actor, case_id, transition, case["version"] if version is None else version, reason)
    return await offer_of(case_id, offer_id)


def _mine(actor: Actor) -> Any:
    """His own offers, on cases within his reach (the access rule, applied as for every case list)."""
    condition: Any = Assignment.expert_user == actor.user_id
    cases = case_filter(actor)
    if cases is not None:
        condition &= Assignment.case.is_in(Case.select(Case.id).where(cases))
    return condition


async def _with_cases(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    categories = await categories_of(row["case_id"] for row in rows)
    return [{**row, "categories": categories.get(row["case_id"], [])} for row in await _with_deadlines(rows)]


async def open_offers(actor: Actor, request: PageRequest) -> Page[dict[str, Any]]:
    """The expert's open offers, newest first, with what he may know of each case before answering."""
    where = _mine(actor) & (Assignment.status == OPEN)
    rows = await (
        Assignment.select(*_OFFER_COLUMNS, *_CASE_COLUMNS)
        .where(where)
        .order_by(Assignment.id, ascending=False)
        .limit(request.per_page)
        .offset(request.offset)
    )
    return Page(items=await _with_cases(rows), request=request, total=await Assignment.count().where(where))


async def recent_offers(actor: Actor, now: datetime | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """His offers answered, lapsed or withdrawn in the last 30 days, newest first.

    They are his own rows: shown whether or not he still reaches the case (a declined one he no
    longer does), with the enterprise's name he was shown when offered and nothing more of the case.
    """
    since = (now or datetime.now(UTC)) - RECENT
    rows = await (
        Assignment.select(
            *_OFFER_COLUMNS,
            Assignment.case.district.as_alias("district"),
            Assignment.case._.enterprise._.name.as_alias("enterprise_name"),
        )
        .where(
            (Assignment.expert_user == actor.user_id)
            & (Assignment.status != OPEN)
            & (
                (Assignment.answered_at >= since)
                | (Assignment.answered_at.is_null() & (Assignment.offered_at >= since))
            )
        )
        .order_by(Assignment.id, ascending=False)
        .limit(limit)
    )
    return [{**row, "deadline": None} for row in rows]
