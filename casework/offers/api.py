"""The JSON API of offers: a case's offers, offering a case, answering an offer, an expert's open offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, KwargDefinition, QueryParameter
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action
from casework.offers import service
from casework.states import CaseState
from core.api import API_V1, BEARER, MAX_INT4, Paginated, RowId, error_responses, paginated
from core.pagination import PageRequest

ERRORS = error_responses(401, 403, 404, 409, 422)

Id = Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]
Reason = Annotated[str, Meta(max_length=2000), KwargDefinition(max_length=2000)]


@dataclass
class Offer:
    """An expert offered a case. `status`: offered (awaiting his answer), accepted, declined (with
    `reason`), lapsed (its deadline passed unanswered), withdrawn or released (handed back).
    `deadline` (UTC) is when an open offer lapses; null once it is no longer open."""

    id: int
    case_id: int
    expert_id: int
    expert_name: str
    role: str
    status: str
    reason: str
    offered_by_name: str | None
    offered_at: datetime
    answered_at: datetime | None
    deadline: datetime | None


@dataclass
class OpenOffer(Offer):
    """An open offer as the expert sees it before answering: the enterprise (not its founder), the
    case's need categories, and the case's `version` to answer at."""

    case_state: CaseState = CaseState.ASSIGNED
    case_version: int = 1
    district: str = ""
    enterprise_name: str = ""
    industry: str = ""  # GB/T 4754 section letter, or empty
    categories: list[str] = field(default_factory=list)


@dataclass
class OfferCreate:
    """Offer the case's lead to the expert `expert` (an expert id); `version` is the case's version the caller read."""

    expert: Id
    version: Id


@dataclass
class OfferAccept:
    """`version`: the case's version the caller read; without it, the case as it stands now."""

    version: Id | None = None


@dataclass
class OfferDecline:
    """Why the expert declines (required: an empty reason is refused with 422); `version` as for accepting."""

    reason: Reason = ""
    version: Id | None = None


def _offer(row: dict[str, Any]) -> Offer:
    return Offer(**{name: row[name] for name in Offer.__dataclass_fields__})


def _open_offer(row: dict[str, Any]) -> OpenOffer:
    return OpenOffer(
        **{name: row[name] for name in Offer.__dataclass_fields__},
        case_state=CaseState(row["case_state"]),
        case_version=row["case_version"],
        district=row["district"],
        enterprise_name=row["enterprise_name"],
        industry=row["industry"] or "",
        categories=list(row["categories"]),
    )


_ANSWERING = (
    "Only the expert the offer was made to may answer it, and only while it is the case's open offer: an offer "
    "that lapsed, was withdrawn or was already answered, or another expert's, is refused with 409 and nothing "
    "changes. A case out of the caller's reach, or an offer of another case, is 404."
)


class CaseOfferApi(Controller):
    path = f"{API_V1}/cases"
    tags = ["offers"]
    security = BEARER

    @get(
        "/{case_id:int}/offers",
        opt={"action": Action.VIEW_CASES},
        summary="The case's offers, oldest first",
        description=(
            "Officers who reach the case see every offer; an expert offered or leading it sees his own; "
            "the filing broker, who reaches the case too, sees none."
        ),
        responses=ERRORS,
    )
    async def list_offers(self, request: Request[Any, Any, Any], case_id: RowId) -> list[Offer]:
        return [_offer(row) for row in await service.case_offers(current_user(request).actor, case_id)]

    @post(
        "/{case_id:int}/offers",
        opt={"action": Action.MATCH_EXPERTS},
        summary="Offer a triaged case's lead to an expert (the case's assign move)",
        description="409 if the case changed since `version` or already has an open offer or a lead.",
        responses=ERRORS,
    )
    async def offer(self, request: Request[Any, Any, Any], case_id: RowId, data: JSONBody[OfferCreate]) -> Offer:
        actor = current_user(request).actor
        return _offer(await service.offer_case(actor, case_id, data.expert, data.version))

    @post(
        "/{case_id:int}/offers/{offer_id:int}/accept",
        opt={"action": Action.TRANSITION_CASE},
        status_code=200,
        summary="Accept an offer: the expert becomes the case's lead",
        description=_ANSWERING,
        responses=ERRORS,
    )
    async def accept(
        self, request: Request[Any, Any, Any], case_id: RowId, offer_id: RowId, data: JSONBody[OfferAccept]
    ) -> Offer:
        actor = current_user(request).actor
        return _offer(await service.answer_offer(actor, case_id, offer_id, True, version=data.version))

    @post(
        "/{case_id:int}/offers/{offer_id:int}/decline",
        opt={"action": Action.TRANSITION_CASE},
        status_code=200,
        summary="Decline an offer, with a reason: the case returns to the officers' queue",
        description=_ANSWERING,
        responses=ERRORS,
    )
    async def decline(
        self, request: Request[Any, Any, Any], case_id: RowId, offer_id: RowId, data: JSONBody[OfferDecline]
    ) -> Offer:
        actor = current_user(request).actor
        return _offer(await service.answer_offer(actor, case_id, offer_id, False, data.reason, data.version))


class MyOfferApi(Controller):
    path = f"{API_V1}/me/offers"
    tags = ["offers"]
    security = BEARER

    @get(
        "/",
        opt={"action": Action.VIEW_EXPERT_WORKSPACE},
        summary="The caller's open offers (an expert's), newest first",
        responses=error_responses(401, 403),
    )
    async def mine(
        self,
        request: Request[Any, Any, Any],
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[OpenOffer]:
        found = await service.open_offers(current_user(request).actor, PageRequest(page=page_number, per_page=per_page))
        return paginated(found, [_open_offer(row) for row in found.items])
