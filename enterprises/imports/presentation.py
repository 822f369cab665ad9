"""What the pages of every kind of import share: the states' labels, the progress text, reading an upload."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import UploadFile

from core.errors import Invalid
from core.i18n import gettext
from enterprises.imports.reading import MAX_UPLOAD_BYTES
from enterprises.imports.rules import ImportState
from enterprises.imports.service import ImportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The service refuses a file over 10 MB with a clear message; a request somewhat larger still reaches it,
# so that only a far larger one meets Litestar's bare 413.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
CHOOSE_FILE = "Choose an XLSX or CSV file to upload."

STATE_LABELS: dict[str, str] = {
    ImportState.UPLOADED: "Waiting to be checked",
    ImportState.CHECKING: "Checking the rows",
    ImportState.CHECKED: "Checked: waiting for confirmation",
    ImportState.APPLYING: "Importing",
    ImportState.APPLIED: "Imported",
    ImportState.FAILED: "Failed",
    ImportState.CANCELLED: "Cancelled",
}


def progress_text(locale: str, status: ImportStatus) -> str:
    if status.state is ImportState.CHECKING and status.total_rows:
        return gettext(
            locale,
            "Checked {done} of {total} rows ({percent}%).",
            done=status.processed_rows,
            total=status.total_rows,
            percent=status.percent,
        )
    if status.state is ImportState.APPLYING:
        return gettext(locale, "Importing: {percent}% done.", percent=status.percent)
    return gettext(locale, STATE_LABELS[status.state])


async def read_upload(value: Any) -> tuple[str, bytes]:
    """The uploaded file's name and content (the page's form and the API both upload this way)."""
    if not isinstance(value, UploadFile) or not value.filename:
        raise Invalid({"file": CHOOSE_FILE})
    # Read at most one byte past the limit: enough to know the file is too large.
    content = await value.read(MAX_UPLOAD_BYTES + 1)
    return value.filename, content
