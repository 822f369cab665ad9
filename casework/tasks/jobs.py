"""Background jobs of broker tasks (run by `rq worker`; synchronous): telling the broker in his inbox.

Each takes a task id only (no names, no phones in a job's payload) and writes at most one message
per task and event, however often it runs: the notification's dedupe key is unique.
"""

from __future__ import annotations

from piccolo.utils.sync import run_sync

from accounts.inbox import post_messages
from accounts.tables import Notification
from casework.tables import Task
from casework.tasks.rules import TaskKind, TaskStatus
from core.db import write_transaction
from core.jobs import dispatch

# The inbox translates a subject by itself (it fills in no label), so each kind has its own; each names the
# kind as `TaskKind.label` and the timeline do (tests/casework/tasks/test_labels.py).
DISPATCHED_SUBJECTS = {
    TaskKind.VISIT: "New task: visit an enterprise",
    TaskKind.SURVEY: "New task: survey an enterprise",
    TaskKind.COLLECT_DOCUMENT: "New task: collect a document",
}
DISPATCHED_BODY = "Open the task to see what to do and by when."
CANCELLED_SUBJECT = "A task of yours was cancelled"
CANCELLED_BODY = "Open the task to see why."


def _task(task_id: int) -> dict[str, object] | None:
    return Task.select(Task.id, Task.broker, Task.kind, Task.status).where(Task.id == task_id).first().run_sync()


def _notify(broker: object, kind: str, subject: str, body: str, task_id: int) -> None:
    message = Notification(
        user=broker, kind=kind, subject=subject, body=body, link=f"/tasks/{task_id}", dedupe_key=f"{kind}:{task_id}"
    )
    run_sync(_post(message))


async def _post(message: Notification) -> None:
    async with write_transaction():
        _ids, mail_jobs = await post_messages([message])
    await dispatch(mail_jobs)


def notify_task_dispatched(task_id: int) -> None:
    """Tell the broker of a new task; a task cancelled before the job ran is not announced."""
    task = _task(task_id)
    if task is None or task["status"] != TaskStatus.OPEN:
        return
    subject = DISPATCHED_SUBJECTS[TaskKind(str(task["kind"]))]
    _notify(task["broker"], "task_dispatched", subject, DISPATCHED_BODY, task_id)


def notify_task_cancelled(task_id: int) -> None:
    """Tell the broker that a task he was given is cancelled."""
    task = _task(task_id)
    if task is None or task["status"] != TaskStatus.CANCELLED:
        return
    _notify(task["broker"], "task_cancelled", CANCELLED_SUBJECT, CANCELLED_BODY, task_id)
