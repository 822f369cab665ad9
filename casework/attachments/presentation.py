"""How a case's files appear in templates: the purposes a user may choose, the size limit, labels."""

from __future__ import annotations

from typing import Any

from casework.attachments.kinds import UPLOAD_PURPOSES, Purpose, megabytes
from core.config import settings


def _purpose_label(value: str) -> str:
    return Purpose(value).label if value in Purpose.__members__.values() else value


TEMPLATE_GLOBALS: dict[str, Any] = {
    "attachment_purposes": [(p.value, p.label) for p in UPLOAD_PURPOSES],
    "attachment_purpose_label": _purpose_label,
    "attachment_max_bytes": settings.limits.attachment_max_bytes,
    "attachment_max_mb": megabytes(settings.limits.attachment_max_bytes),
    "file_size": lambda size: f"{max(1, round(size / 1024))} KB" if size < 1024 * 1024 else f"{megabytes(size)} MB",
}
