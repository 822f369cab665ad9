"""Reading broker tasks: one task, the lists of a broker's and of a district's tasks, a case's tasks.

Each call checks the actor's reach once (`casework.tasks.access`); writing tasks lives in
`dispatching` and `completing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from piccolo.query import Select
from piccolo.querystring import QueryString

from accounts.policy import Actor, Role
from accounts.tables import User
from casework.tables import Confirmation, Task
from casework.tasks.access import may_reach_task, task_reach
from casework.tasks.rules import (
    NOT_OPEN,
    TaskFacts,
    TaskKind,
    TaskStatus,
    available_actions,
    completion_asks,
    is_overdue,
)
from core.config import bureau_today
from core.districts import is_district
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.pagination import Page, PageRequest
from core.reach_filter import reach_where

NO_TASKS = "Tasks are for the bureau's officers and its brokers."

# A broker's list keeps what he finished for a month, so he can check what he recorded.
RECENT_DAYS = 30

# Open tasks first, soonest due (so overdue) first; then the finished ones, latest first.
_STATUS, _DUE = ('"casework_task".' + f'"{name}"' for name in ("status", "due_on"))
_OPEN_FIRST = QueryString(f"CASE WHEN {_STATUS} = 'open' THEN 0 ELSE 1 END")
_OPEN_BY_DUE_DATE = QueryString(f"CASE WHEN {_STATUS} = 'open' THEN {_DUE} END")


def _in_list_order(query: Select[Task]) -> Select[Task]:
    return query.order_by(_OPEN_FIRST, _OPEN_BY_DUE_DATE).order_by(Task.done_at, ascending=False).order_by(Task.id)


_COLUMNS = (
    Task.id,
    Task.district,
    Task.case,
    Task.broker,
    Task.kind,
    Task.due_on,
    Task.status,
    Task.version,
    Task.created_at,
    Task.done_at,
    Task.enterprise.id.as_alias("enterprise_id"),
    Task.enterprise.name.as_alias("enterprise_name"),
    Task.enterprise.town.as_alias("town"),
    Task.broker.display_name.as_alias("broker_name"),
)
_DETAIL = (
    Task.instructions,
    Task.record,
    Task.attachment,
    Task.confirmation,
    Task.enterprise.village.as_alias("village"),
    Task.case.state.as_alias("case_state"),
    Task.created_by.display_name.as_alias("created_by_name"),
)


today = bureau_today  # one definition, in core.config


def task_filter(actor: Actor) -> Any:
    """The WHERE condition keeping a query to the tasks the actor reaches (None: every task)."""
    return reach_where(task_reach(actor), {"district": Task.district, "broker": Task.broker})


def facts_of(row: dict[str, Any]) -> TaskFacts:
    return TaskFacts(
        kind=TaskKind(row["kind"]),
        status=TaskStatus(row["status"]),
        district=row["district"],
        broker=row["broker"],
        has_case=row["case"] is not None,
    )


def _labelled(row: dict[str, Any], on: date) -> dict[str, Any]:
    """A task row with its labels (message ids) and whether it is overdue, as lists and pages show it."""
    return {
        **row,
        "kind_label": TaskKind(row["kind"]).label,
        "status_label": TaskStatus(row["status"]).label,
        "overdue": is_overdue(row["status"], row["due_on"], on),
    }


def _presented(actor: Actor, row: dict[str, Any], on: date) -> dict[str, Any]:
    return {**_labelled(row, on), "actions": [a.value for a in available_actions(facts_of(row), actor)]}


async def task_row(actor: Actor, task_id: int) -> dict[str, Any]:
    """One task the actor reaches, as stored; `NotFound` for any other (nothing is leaked)."""
    row = await Task.select(*_COLUMNS, *_DETAIL).where(Task.id == task_id).first()
    if row is None or not may_reach_task(actor, row):
        raise NotFound()
    return dict(row)


async def get_task(actor: Actor, task_id: int) -> dict[str, Any]:
    """One task the actor reaches, with whether it is overdue, the actions open to him and what completing asks."""
    row = await task_row(actor, task_id)
    return {**_presented(actor, row, today()), "asks": completion_asks(row["kind"])}


async def refusal(task_id: int) -> Conflict:
    """Why a conditional UPDATE of an open task changed nothing: it was finished, or changed since it was read."""
    row = await Task.select(Task.status).where(Task.id == task_id).first()
    status = row["status"] if row else ""
    return Conflict(NOT_OPEN[TaskStatus(status)]) if status in NOT_OPEN else Conflict()


async def confirmation_of(task: dict[str, Any], confirmation_id: int | None) -> dict[str, Any] | None:
    """The confirmation asked for this task with that id: its method and whether it is given; else None."""
    if confirmation_id is None or task["case"] is None:
        return None
    row = (
        await Confirmation.select(
            Confirmation.id, Confirmation.case, Confirmation.method, Confirmation.confirmed_at, Confirmation.purpose
        )
        .where(Confirmation.id == confirmation_id)
        .output(load_json=True)
        .first()
    )
    if row is None or row["case"] != task["case"]:
        return None
    if not isinstance(row["purpose"], dict) or row["purpose"].get("task") != task["id"]:
        return None
    return {"id": row["id"], "method": row["method"], "given": row["confirmed_at"] is not None}


@dataclass(frozen=True)
class TaskFilter:
    status: str = ""
    broker: int | None = None
    case: int | None = None
    district: str = ""
    overdue: bool = False
    recent_only: bool = False  # open tasks, and those finished in the last RECENT_DAYS days


def _conditions(actor: Actor, filters: TaskFilter, on: date) -> list[Any]:
    conditions = [task_filter(actor)]
    if filters.status:
        if filters.status not in TaskStatus.__members__.values():
            raise Invalid({"status": "Unknown task status."})
        conditions.append(Task.status == filters.status)
    if filters.district:
        if not is_district(filters.district):
            raise Invalid({"district": "Choose a district."})
        conditions.append(Task.district == filters.district)
    if filters.broker is not None:
        conditions.append(Task.broker == filters.broker)
    if filters.case is not None:
        conditions.append(Task.case == filters.case)
    if filters.overdue:
        conditions.append((Task.status == TaskStatus.OPEN) & (Task.due_on < on))
    if filters.recent_only:
        since = datetime.now(UTC) - timedelta(days=RECENT_DAYS)
        conditions.append((Task.status == TaskStatus.OPEN) | (Task.done_at >= since))
    return [c for c in conditions if c is not None]


async def list_tasks(actor: Actor, filters: TaskFilter, request: PageRequest) -> Page[dict[str, Any]]:
    """A page of the tasks the actor reaches: open ones by due date (overdue first), then finished ones."""
    scope = task_reach(actor)
    if not scope.everything and not scope.terms:
        raise NotAllowed(NO_TASKS)
    on = today()
    query = _in_list_order(Task.select(*_COLUMNS))
    count = Task.count()
    for condition in _conditions(actor, filters, on):
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.limit(request.per_page).offset(request.offset)
    return Page(items=[_presented(actor, row, on) for row in rows], request=request, total=await count)


async def case_tasks(case_id: int) -> list[dict[str, Any]]:
    """A case's tasks, open ones soonest due first, for a case the caller has checked the actor reaches."""
    on = today()
    rows = await _in_list_order(Task.select(*_COLUMNS).where(Task.case == case_id))
    return [_labelled(row, on) for row in rows]


async def district_brokers(district: str) -> list[dict[str, Any]]:
    """The active brokers of a district, by name: whom a task there may be dispatched to."""
    return (
        await User.select(User.id, User.display_name, User.town)
        .where((User.district == district) & (User.role == Role.BROKER) & (User.is_active == True))  # noqa: E712
        .order_by(User.display_name)
    )
