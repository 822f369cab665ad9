"""Keeping a case's files: on disk outside the web root under random names, a row and an event each.

`store` is the one way a file enters a case (attachments, evidence of a measure, a founder's drawn
signature); callers have already checked that the actor reaches the case.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from accounts.policy import Actor
from casework.attachments.kinds import sniff
from casework.notes.rules import MAX_NOTE_CHARS
from casework.tables import Attachment, CaseEvent
from core.config import settings
from core.text import normalise_lines


def attachment_dir() -> Path:
    path = settings.var_dir / "attachments"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def stored_path(stored_name: str) -> Path:
    # The name comes from our own row, never from a request; keep it to the folder all the same.
    return attachment_dir() / Path(stored_name).name


def clean_name(filename: str) -> str:
    """The name the user's file had, for display: without folders or invisible characters."""
    # The name on disk is random, so a path in the name does no harm, but it should not show either.
    base = filename.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable()).strip()[:200]


def _write_private(path: Path, data: bytes) -> None:
    # Created readable by the server's user only from the first byte (no chmod after the fact).
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


async def store(
    actor: Actor, case_id: int, filename: str, data: bytes, purpose: str = "document", note: str = ""
) -> int:
    """Check and keep a file for a case, inside the caller's transaction; returns the attachment id.

    The file is written before the row: should the transaction then fail, an unused file is left
    behind, never a row without its file.
    """
    content_type, extension = sniff(data, settings.limits.attachment_max_bytes)
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    path = stored_path(stored_name)
    _write_private(path, data)
    name = clean_name(filename)
    note = normalise_lines(note)[:MAX_NOTE_CHARS]
    try:
        rows = await Attachment.insert(
            Attachment(
                case=case_id,
                uploaded_by=actor.user_id,
                stored_name=stored_name,
                original_name=name,
                content_type=content_type,
                size=len(data),
                purpose=purpose,
                note=note,
            )
        ).returning(Attachment.id)
        attachment_id: int = rows[0]["id"]
        await CaseEvent.insert(
            CaseEvent(
                case=case_id,
                actor=actor.user_id,
                kind="attachment",
                note=note,
                data={"attachment": attachment_id, "purpose": purpose, "name": name, "content_type": content_type},
            )
        )
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return attachment_id
