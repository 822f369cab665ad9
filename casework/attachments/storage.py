"""Keeping a case's files: on disk outside the web root under random names, a row and an event each.

`store` is the one way a file enters a case (attachments, evidence of a measure, a founder's drawn
signature); callers have already checked that the actor reaches the case.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from accounts.policy import Actor
from casework.attachments.kinds import sniff
from casework.tables import Attachment, CaseEvent
from core.config import settings
from core.text import normalise_lines


def attachment_dir() -> Path:
    path = settings.var_dir / "attachments"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def stored_path(stored_name: str) -> Path:
    return attachment_dir() / stored_name


def _clean_name(filename: str) -> str:
    # Only for display: the name on disk is random, so a path in the name does no harm, but it
    # should not show either.
    return filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:200]


async def store(
    actor: Actor, case_id: int, filename: str, data: bytes, purpose: str = "document", note: str = ""
) -> int:
    """Check and keep a file for a case, inside the caller's transaction; returns the attachment id."""
    content_type, extension = sniff(data, settings.limits.attachment_max_bytes)
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    path = stored_path(stored_name)
    path.write_bytes(data)
    path.chmod(0o600)
    rows = await Attachment.insert(
        Attachment(
            case=case_id,
            uploaded_by=actor.user_id,
            stored_name=stored_name,
            original_name=_clean_name(filename),
            content_type=content_type,
            size=len(data),
            purpose=purpose,
            note=normalise_lines(note)[:2000],
        )
    ).returning(Attachment.id)
    attachment_id: int = rows[0]["id"]
    await CaseEvent.insert(
        CaseEvent(
            case=case_id,
            actor=actor.user_id,
            kind="attachment",
            note=_clean_name(filename),
            data={"attachment": attachment_id, "purpose": purpose},
        )
    )
    return attachment_id
