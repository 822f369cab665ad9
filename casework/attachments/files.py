"""Adding a file to a case and handing it back, only to users who reach the case."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.policy import Action, Actor, may
from casework.attachments.kinds import CHOOSE_FILE, FileTooLarge, sniff, upload_purpose
from casework.attachments.service import case_attachments
from casework.attachments.storage import store, stored_path
from casework.notes.rules import clean_note
from casework.services import reach_case
from casework.tables import Attachment
from core.config import settings
from core.db import write_transaction
from core.errors import Invalid, NotAllowed, NotFound

log = logging.getLogger("fuchi.attachments")


@dataclass(frozen=True)
class AttachmentFile:
    id: int
    content_type: str
    original_name: str
    content: bytes


async def add_attachment(
    actor: Actor, case_id: int, filename: str | None, data: bytes, purpose: str = "", note: str = ""
) -> int:
    """Attach a file (JPEG, PNG or PDF, by its content) to a case the actor works on; returns its id."""
    if not may(actor, Action.WORK_ON_CASE):
        raise NotAllowed()
    await reach_case(actor, case_id)
    # Every mistake at once, so that the form comes back with each marked.
    refusals: list[Invalid] = []
    if filename is None:
        refusals.append(Invalid({"file": CHOOSE_FILE}))
    else:
        refusals += _refusal(lambda: sniff(data, settings.limits.attachment_max_bytes))
    refusals += _refusal(lambda: upload_purpose(purpose))
    refusals += _refusal(lambda: clean_note(note, required=False, field="note"))
    if refusals:
        # A file too large says so with the limit; the other refusals add their fields to it.
        first = next((r for r in refusals if isinstance(r, FileTooLarge)), refusals[0])
        for refusal in refusals:
            first.errors |= refusal.errors
        raise first
    async with write_transaction():
        return await store(actor, case_id, filename or "", data, purpose=upload_purpose(purpose), note=note)


def _refusal(check: Callable[[], object]) -> list[Invalid]:
    try:
        check()
    except Invalid as error:
        return [error]
    return []


async def list_attachments(actor: Actor, case_id: int) -> list[dict[str, Any]]:
    """The files of a case the actor reaches, newest first."""
    await reach_case(actor, case_id)
    return await case_attachments(case_id)


async def attachment_file(actor: Actor, case_id: int, attachment_id: int) -> AttachmentFile:
    """One file of a case the actor reaches; NotFound for another case's file or a case out of reach."""
    await reach_case(actor, case_id)
    row = (
        await Attachment.select(
            Attachment.id, Attachment.stored_name, Attachment.content_type, Attachment.original_name
        )
        .where((Attachment.id == attachment_id) & (Attachment.case == case_id))
        .first()
    )
    if row is None:
        raise NotFound()
    try:
        content = await asyncio.to_thread(stored_path(row["stored_name"]).read_bytes)
    except FileNotFoundError:
        log.error("attachment %s of case %s is missing on disk", attachment_id, case_id)
        raise NotFound() from None
    return AttachmentFile(
        id=row["id"], content_type=row["content_type"], original_name=row["original_name"], content=content
    )
