"""What the pages of every kind of import share: the states' labels, the progress text, reading an upload,
and each page's steps, which a kind's controller calls with its `ImportPages`.

The pages of every kind render the shared templates/imports/list.html and templates/imports/detail.html.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from accounts.guards import current_user
from core.config import settings
from core.errors import Invalid
from core.i18n import gettext
from core.pagination import PageRequest
from core.web import page, request_locale
from enterprises.imports import service
from enterprises.imports.failed_rows import failed_rows_workbook
from enterprises.imports.kinds import ENTERPRISES, RowKind
from enterprises.imports.reading import MAX_UPLOAD_BYTES
from enterprises.imports.rules import ImportState, OnMatch, Outcome, open_to
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


# What the import did with a row, once it is done (`service.RESULTS`), and the count of each at the top.
RESULT_LABELS: dict[str, str] = {
    "created": "Created by the import",
    "updated": "Updated by the import",
    "unchanged": "Already up to date",
    "left": "Skipped: matched and left as it was",
    "skipped": "Skipped: not data",
    "not_imported": "Not imported: has errors",
}
RESULT_COUNT_LABELS: dict[str, str] = {
    "created": "Created by the import",
    "updated": "Updated by the import",
    "unchanged": "Already up to date",
    "left": "Matched and left as they were",
    "with_warnings": "Imported with warnings",
    "skipped": "Skipped: not data",
    "not_imported": "Not imported: have errors",
}
WITH_WARNINGS = "with warnings"


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


# --- the pages' steps, shared by the controllers of every kind ---------------------------------------------------


@dataclass(frozen=True)
class ImportPages:
    """What sets one kind's import pages apart: where they live, the kind, its texts and its template."""

    base: str  # the pages' URL: "/enterprises/imports"
    kind: RowKind | None  # None: enterprises
    outcome_labels: Mapping[str, str]
    choose_on_match: str  # the error when the confirmation names neither update nor skip
    template_workbook: Callable[[], bytes]
    template_filename: str  # the template's name offered for download
    template_ascii_filename: str  # the same, for browsers that read no UTF-8 file name
    failed_rows: bool = False  # whether its pages offer the rows to fix as a download (`failed_rows_download`)

    @property
    def kind_name(self) -> str:
        return self.kind.name if self.kind else ENTERPRISES


@cache
def _workbook(build: Callable[[], bytes]) -> bytes:
    return build()


async def list_page(
    request: Request[Any, Any, Any],
    pages: ImportPages,
    page_number: int,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    """The upload form and the kind's batches."""
    found = await service.list_imports(current_user(request).actor, PageRequest(page=page_number), pages.kind_name)
    return page(
        request,
        "imports/list.html",
        status_code=status_code,
        page=found,
        errors=errors or {},
        state_labels=STATE_LABELS,
        max_rows=f"{settings.limits.import_max_rows:,}",
        base=pages.base,
        kind=pages.kind_name,
    )


async def upload(request: Request[Any, Any, Any], pages: ImportPages, data: dict[str, Any]) -> Template | Redirect:
    """Store the form's file and go to its batch; the list again, with the error, if it is refused."""
    try:
        filename, content = await read_upload(data.get("file"))
        batch_id = await service.upload_import(current_user(request).actor, filename, content, pages.kind)
    except Invalid as error:
        return await list_page(request, pages, 1, error.errors, status_code=400)
    return Redirect(f"{pages.base}/{batch_id}")


def template_download(pages: ImportPages) -> Response[bytes]:
    """The kind's XLSX template, built once."""
    disposition = attachment(pages.template_filename, pages.template_ascii_filename)
    return Response(_workbook(pages.template_workbook), media_type=XLSX, headers={"Content-Disposition": disposition})


async def detail_page(
    request: Request[Any, Any, Any], pages: ImportPages, batch_id: int, outcome: Outcome | None, page_number: int
) -> Template:
    """One batch: its progress, the confirmation and the row report."""
    user = current_user(request)
    status, rows = await service.import_rows(
        user.actor, batch_id, outcome, PageRequest(page=page_number), pages.kind_name
    )
    return page(
        request,
        "imports/detail.html",
        batch=status,
        rows=rows,
        outcome=outcome.value if outcome else "",
        is_uploader=status.uploaded_by == user.id,
        moves=open_to(status.facts, user.id),
        progress_text=progress_text(request_locale(request), status),
        state_labels=STATE_LABELS,
        outcome_labels=pages.outcome_labels,
        result_labels=RESULT_LABELS,
        result_count_labels=RESULT_COUNT_LABELS,
        with_warnings=WITH_WARNINGS,
        offers_failed_rows=pages.failed_rows,
        base=pages.base,
        kind=pages.kind_name,
    )


def attachment(filename: str, ascii_filename: str) -> str:
    """A Content-Disposition naming the file in UTF-8, and in ASCII for browsers that read no UTF-8 name."""
    return f"attachment; filename=\"{ascii_filename}\"; filename*=UTF-8''{quote(filename)}"


async def failed_rows_download(
    request: Request[Any, Any, Any], batch_id: int, kind: str = ENTERPRISES
) -> Response[bytes]:
    """The batch's failed and warned rows as an XLSX in the file's own layout, with what to fix in a last column."""
    filename, content = await failed_rows_workbook(current_user(request).actor, batch_id, request_locale(request), kind)
    return Response(
        content, media_type=XLSX, headers={"Content-Disposition": attachment(filename, f"rows-to-fix-{batch_id}.xlsx")}
    )


async def progress_report(request: Request[Any, Any, Any], pages: ImportPages, batch_id: int) -> dict[str, Any]:
    """What the page's progress bar polls (static/import.js)."""
    status = await service.get_import(current_user(request).actor, batch_id, pages.kind_name)
    return {
        "state": status.state.value,
        "percent": status.percent,
        "in_progress": status.in_progress,
        "text": progress_text(request_locale(request), status),
    }


async def confirm(request: Request[Any, Any, Any], pages: ImportPages, batch_id: int, data: dict[str, str]) -> Redirect:
    choice = data.get("on_match", OnMatch.SKIP)
    if choice not in {value.value for value in OnMatch}:
        raise Invalid({"on_match": pages.choose_on_match})
    await service.confirm_import(current_user(request).actor, batch_id, OnMatch(choice), pages.kind)
    return Redirect(f"{pages.base}/{batch_id}")


async def cancel(request: Request[Any, Any, Any], pages: ImportPages, batch_id: int) -> Redirect:
    await service.cancel_import(current_user(request).actor, batch_id, pages.kind_name)
    return Redirect(f"{pages.base}/{batch_id}")
