"""The JSON API of broker tasks (`/api/v1/tasks`) and its schemas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, KwargDefinition, QueryParameter
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action
from casework.tasks import completing, dispatching, service
from casework.tasks.rules import MAX_INSTRUCTIONS, MAX_RECORD, TaskKind, TaskStatus
from core.api import API_V1, BEARER, MAX_INT4, Paginated, RowId, error_responses, paginated
from core.pagination import PageRequest
from enterprises.classification import EnterpriseStatus, RevenueBand

ERRORS = error_responses(401, 403, 404, 409, 422)

Id = Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]
Version = Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]
QueryId = Annotated[int | None, QueryParameter(ge=1, le=MAX_INT4)]


@dataclass
class TaskSummary:
    id: int
    kind: TaskKind
    status: TaskStatus
    district: str
    case_id: int | None
    enterprise_id: int
    enterprise_name: str
    broker_id: int
    broker_name: str
    due_on: date
    overdue: bool
    version: int
    created_at: datetime
    done_at: datetime | None


@dataclass
class Task(TaskSummary):
    instructions: str
    record: str
    attachment_id: int | None
    confirmation_id: int | None
    actions: list[str]


@dataclass
class TaskCreate:
    """A task about a case (`case_id`; its enterprise follows) or about an enterprise alone (`enterprise_id`)."""

    kind: TaskKind
    due_on: date
    broker_id: Id
    instructions: Annotated[str, Meta(max_length=MAX_INSTRUCTIONS), KwargDefinition(max_length=MAX_INSTRUCTIONS)]
    case_id: Id | None = None
    enterprise_id: Id | None = None


# Litestar drops a falsy bound from the schema, so the 0 is stated again.
Count = Annotated[int, Meta(ge=0, le=1_000_000), KwargDefinition(ge=0, le=1_000_000, schema_extra={"minimum": 0})]


@dataclass
class SurveyAnswers:
    """A survey's answers, kept as the enterprise's outcome snapshot: people employed now, of them
    returning migrant workers, the revenue band of the last 12 months, its status, and whether it
    obtained a loan (with the amount in yuan, if known: "50000" or "5万")."""

    employees: Count
    migrant_employees: Count
    revenue_band: RevenueBand
    status: EnterpriseStatus
    loans_obtained: bool
    # Yuan as a broker writes it ("50000", "5万"), read by the same parser as the page's field.
    loan_amount: Annotated[str, Meta(max_length=30), KwargDefinition(max_length=30)] = ""

    def as_form(self) -> dict[str, str]:
        """The answers as the page's form sends them: the one parser (`enterprises.outcomes`) checks both."""
        return {
            "employees": str(self.employees),
            "migrant_employees": str(self.migrant_employees),
            "revenue_band": self.revenue_band.value,
            "status": self.status.value,
            "loans_obtained": "yes" if self.loans_obtained else "no",
            "loan_amount": self.loan_amount,
        }


@dataclass
class TaskCompletion:
    """The record: `note` (a visit's note; for a survey what else was said), `answers` for a survey, and
    for a document the id of a file the broker attached to the task's case; `version` is the version the
    caller read."""

    version: Version
    note: Annotated[str, Meta(max_length=MAX_RECORD), KwargDefinition(max_length=MAX_RECORD)] = ""
    attachment_id: Id | None = None
    confirmation_id: Id | None = None
    answers: SurveyAnswers | None = None


@dataclass
class TaskCancellation:
    version: Version
    reason: Annotated[str, Meta(max_length=2000), KwargDefinition(max_length=2000)]


def _summary_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": TaskKind(row["kind"]),
        "status": TaskStatus(row["status"]),
        "district": row["district"],
        "case_id": row["case"],
        "enterprise_id": row["enterprise_id"],
        "enterprise_name": row["enterprise_name"],
        "broker_id": row["broker"],
        "broker_name": row["broker_name"] or "",
        "due_on": row["due_on"],
        "overdue": row["overdue"],
        "version": row["version"],
        "created_at": row["created_at"],
        "done_at": row["done_at"],
    }


def _task(row: dict[str, Any]) -> Task:
    return Task(
        **_summary_fields(row),
        instructions=row["instructions"],
        record=row["record"],
        attachment_id=row["attachment"],
        confirmation_id=row["confirmation"],
        actions=row["actions"],
    )


class TaskApi(Controller):
    path = f"{API_V1}/tasks"
    tags = ["tasks"]
    security = BEARER

    @get(
        "/",
        opt={"action": Action.VIEW_CASES},
        summary="Tasks within the caller's reach: open ones by due date (overdue first), then finished ones",
        description="A broker sees his own tasks, a district officer his district's, a city officer all.",
        responses=ERRORS,
    )
    async def list_tasks(
        self,
        request: Request[Any, Any, Any],
        status: Annotated[TaskStatus | None, QueryParameter()] = None,
        broker: QueryId = None,
        case_id: Annotated[int | None, QueryParameter(name="case", ge=1, le=MAX_INT4)] = None,
        overdue: Annotated[bool, QueryParameter()] = False,
        district: Annotated[str, QueryParameter(max_length=6)] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[TaskSummary]:
        filters = service.TaskFilter(
            status=status.value if status else "", broker=broker, case=case_id, overdue=overdue, district=district
        )
        found = await service.list_tasks(
            current_user(request).actor, filters, PageRequest(page=page_number, per_page=per_page)
        )
        return paginated(found, [TaskSummary(**_summary_fields(row)) for row in found.items])

    @post(
        "/",
        opt={"action": Action.DISPATCH_TASK},
        summary="Dispatch a task to a broker of the case's or enterprise's district",
        responses=ERRORS,
    )
    async def dispatch(self, request: Request[Any, Any, Any], data: JSONBody[TaskCreate]) -> Task:
        actor = current_user(request).actor
        task_id = await dispatching.dispatch_task(
            actor,
            dispatching.DispatchRequest(
                kind=data.kind,
                due_on=data.due_on,
                instructions=data.instructions,
                broker_id=data.broker_id,
                case_id=data.case_id,
                enterprise_id=data.enterprise_id,
            ),
        )
        return _task(await service.get_task(actor, task_id))

    @get("/{task_id:int}", opt={"action": Action.VIEW_CASES}, summary="One task within reach", responses=ERRORS)
    async def show(self, request: Request[Any, Any, Any], task_id: RowId) -> Task:
        return _task(await service.get_task(current_user(request).actor, task_id))

    @post(
        "/{task_id:int}/complete",
        opt={"action": Action.COMPLETE_TASK},
        summary="Complete the caller's open task with the record its kind asks for",
        description=(
            "A visit needs a note, a survey its `answers` (kept as the enterprise's outcome snapshot, in the "
            "same transaction), a document an `attachment_id`: a file the broker attached to the task's case. "
            "A wrong answer is 422 naming its field. A task already done, cancelled or changed since `version` "
            "answers 409."
        ),
        responses=ERRORS,
    )
    async def complete(self, request: Request[Any, Any, Any], task_id: RowId, data: JSONBody[TaskCompletion]) -> Task:
        actor = current_user(request).actor
        await completing.complete_task(
            actor,
            task_id,
            completing.CompletionRequest(
                version=data.version,
                note=data.note,
                attachment_id=data.attachment_id,
                confirmation_id=data.confirmation_id,
                answers=data.answers.as_form() if data.answers is not None else None,
            ),
        )
        return _task(await service.get_task(actor, task_id))

    @post(
        "/{task_id:int}/cancel",
        opt={"action": Action.DISPATCH_TASK},
        summary="Cancel an open task with a reason; the broker is told",
        responses=ERRORS,
    )
    async def cancel(self, request: Request[Any, Any, Any], task_id: RowId, data: JSONBody[TaskCancellation]) -> Task:
        actor = current_user(request).actor
        await dispatching.cancel_task(actor, task_id, data.version, data.reason)
        return _task(await service.get_task(actor, task_id))
