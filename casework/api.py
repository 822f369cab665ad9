"""JSON API of casework."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, KwargDefinition, QueryParameter
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action
from casework import services
from casework.workflow import CaseState, Transition
from core.api import API_V1, BEARER, MAX_INT4, Paginated, RowId, error_responses, paginated
from core.pagination import PageRequest
from enterprises.services import enterprise_needs

ERRORS = error_responses(401, 403, 404, 409, 422)


@dataclass
class NeedCreate:
    category: str
    description: str
    urgency: str = "normal"
    amount_sought: str = ""


@dataclass
class Need:
    id: int
    category: str
    description: str
    urgency: str
    amount_sought: str | None
    created_at: datetime


@dataclass
class CaseSummary:
    id: int
    state: CaseState
    priority: str
    district: str
    enterprise_id: int
    enterprise_name: str
    version: int
    created_at: datetime


@dataclass
class CaseNeed:
    id: int
    category: str
    description: str
    urgency: str


@dataclass
class Case(CaseSummary):
    needs: list[CaseNeed]
    transitions: list[Transition]


@dataclass
class CaseEvent:
    id: int
    kind: str
    from_state: str
    to_state: str
    note: str
    actor_name: str | None
    created_at: datetime
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class TransitionRequest:
    transition: Transition
    version: Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]
    reason: str = ""


def _summary(row: dict[str, Any]) -> CaseSummary:
    return CaseSummary(**{field: row[field] for field in CaseSummary.__dataclass_fields__})


def _case(row: dict[str, Any]) -> Case:
    needs = [
        CaseNeed(id=n["id"], category=n["category"], description=n["description"], urgency=n["urgency"])
        for n in row["needs"]
    ]
    return Case(**{**_summary(row).__dict__}, needs=needs, transitions=row["transitions"])


class NeedFilingApi(Controller):
    """Needs live with enterprises, but filing one opens a case, so their routes live here."""

    path = f"{API_V1}/enterprises"
    tags = ["enterprises"]
    security = BEARER

    @post(
        "/{enterprise_id:int}/needs",
        opt={"action": Action.FILE_NEED},
        summary="File a need of an enterprise; it becomes a submitted case",
        responses=ERRORS,
    )
    async def file_need(
        self, request: Request[Any, Any, Any], enterprise_id: RowId, data: JSONBody[NeedCreate]
    ) -> Case:
        actor = current_user(request).actor
        case_id = await services.file_need(actor, enterprise_id, data.__dict__)
        return _case(await services.get_case(actor, case_id))

    @get(
        "/{enterprise_id:int}/needs",
        opt={"action": Action.VIEW_ENTERPRISES},
        summary="The needs filed for an enterprise",
        responses=ERRORS,
    )
    async def needs(self, request: Request[Any, Any, Any], enterprise_id: RowId) -> list[Need]:
        return [
            Need(
                id=r["id"],
                category=r["category"],
                description=r["description"],
                urgency=r["urgency"],
                amount_sought=None if r["amount_sought"] is None else str(r["amount_sought"]),
                created_at=r["created_at"],
            )
            for r in await enterprise_needs(current_user(request).actor, enterprise_id)
        ]


class CaseApi(Controller):
    path = f"{API_V1}/cases"
    tags = ["cases"]
    security = BEARER
    opt = {"action": Action.VIEW_CASES}

    @get("/", summary="Cases within the caller's reach, newest first", responses=ERRORS)
    async def list_cases(
        self,
        request: Request[Any, Any, Any],
        state_filter: Annotated[CaseState | None, QueryParameter(name="state")] = None,
        district: Annotated[str, QueryParameter(max_length=6)] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[CaseSummary]:
        found = await services.list_cases(
            current_user(request).actor,
            services.CaseFilter(state=state_filter.value if state_filter else "", district=district),
            PageRequest(page=page_number, per_page=per_page),
        )
        return paginated(found, [_summary(row) for row in found.items])

    @get(
        "/{case_id:int}",
        summary="One case with its needs and the transitions open to the caller",
        responses=ERRORS,
    )
    async def show(self, request: Request[Any, Any, Any], case_id: RowId) -> Case:
        return _case(await services.get_case(current_user(request).actor, case_id))

    @get("/{case_id:int}/events", summary="The case's timeline", responses=ERRORS)
    async def events(self, request: Request[Any, Any, Any], case_id: RowId) -> list[CaseEvent]:
        rows = await services.case_events(current_user(request).actor, case_id)
        return [CaseEvent(**row) for row in rows]

    @post(
        "/{case_id:int}/transitions",
        opt={"action": Action.TRANSITION_CASE},
        summary="Move the case on; `version` must be the version the caller read",
        responses=ERRORS,
    )
    async def transition(
        self, request: Request[Any, Any, Any], case_id: RowId, data: JSONBody[TransitionRequest]
    ) -> Case:
        actor = current_user(request).actor
        await services.transition_case(actor, case_id, data.transition, data.version, data.reason)
        return _case(await services.get_case(actor, case_id))
