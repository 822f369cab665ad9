"""JSON API of casework."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, KwargDefinition, QueryParameter
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action
from casework import services
from casework.workflow import CaseState, Outcome, Transition
from core.api import API_V1, BEARER, MAX_INT4, Paginated, RowId, error_responses, paginated
from core.pagination import PageRequest
from enterprises.classification import NeedCategory
from enterprises.services import enterprise_needs

ERRORS = error_responses(401, 403, 404, 409, 422)

Id = Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]
Text = Annotated[str, Meta(max_length=2000), KwargDefinition(max_length=2000)]


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
    filed_by: int | None
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
    open_question: str  # the officer's question while the case is back with the broker
    held_from: CaseState | None  # the state an on-hold case resumes to
    resume_on: date | None
    outcome: Outcome | None
    merged_into: int | None
    closed_at: datetime | None
    lead_expert_name: str | None
    offered_expert_name: str | None


@dataclass
class CaseCreate:
    """A need of an enterprise the broker reaches, filed as a submitted case."""

    enterprise_id: Id
    category: str
    description: str
    urgency: str = "normal"
    amount_sought: str = ""


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
    """One action on the case; `version` is the version the caller read. What else is needed
    depends on the action: `reason` (a reason, the question to the broker, his answer, comments
    on a plan), `outcome` to close, `survivor` (a case number) to merge, `resume_on` to hold,
    `expert` (an expert id) to assign."""

    transition: Transition
    version: Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]
    reason: Text = ""
    outcome: Outcome | None = None
    survivor: Id | None = None
    resume_on: date | None = None
    expert: Id | None = None


@dataclass
class CaseMoved:
    """What a transition did: the case's new state and version, its event, the follow-ups it implies."""

    id: int
    transition: Transition
    from_state: CaseState
    state: CaseState
    version: int
    event_id: int
    effects: list[str]


def _summary(row: dict[str, Any]) -> CaseSummary:
    return CaseSummary(**{name: row[name] for name in CaseSummary.__dataclass_fields__})


def _case(row: dict[str, Any]) -> Case:
    needs = [
        CaseNeed(id=n["id"], category=n["category"], description=n["description"], urgency=n["urgency"])
        for n in row["needs"]
    ]
    return Case(
        **_summary(row).__dict__,
        needs=needs,
        transitions=row["transitions"],
        open_question=row["open_question"],
        held_from=CaseState(row["held_from"]) if row["held_from"] else None,
        resume_on=row["resume_on"],
        outcome=Outcome(row["outcome"]) if row["outcome"] else None,
        merged_into=row["merged_into"],
        closed_at=row["closed_at"],
        lead_expert_name=row["lead_expert_name"],
        offered_expert_name=row["offered_expert_name"],
    )


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

    @get("/", summary="Cases within the caller's reach, newest first, filtered", responses=ERRORS)
    async def list_cases(
        self,
        request: Request[Any, Any, Any],
        state_filter: Annotated[CaseState | None, QueryParameter(name="state")] = None,
        district: Annotated[str, QueryParameter(max_length=6)] = "",
        category: Annotated[NeedCategory | None, QueryParameter(description="a need category the case covers")] = None,
        older_than_days: Annotated[
            int | None,
            QueryParameter(
                ge=0,
                le=36500,
                description="filed at least this many days ago",
                # Litestar drops a falsy bound from the schema, so the 0 is stated again
                schema_extra={"minimum": 0},
            ),
        ] = None,
        expert: Annotated[
            int | None, QueryParameter(ge=1, le=MAX_INT4, description="an expert (id) with a live assignment on it")
        ] = None,
        broker: Annotated[
            int | None, QueryParameter(ge=1, le=MAX_INT4, description="the filing broker's user id")
        ] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[CaseSummary]:
        filters = services.CaseFilter(
            state=state_filter.value if state_filter else "",
            district=district,
            filed_by=broker,
            category=category.value if category else "",
            older_than_days=older_than_days,
            expert=expert,
        )
        found = await services.list_cases(
            current_user(request).actor, filters, PageRequest(page=page_number, per_page=per_page)
        )
        return paginated(found, [_summary(row) for row in found.items])

    @post(
        "/",
        opt={"action": Action.FILE_NEED},
        summary="File a need of an enterprise as a submitted case",
        responses=ERRORS,
    )
    async def file_case(self, request: Request[Any, Any, Any], data: JSONBody[CaseCreate]) -> Case:
        actor = current_user(request).actor
        form = {
            "category": data.category,
            "description": data.description,
            "urgency": data.urgency,
            "amount_sought": data.amount_sought,
        }
        case_id = await services.file_need(actor, data.enterprise_id, form)
        return _case(await services.get_case(actor, case_id))

    @get(
        "/{case_id:int}",
        summary="One case with its needs, its experts and the transitions open to the caller",
        responses=ERRORS,
    )
    async def show(self, request: Request[Any, Any, Any], case_id: RowId) -> Case:
        return _case(await services.get_case(current_user(request).actor, case_id))

    @get("/{case_id:int}/events", summary="The case's timeline, oldest first", responses=ERRORS)
    async def events(self, request: Request[Any, Any, Any], case_id: RowId) -> list[CaseEvent]:
        rows = await services.case_events(current_user(request).actor, case_id)
        return [CaseEvent(**{name: row[name] for name in CaseEvent.__dataclass_fields__}) for row in rows]

    @post(
        "/{case_id:int}/transitions",
        opt={"action": Action.TRANSITION_CASE},
        summary="Move the case on; `version` must be the version the caller read (409 if it changed)",
        responses=ERRORS,
    )
    async def transition(
        self, request: Request[Any, Any, Any], case_id: RowId, data: JSONBody[TransitionRequest]
    ) -> CaseMoved:
        details = services.Details(
            outcome=data.outcome.value if data.outcome else "",
            survivor=data.survivor,
            resume_on=data.resume_on,
            expert=data.expert,
        )
        moved = await services.transition_case(
            current_user(request).actor, case_id, data.transition, data.version, data.reason, details
        )
        return CaseMoved(
            id=moved.case_id,
            transition=moved.transition,
            from_state=moved.source,
            state=moved.target,
            version=moved.version,
            event_id=moved.event_id,
            effects=list(moved.effects),
        )
