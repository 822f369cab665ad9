"""Completing a broker task with the record its kind asks for: the broker's side of a task.

The record, the file (kept with the task's case), `done_at` and the case's events are written in
one transaction that starts with a conditional UPDATE on the task's id, version and open status:
a double submit, or the same task completed from two phones, completes it once and refuses the rest.

A survey's answers become an `OutcomeSnapshot` of its enterprise in that same transaction. Which
survey it was (3, 6 or 12 months) is read from the follow-up that opened the task
(`FollowUp.follows` is the task, its `data` the months), so nothing on the task itself has to carry
it; a survey an officer dispatched by hand has no such follow-up and is recorded as his.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accounts.policy import Actor
from casework.attachments.kinds import sniff
from casework.attachments.storage import store
from casework.followups.rules import FollowUpKind
from casework.followups.scheduling import schedule_near
from casework.followups.service import task_finished
from casework.tables import Attachment, CaseEvent, FollowUp, Task
from casework.tasks.confirming import given_confirmation
from casework.tasks.rules import COMPLETION, MAX_RECORD, Ask, Completion, Record, TaskKind, TaskStatus, check_completion
from casework.tasks.service import facts_of, refusal, task_row, today
from core.config import settings
from core.db import write_transaction
from core.errors import Invalid
from core.text import normalise_lines
from enterprises.classification import SnapshotSource
from enterprises.outcomes import SurveyAnswers, parse_answers, survey_source
from enterprises.snapshots import record_snapshot

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
    answers: Mapping[str, str] | None = None  # a survey's answers, as the form's fields (`enterprises.outcomes`)


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


def _checked(
    actor: Actor, task: dict[str, Any], record: Record, answers: Mapping[str, str] | None
) -> tuple[Completion, SurveyAnswers | None]:
    """What completing records, and the survey's answers; `Invalid` naming every wrong field, answers included."""
    answer_errors: dict[str, str] = {}
    parsed = None
    if COMPLETION[TaskKind(task["kind"])].answers is not Ask.NO:
        try:
            parsed = parse_answers(answers or {})
        except Invalid as error:
            answer_errors = error.errors
    try:
        asks = check_completion(facts_of(task), actor, record)
    except Invalid as error:
        raise Invalid({**error.errors, **answer_errors}) from None
    if answer_errors:
        raise Invalid(answer_errors)
    return asks, parsed


async def survey_source_of(task_id: int, case_id: int | None) -> SnapshotSource:
    """Which survey a survey task is: the months of the follow-up that opened it, else one an officer asked for."""
    if case_id is None:
        return survey_source(None)  # the engine opens surveys for cases only
    rows = (
        await FollowUp.select(FollowUp.data)
        .where((FollowUp.follows == task_id) & (FollowUp.kind == FollowUpKind.OUTCOME_SURVEY))
        .output(load_json=True)
    )
    months = next((row["data"].get("months") for row in rows if isinstance(row["data"], dict)), None)
    return survey_source(months if isinstance(months, int) else None)


async def complete_task(actor: Actor, task_id: int, request: CompletionRequest) -> None:
    """Complete the broker's own open task with its record; `Conflict` if it is done, cancelled or changed."""
    task = await task_row(actor, task_id)
    note = normalise_lines(request.note)
    has_file = request.upload is not None or request.attachment_id is not None
    record = Record(note=note, has_file=has_file, has_confirmation=request.confirmation_id is not None)
    asks, answers = _checked(actor, task, record, request.answers)
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
        if answers is not None:
            await record_snapshot(
                task["enterprise_id"],
                answers,
                await survey_source_of(task_id, task["case"]),
                recorded_by=actor.user_id,
                measured_on=today(),
                note=note[:MAX_RECORD],
                case_id=task["case"],
                task_id=task_id,
            )
        follow_ups = await task_finished(task_id)  # its due date and the visit or survey it answered are done
    await schedule_near(follow_ups)
