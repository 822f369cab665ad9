"""JSON API of the 一企一策 plan: `/api/v1/cases/{case_id}/plan`, its problems, measures, versions and close-out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Literal

from litestar import Controller, Request, delete, get, patch, post
from litestar.params import JSONBody, KwargDefinition
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action, Actor
from casework.plans import closing, patching, reading, writing
from casework.plans.rules import MeasureStatus, Owner
from casework.states import CaseState
from core.api import API_V1, BEARER, MAX_INT4, RowId, error_responses
from core.errors import NotFound

ERRORS = error_responses(401, 403, 404, 409, 422)
# Each bound twice: msgspec enforces it, KwargDefinition puts it in the OpenAPI schema.
Id = Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]
Version = Id | None
Text = Annotated[str, Meta(max_length=20000), KwargDefinition(max_length=20000)]
Line = Annotated[str, Meta(max_length=1000), KwargDefinition(max_length=1000)]
Direction = Literal["up", "down"]


@dataclass
class PlanMeasure:
    id: int
    position: int
    description: str
    owner: str
    owner_name: str
    due_on: date
    status: MeasureStatus
    drop_reason: str
    evidence_note: str
    evidence: int | None
    may_update: bool
    updated_at: datetime


@dataclass
class PlanProblem:
    id: int
    position: int
    title: str
    description: str
    closed_out_at: datetime | None
    confirmation: int | None
    ready_to_close_out: bool
    measures: list[PlanMeasure]


@dataclass
class PlanVersionSummary:
    number: int
    status: str
    submitted_at: datetime
    decided_at: datetime | None
    comments: str
    submitted_by_name: str | None
    decided_by_name: str | None


@dataclass
class PlanVersionDetail(PlanVersionSummary):
    content: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    case_id: int
    state: CaseState
    version: int  # the case's version: send it back with a change to refuse a stale one
    diagnosis: str
    problems: list[PlanProblem]
    versions: list[PlanVersionSummary]
    open_problems: int
    may_write_diagnosis: bool
    may_write_plan: bool
    may_close_out: bool


@dataclass
class PlanUpdate:
    diagnosis: Text
    version: Version = None


@dataclass
class ProblemCreate:
    title: Line
    description: Text = ""
    version: Version = None


@dataclass
class ProblemUpdate:
    title: Line | None = None
    description: Text | None = None
    move: Direction | None = None
    version: Version = None


@dataclass
class MeasureCreate:
    description: Text
    owner: Owner
    due_on: date
    owner_name: Line = ""
    version: Version = None


@dataclass
class MeasureUpdate:
    """Either a change to the plan being written, or progress on the approved plan."""

    description: Text | None = None
    owner: Owner | None = None
    owner_name: Line | None = None
    due_on: date | None = None
    move: Direction | None = None
    status: MeasureStatus | None = None
    expected_status: MeasureStatus | None = None
    drop_reason: Text = ""
    evidence_note: Text | None = None
    version: Version = None


@dataclass
class CloseOut:
    problems: Annotated[list[Id], Meta(min_length=1, max_length=200), KwargDefinition(min_items=1, max_items=200)]
    confirmation: Id


def _measure(row: dict[str, Any]) -> PlanMeasure:
    return PlanMeasure(**{name: row[name] for name in PlanMeasure.__dataclass_fields__})


def _problem(row: dict[str, Any]) -> PlanProblem:
    return PlanProblem(
        id=row["id"],
        position=row["position"],
        title=row["title"],
        description=row["description"],
        closed_out_at=row["closed_out_at"],
        confirmation=row["confirmation"],
        ready_to_close_out=row["ready"],
        measures=[_measure(m) for m in row["measures"]],
    )


def _version(row: dict[str, Any]) -> PlanVersionSummary:
    return PlanVersionSummary(**{name: row[name] for name in PlanVersionSummary.__dataclass_fields__})


async def _plan(actor: Actor, case_id: int) -> Plan:
    found = await reading.plan_file(actor, case_id)
    case, plan = found["case"], found["plan"]
    return Plan(
        case_id=case["id"],
        state=CaseState(case["state"]),
        version=case["version"],
        diagnosis=plan["diagnosis"],
        problems=[_problem(p) for p in plan["problems"]],
        versions=[_version(v) for v in found["versions"]],
        open_problems=plan["open_problems"],
        may_write_diagnosis=found["can"]["diagnosis"],
        may_write_plan=found["can"]["write"],
        may_close_out=found["can"]["close_out"],
    )


async def _problem_of(actor: Actor, case_id: int, problem_id: int) -> PlanProblem:
    plan = await _plan(actor, case_id)
    found = next((p for p in plan.problems if p.id == problem_id), None)
    if found is None:
        raise NotFound()
    return found


async def _measure_of(actor: Actor, case_id: int, measure_id: int) -> PlanMeasure:
    plan = await _plan(actor, case_id)
    found = next((m for p in plan.problems for m in p.measures if m.id == measure_id), None)
    if found is None:
        raise NotFound()
    return found


def _given(**values: Any) -> dict[str, str]:
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in values.items()
        if value is not None
    }


class PlanApi(Controller):
    path = f"{API_V1}/cases/{{case_id:int}}/plan"
    tags = ["plans"]
    security = BEARER
    opt = {"action": Action.WRITE_PLAN}

    @get(
        "/",
        opt={"action": Action.VIEW_CASES},
        summary="The case's plan: diagnosis, problems, measures, versions",
        responses=ERRORS,
    )
    async def show(self, request: Request[Any, Any, Any], case_id: RowId) -> Plan:
        return await _plan(current_user(request).actor, case_id)

    @patch("/", summary="Write the diagnosis (the lead expert, while diagnosing or planning)", responses=ERRORS)
    async def write_diagnosis(
        self, request: Request[Any, Any, Any], case_id: RowId, data: JSONBody[PlanUpdate]
    ) -> Plan:
        actor = current_user(request).actor
        await writing.write_diagnosis(actor, case_id, data.diagnosis, data.version)
        return await _plan(actor, case_id)

    @post("/problems", summary="Add a problem to the plan being written", responses=ERRORS)
    async def add_problem(
        self, request: Request[Any, Any, Any], case_id: RowId, data: JSONBody[ProblemCreate]
    ) -> PlanProblem:
        actor = current_user(request).actor
        form = {"title": data.title, "description": data.description}
        problem_id = await writing.add_problem(actor, case_id, form, data.version)
        return await _problem_of(actor, case_id, problem_id)

    @patch("/problems/{problem_id:int}", summary="Change or move a problem of the plan being written", responses=ERRORS)
    async def patch_problem(
        self, request: Request[Any, Any, Any], case_id: RowId, problem_id: RowId, data: JSONBody[ProblemUpdate]
    ) -> PlanProblem:
        actor = current_user(request).actor
        changes = _given(title=data.title, description=data.description)
        await patching.patch_problem(actor, case_id, problem_id, changes, data.move, data.version)
        return await _problem_of(actor, case_id, problem_id)

    @delete("/problems/{problem_id:int}", summary="Remove a problem and its measures", responses=ERRORS)
    async def remove_problem(self, request: Request[Any, Any, Any], case_id: RowId, problem_id: RowId) -> None:
        await writing.remove_problem(current_user(request).actor, case_id, problem_id)

    @post("/problems/{problem_id:int}/measures", summary="Add a measure to a problem", responses=ERRORS)
    async def add_measure(
        self, request: Request[Any, Any, Any], case_id: RowId, problem_id: RowId, data: JSONBody[MeasureCreate]
    ) -> PlanMeasure:
        actor = current_user(request).actor
        form = _given(description=data.description, owner=data.owner, owner_name=data.owner_name, due_on=data.due_on)
        measure_id = await writing.add_measure(actor, case_id, problem_id, form, data.version)
        return await _measure_of(actor, case_id, measure_id)

    @patch(
        "/measures/{measure_id:int}",
        summary="Change a measure of the plan being written, or record its status or evidence once approved",
        responses=ERRORS,
    )
    async def patch_measure(
        self, request: Request[Any, Any, Any], case_id: RowId, measure_id: RowId, data: JSONBody[MeasureUpdate]
    ) -> PlanMeasure:
        actor = current_user(request).actor
        change = patching.MeasurePatch(
            plan=_given(description=data.description, owner=data.owner, owner_name=data.owner_name, due_on=data.due_on),
            move=data.move,
            status=data.status,
            drop_reason=data.drop_reason,
            expected_status=data.expected_status,
            evidence_note=data.evidence_note,
            version=data.version,
        )
        await patching.patch_measure(actor, case_id, measure_id, change)
        return await _measure_of(actor, case_id, measure_id)

    @delete("/measures/{measure_id:int}", summary="Remove a measure from the plan being written", responses=ERRORS)
    async def remove_measure(self, request: Request[Any, Any, Any], case_id: RowId, measure_id: RowId) -> None:
        await writing.remove_measure(current_user(request).actor, case_id, measure_id)

    @post(
        "/close-out",
        opt={"action": Action.CONFIRM_WITH_FOUNDER},
        summary="Close problems out with the founder's confirmation (the broker)",
        responses=ERRORS,
    )
    async def close_out(self, request: Request[Any, Any, Any], case_id: RowId, data: JSONBody[CloseOut]) -> Plan:
        actor = current_user(request).actor
        await closing.close_out(actor, case_id, data.problems, data.confirmation)
        return await _plan(actor, case_id)

    @get("/versions", opt={"action": Action.VIEW_CASES}, summary="The plan's submitted versions", responses=ERRORS)
    async def versions(self, request: Request[Any, Any, Any], case_id: RowId) -> list[PlanVersionSummary]:
        return (await _plan(current_user(request).actor, case_id)).versions

    @get(
        "/versions/{number:int}",
        opt={"action": Action.VIEW_CASES},
        summary="One version of the plan, as submitted",
        responses=ERRORS,
    )
    async def version(self, request: Request[Any, Any, Any], case_id: RowId, number: RowId) -> PlanVersionDetail:
        row = await reading.plan_version(current_user(request).actor, case_id, number)
        return PlanVersionDetail(**{name: row[name] for name in PlanVersionDetail.__dataclass_fields__})
