"""Reading a case's files, for a caller that has checked the actor reaches the case.

`casework.services` reads the case page's files from here; the services that check reach
themselves (through `casework.services.get_case`) are in `files.py`, so that neither imports the other.
"""

from __future__ import annotations

from typing import Any

from casework.tables import Attachment

_COLUMNS = (
    Attachment.id,
    Attachment.original_name,
    Attachment.content_type,
    Attachment.size,
    Attachment.purpose,
    Attachment.note,
    Attachment.created_at,
    Attachment.uploaded_by.display_name.as_alias("uploaded_by_name"),
)


async def case_attachments(case_id: int) -> list[dict[str, Any]]:
    """A case's files, newest first, for a case the caller has checked the actor reaches."""
    return await Attachment.select(*_COLUMNS).where(Attachment.case == case_id).order_by(Attachment.id, ascending=False)


async def case_attachment(case_id: int, attachment_id: int) -> dict[str, Any] | None:
    """One file of a case, as the list shows it, for a case the caller has checked the actor reaches."""
    return (
        await Attachment.select(*_COLUMNS)
        .where((Attachment.case == case_id) & (Attachment.id == attachment_id))
        .first()
    )
