"""Dispatching broker tasks and cancelling them: the officer's side of a task.

A task is about a case (and so its enterprise) or about an enterprise alone; the actor must reach
that case or enterprise, which keeps a district officer to his district. The broker is told in his
inbox by a job promised in the same transaction and queued after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from accounts.policy import Actor, Role
from accounts.tables import User
from casework.followups.scheduling import schedule_near
from casework.followups.service import task_dispatched, task_finished
from casework.services import get_case
from casework.states import CaseState
from casework.tables import CaseEvent, Task
from casework.tasks.rules import (
    CASE_ENDED,
    DispatchDraft,
    TaskStatus,
    case_takes_tasks,
    check_cancel,
    check_dispatch,
)
from casework.tasks.service import district_brokers, facts_of, refusal, task_row, today
from core.db import write_transaction
from core.errors import Conflict, Invalid
from core.jobs import dispatch, promise_job
from core.text import normalise_lines
from enterprises.services import MERGED, get_enterprise

NO_TARGET = "Name the case or the enterprise the task is about."
OTHER_ENTERPRISE = "This case is about another enterprise."


@dataclass(frozen=True)
class DispatchRequest:
    """What an officer asks for, as the page's form or the API's body gives it."""

    kind: str
    due_on: date | None
    instructions: str
    broker_id: int | None
    case_id: int | None = None
    enterprise_id: int | None = None


@dataclass(frozen=True)
class Target:
    """What a task is about, read within the actor's reach."""

    enterprise_id: int
    enterprise_name: str
    district: str
    case_id: int | None
    case_state: CaseState | None
    default_broker: int | None  # the case's filing broker, or the enterprise's registering one


async def find_target(actor: Actor, case_id: int | None, enterprise_id: int | None) -> Target:
    """The case or enterprise a task is to be about; `NotFound` out of the actor's reach."""
    if case_id is not None:
        case = await get_case(actor, case_id)
        if enterprise_id is not None and enterprise_id != case["enterprise_id"]:
            raise Invalid({"enterprise_id": OTHER_ENTERPRISE})
        return Target(
            enterprise_id=case["enterprise_id"],
            enterprise_name=case["enterprise_name"],
            district=case["district"],
            case_id=case_id,
            case_state=CaseState(case["state"]),
            default_broker=case["filed_by"],
        )
    if enterprise_id is None:
        raise Invalid({"enterprise_id": NO_TARGET})
    enterprise = await get_enterprise(actor, enterprise_id)
    if enterprise["merged_into"] is not None:
        raise Conflict(MERGED)
    return Target(
        enterprise_id=enterprise_id,
        enterprise_name=enterprise["name"],
        district=enterprise["district"],
        case_id=None,
        case_state=None,
        default_broker=enterprise["registered_by"],
    )


async def dispatch_form(actor: Actor, case_id: int | None, enterprise_id: int | None) -> dict[str, Any]:
    """What the dispatch form shows: its target, the district's brokers, and the broker chosen by default;
    for a case that has ended, why it takes no task (`ended`, a message id) instead of a form."""
    target = await find_target(actor, case_id, enterprise_id)
    if not case_takes_tasks(target.case_state):
        return {"target": target, "brokers": [], "default_broker": None, "ended": CASE_ENDED}
    brokers = await district_brokers(target.district)
    default = target.default_broker if any(b["id"] == target.default_broker for b in brokers) else None
    return {"target": target, "brokers": brokers, "default_broker": default, "ended": ""}


async def _broker_district(broker_id: int | None) -> str | None:
    """The district of an active broker; None when there is no such broker."""
    if broker_id is None:
        return None
    row = (
        await User.select(User.district)
        .where((User.id == broker_id) & (User.role == Role.BROKER) & (User.is_active == True))  # noqa: E712
        .first()
    )
    return None if row is None else str(row["district"])


async def dispatch_task(actor: Actor, request: DispatchRequest) -> int:
    """Dispatch a task to a broker of the target's district; returns the task id."""
    target = await find_target(actor, request.case_id, request.enterprise_id)
    instructions = normalise_lines(request.instructions)
    draft = DispatchDraft(
        kind=request.kind,
        due_on=request.due_on,
        instructions=instructions,
        district=target.district,
        has_case=target.case_id is not None,
        case_state=target.case_state,
        broker_given=request.broker_id is not None,
        broker_district=await _broker_district(request.broker_id),
    )
    kind = check_dispatch(draft, actor, today())
    assert request.due_on is not None and request.broker_id is not None  # check_dispatch refused them missing
    async with write_transaction():
        rows = await Task.insert(
            Task(
                district=target.district,
                case=target.case_id,
                enterprise=target.enterprise_id,
                broker=request.broker_id,
                kind=kind,
                instructions=instructions,
                due_on=request.due_on,
                created_by=actor.user_id,
            )
        ).returning(Task.id)
        task_id: int = rows[0]["id"]
        if target.case_id is not None:
            await CaseEvent.insert(
                CaseEvent(
                    case=target.case_id,
                    actor=actor.user_id,
                    kind="task_dispatched",
                    note=instructions,
                    data={
                        "task": task_id,
                        "task_kind": kind.value,
                        "due_on": request.due_on.isoformat(),
                        "broker": request.broker_id,
                    },
                )
            )
        job_id = f"task-dispatched-{task_id}"
        await promise_job("casework.tasks.jobs.notify_task_dispatched", [task_id], job_id, timeout_seconds=30)
        follow_ups = await task_dispatched(task_id, target.case_id, target.district, request.broker_id, request.due_on)
    await dispatch([job_id])
    await schedule_near(follow_ups)
    return task_id


async def cancel_task(actor: Actor, task_id: int, expected_version: int, reason: str) -> None:
    """Cancel an open task of the officer's district, with a reason the broker is told."""
    task = await task_row(actor, task_id)
    reason = normalise_lines(reason)[:2000]
    check_cancel(facts_of(task), actor, reason)
    async with write_transaction():
        # The reason is the task's closing record, as a completed task's record is the broker's.
        updated = (
            await Task.update(
                {
                    Task.status: TaskStatus.CANCELLED,
                    Task.record: reason,
                    Task.done_at: datetime.now(UTC),
                    Task.version: Task.version + 1,
                }
            )
            .where((Task.id == task_id) & (Task.version == expected_version) & (Task.status == TaskStatus.OPEN))
            .returning(Task.id)
        )
        if not updated:
            raise await refusal(task_id)
        if task["case"] is not None:
            await CaseEvent.insert(
                CaseEvent(
                    case=task["case"],
                    actor=actor.user_id,
                    kind="task_cancelled",
                    note=reason,
                    data={"task": task_id, "task_kind": task["kind"]},
                )
            )
        job_id = f"task-cancelled-{task_id}"
        await promise_job("casework.tasks.jobs.notify_task_cancelled", [task_id], job_id, timeout_seconds=30)
        follow_ups = await task_finished(task_id)  # its due date and the visit or survey it answered are over
    await dispatch([job_id])
    await schedule_near(follow_ups)
