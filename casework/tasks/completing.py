"""Completing a broker task with the record its kind asks for: the broker's side of a task.

The record, the file (kept with the task's case), `done_at` and the case's events are written in
one transaction that starts with a conditional UPDATE on the task's id, version and open status:
a double submit, or the same task completed from two phones, completes it once and refuses the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accounts.policy import Actor
from casework.attachments.kinds import sniff
from casework.attachments.storage import store
from casework.tables import Attachment, CaseEvent, Task
from casework.tasks.confirming import given_confirmation
from casework.tasks.rules import MAX_RECORD, Completion, Record, TaskStatus, check_completion
from casework.tasks.service import facts_of, refusal, task_row
from core.config import settings
from core.db import write_transaction
from core.errors import Invalid
from core.text import normalise_lines

NOT_THIS_CASES_FILE = "Choose a file you attached to this task's case."


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class CompletionRequest:
    """What the broker gives: the version he read, his note, and a file (uploaded now, or attached before)."""

    version: int
    note: str = ""
    upload: Upload | None = None
    attachment_id: int | None = None  # through the API: a file he attached to the task's case already
    confirmation_id: int | None = None  # the founder's confirmation, at a visit
    code: str = ""  # the code the founder received, when his confirmation is by code and not yet given


async def _check_attachment(actor: Actor, task: dict[str, Any], attachment_id: int) -> None:
    found = await Attachment.exists().where(
        (Attachment.id == attachment_id) & (Attachment.case == task["case"]) & (Attachment.uploaded_by == actor.user_id)
    )
    if not found:
        raise Invalid({"attachment_id": NOT_THIS_CASES_FILE})


async def _case_events(
    actor: Actor, task: dict[str, Any], asks: Completion, note: str, attachment: int | None, confirmation: int | None
) -> None:
    data = {"task": task["id"], "task_kind": task["kind"], "attachment": attachment, "confirmation": confirmation}
    for kind in asks.case_events:
        # A visit's note goes with the "visit" event, where the timeline reads visits; not twice.
        text = note if kind == "visit" or "visit" not in asks.case_events else ""
        await CaseEvent.insert(CaseEvent(case=task["case"], actor=actor.user_id, kind=kind, note=text, data=data))


async def complete_task(actor: Actor, task_id: int, request: CompletionRequest) -> None:
    """Complete the broker's own open task with its record; `Conflict` if it is done, cancelled or changed."""
    task = await task_row(actor, task_id)
    note = normalise_lines(request.note)
    has_file = request.upload is not None or request.attachment_id is not None
    record = Record(note=note, has_file=has_file, has_confirmation=request.confirmation_id is not None)
    asks = check_completion(facts_of(task), actor, record)
    if request.upload is not None:
        sniff(request.upload.data, settings.limits.attachment_max_bytes)  # refuse a bad file before any write
    if request.attachment_id is not None:
        await _check_attachment(actor, task, request.attachment_id)
    if request.confirmation_id is not None:
        await given_confirmation(actor, task, request.confirmation_id, request.code)
    async with write_transaction():
        # Claim the task first: a refused completion must leave no file behind on disk.
        claimed = (
            await Task.update(
                {
                    Task.status: TaskStatus.DONE,
                    Task.record: note[:MAX_RECORD],
                    Task.done_at: datetime.now(UTC),
                    Task.confirmation: request.confirmation_id,
                    Task.version: Task.version + 1,
                }
            )
            .where((Task.id == task_id) & (Task.version == request.version) & (Task.status == TaskStatus.OPEN))
            .returning(Task.id)
        )
        if not claimed:
            raise await refusal(task_id)
        attachment = request.attachment_id
        if request.upload is not None:
            upload = request.upload
            attachment = await store(actor, task["case"], upload.filename, upload.data, asks.file_purpose, note[:2000])
        if attachment is not None:
            await Task.update({Task.attachment: attachment}).where(Task.id == task_id)
        if task["case"] is not None:
            await _case_events(actor, task, asks, note, attachment, request.confirmation_id)
