"""Spreadsheet imports of enterprises: the pages (upload, progress, row report, confirmation) and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from core.api import API_V1, BEARER, Paginated, RowId, error_responses, paginated
from core.errors import Invalid
from core.i18n import gettext
from core.pagination import PageRequest
from core.web import page, request_locale
from enterprises import import_service, importing
from enterprises.classification import ImportState
from enterprises.import_service import ImportStatus, OnMatch, Outcome, RowReport

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "返乡创业企业导入模板.xlsx"
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
OUTCOME_LABELS: dict[str, str] = {
    Outcome.CREATE: "Will be created",
    Outcome.MATCH: "Matches a registered enterprise",
    Outcome.ERROR: "Has errors",
}
FIELD_LABELS: dict[str, str] = {
    "name": "Enterprise name",
    "legal_form": "Legal form",
    "credit_code": "Unified social credit code",
    "credit_code_note": "Why this code is correct although it fails its check",
    "district": "District",
    "town": "Town or township",
    "village": "Village or community",
    "park": "Entrepreneurship park",
    "industry": "Industry",
    "main_products": "Main products",
    "founded_on": "Founded on",
    "employees": "Employees",
    "migrant_employees": "Returning migrants employed",
    "annual_revenue": "Annual revenue (yuan)",
    "stage": "Stage",
    "status": "Status",
    "founder_name": "Founder's name",
    "founder_gender": "Founder's gender",
    "founder_birth_year": "Founder's year of birth",
    "founder_phone": "Founder's phone",
    "founder_id_number": "Founder's ID number",
    "founder_worked_before": "Where the founder worked before returning",
    "founder_return_year": "Year of return",
}


@cache
def _template() -> bytes:
    return importing.template_workbook()


def _progress_text(locale: str, status: ImportStatus) -> str:
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


async def _read_upload(value: Any) -> tuple[str, bytes]:
    if not isinstance(value, UploadFile) or not value.filename:
        raise Invalid({"file": CHOOSE_FILE})
    # Read at most one byte past the limit: enough to know the file is too large.
    content = await value.read(importing.MAX_UPLOAD_BYTES + 1)
    return value.filename, content


# --- pages ------------------------------------------------------------------------------------------------------


class ImportController(Controller):
    path = "/enterprises/imports"
    include_in_schema = False  # pages, not part of the API
    opt = {"action": Action.IMPORT_ENTERPRISES}

    async def _list(
        self, request: Request[Any, Any, Any], page_number: int, errors: dict[str, str], status_code: int = 200
    ) -> Template:
        found = await import_service.list_imports(current_user(request).actor, PageRequest(page=page_number))
        return page(
            request,
            "enterprises/import_list.html",
            status_code=status_code,
            page=found,
            errors=errors,
            state_labels=STATE_LABELS,
            max_rows=importing.MAX_ROWS,
        )

    @get("/")
    async def list_imports(
        self, request: Request[Any, Any, Any], page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1
    ) -> Template:
        return await self._list(request, page_number, {})

    @post("/", request_max_body_size=MAX_REQUEST_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        try:
            filename, content = await _read_upload(data.get("file"))
            batch_id = await import_service.upload_import(current_user(request).actor, filename, content)
        except Invalid as error:
            return await self._list(request, 1, error.errors, status_code=400)
        return Redirect(f"/enterprises/imports/{batch_id}")

    @get("/template.xlsx")
    async def template(self) -> Response[bytes]:
        disposition = (
            f"attachment; filename=\"fuchi-import-template.xlsx\"; filename*=UTF-8''{quote(TEMPLATE_FILENAME)}"
        )
        return Response(_template(), media_type=XLSX, headers={"Content-Disposition": disposition})

    @get("/{batch_id:int}")
    async def show(
        self,
        request: Request[Any, Any, Any],
        batch_id: RowId,
        outcome: Annotated[Outcome | None, QueryParameter()] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        user = current_user(request)
        status, rows = await import_service.import_rows(user.actor, batch_id, outcome, PageRequest(page=page_number))
        return page(
            request,
            "enterprises/import_detail.html",
            batch=status,
            rows=rows,
            outcome=outcome.value if outcome else "",
            is_uploader=status.uploaded_by == user.id,
            progress_text=_progress_text(request_locale(request), status),
            state_labels=STATE_LABELS,
            outcome_labels=OUTCOME_LABELS,
            field_labels=FIELD_LABELS,
        )

    @get("/{batch_id:int}/progress")
    async def progress(self, request: Request[Any, Any, Any], batch_id: RowId) -> dict[str, Any]:
        """What the page's progress bar polls (static/import.js)."""
        status = await import_service.get_import(current_user(request).actor, batch_id)
        return {
            "state": status.state.value,
            "percent": status.percent,
            "in_progress": status.in_progress,
            "text": _progress_text(request_locale(request), status),
        }

    @post("/{batch_id:int}/confirm")
    async def confirm(
        self, request: Request[Any, Any, Any], batch_id: RowId, data: URLEncodedBody[dict[str, str]]
    ) -> Redirect:
        choice = data.get("on_match", OnMatch.SKIP)
        if choice not in OnMatch.__members__.values():
            raise Invalid({"on_match": "Choose whether to update or skip the matching enterprises."})
        await import_service.confirm_import(current_user(request).actor, batch_id, OnMatch(choice))
        return Redirect(f"/enterprises/imports/{batch_id}")

    @post("/{batch_id:int}/cancel")
    async def cancel(self, request: Request[Any, Any, Any], batch_id: RowId) -> Redirect:
        await import_service.cancel_import(current_user(request).actor, batch_id)
        return Redirect(f"/enterprises/imports/{batch_id}")


# --- JSON API ---------------------------------------------------------------------------------------------------


@dataclass
class ImportUpload:
    file: UploadFile


@dataclass
class ImportConfirm:
    on_match: OnMatch


@dataclass
class ImportMessage:
    message_id: str
    message: str


@dataclass
class ImportCounts:
    create: int
    match: int
    error: int


@dataclass
class ImportApplied:
    created: int
    updated: int
    unchanged: int
    skipped: int


@dataclass
class ImportColumn:
    field: str
    header: str
    letter: str


@dataclass
class ImportBatch:
    id: int
    filename: str
    state: ImportState
    on_match: OnMatch
    uploaded_by: int
    district: str
    total_rows: int
    processed_rows: int
    percent: int
    counts: ImportCounts
    applied: ImportApplied | None
    error: ImportMessage | None
    warnings: list[ImportMessage]
    columns: list[ImportColumn]
    created_at: datetime
    finished_at: datetime | None


@dataclass
class ImportRowError:
    field: str
    column: str
    letter: str
    message_id: str
    message: str


@dataclass
class ImportRow:
    row_number: int
    outcome: Outcome
    enterprise_id: int | None
    name: str
    town: str
    errors: list[ImportRowError]


def _message(locale: str, message: str, params: dict[str, Any]) -> ImportMessage:
    return ImportMessage(message_id=message, message=gettext(locale, message, **params))


def batch_out(locale: str, status: ImportStatus) -> ImportBatch:
    applied = status.applied
    return ImportBatch(
        id=status.id,
        filename=status.filename,
        state=status.state,
        on_match=status.on_match,
        uploaded_by=status.uploaded_by,
        district=status.district,
        total_rows=status.total_rows,
        processed_rows=status.processed_rows,
        percent=status.percent,
        counts=ImportCounts(**status.counts),
        applied=ImportApplied(**applied) if applied else None,
        error=_message(locale, status.error, status.error_params) if status.error else None,
        warnings=[_message(locale, message, params) for message, params in status.warnings],
        columns=[ImportColumn(field=name, **column) for name, column in status.columns.items()],
        created_at=status.created_at,
        finished_at=status.finished_at,
    )


def row_out(locale: str, row: RowReport) -> ImportRow:
    return ImportRow(
        row_number=row.row_number,
        outcome=row.outcome,
        enterprise_id=row.enterprise_id,
        name=row.name,
        town=row.town,
        errors=[
            ImportRowError(
                field=e.field,
                column=e.header,
                letter=e.letter,
                message_id=e.message,
                message=gettext(locale, e.message, **e.params),
            )
            for e in row.errors
        ],
    )


ERRORS = error_responses(401, 403, 404, 409, 422)


class ImportApi(Controller):
    path = f"{API_V1}/imports"
    tags = ["imports"]
    security = BEARER
    opt = {"action": Action.IMPORT_ENTERPRISES}

    @post("/", status_code=201, responses=ERRORS, request_max_body_size=MAX_REQUEST_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[ImportUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> ImportBatch:
        """Upload a spreadsheet (XLSX, or CSV in UTF-8 or GBK) of enterprises; its dry run starts at once.

        Poll `GET /api/v1/imports/{batch_id}` until `state` is `checked` (or `failed`), read the row report
        at `/rows`, then confirm. The template's columns: `GET /enterprises/imports/template.xlsx`.
        """
        actor = current_user(request).actor
        filename, content = await _read_upload(data.file)
        batch_id = await import_service.upload_import(actor, filename, content)
        return batch_out(request_locale(request), await import_service.get_import(actor, batch_id))

    @get("/", responses=ERRORS)
    async def list_imports(
        self,
        request: Request[Any, Any, Any],
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[ImportBatch]:
        """Imports within the caller's reach, newest first: a broker's own, a district's, or all for the city."""
        found = await import_service.list_imports(
            current_user(request).actor, PageRequest(page=page_number, per_page=per_page)
        )
        locale = request_locale(request)
        return paginated(found, [batch_out(locale, status) for status in found.items])

    @get("/{batch_id:int}", responses=ERRORS)
    async def show(self, request: Request[Any, Any, Any], batch_id: RowId) -> ImportBatch:
        """One import: its state, progress (`percent`), and the dry run's counts once checked."""
        status = await import_service.get_import(current_user(request).actor, batch_id)
        return batch_out(request_locale(request), status)

    @get("/{batch_id:int}/rows", responses=ERRORS)
    async def rows(
        self,
        request: Request[Any, Any, Any],
        batch_id: RowId,
        outcome: Annotated[Outcome | None, QueryParameter()] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> Paginated[ImportRow]:
        """The dry run's verdict on each row, in the file's order: create, match, or its errors by column."""
        _, found = await import_service.import_rows(
            current_user(request).actor, batch_id, outcome, PageRequest(page=page_number, per_page=per_page)
        )
        locale = request_locale(request)
        return paginated(found, [row_out(locale, row) for row in found.items])

    @post("/{batch_id:int}/confirm", status_code=202, responses=ERRORS)
    async def confirm(
        self, request: Request[Any, Any, Any], batch_id: RowId, data: JSONBody[ImportConfirm]
    ) -> ImportBatch:
        """Confirm a checked import (uploader only): its valid rows are imported in the background, all or none.

        `on_match`: `update` overwrites the matching enterprises with the file's values, `skip` leaves them.
        """
        actor = current_user(request).actor
        await import_service.confirm_import(actor, batch_id, data.on_match)
        return batch_out(request_locale(request), await import_service.get_import(actor, batch_id))

    @post("/{batch_id:int}/cancel", status_code=200, responses=ERRORS)
    async def cancel(self, request: Request[Any, Any, Any], batch_id: RowId) -> ImportBatch:
        """Cancel an import before it is confirmed (uploader only); the file and its row report are deleted."""
        actor = current_user(request).actor
        await import_service.cancel_import(actor, batch_id)
        return batch_out(request_locale(request), await import_service.get_import(actor, batch_id))
