"""Attachment services: listing a case's files, and (to come) adding and serving them."""

from __future__ import annotations

from typing import Any

from casework.tables import Attachment


async def case_attachments(case_id: int) -> list[dict[str, Any]]:
    """A case's files, newest first, for a case the caller has checked the actor reaches."""
    return (
        await Attachment.select(
            Attachment.id,
            Attachment.original_name,
            Attachment.content_type,
            Attachment.size,
            Attachment.purpose,
            Attachment.created_at,
            Attachment.uploaded_by.display_name.as_alias("uploaded_by_name"),
        )
        .where(Attachment.case == case_id)
        .order_by(Attachment.id, ascending=False)
    )
