"""The JSON API of spreadsheet imports (`/api/v1/imports`) and its schemas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, JSONBody, KwargDefinition, QueryParameter

from accounts.guards import current_user
from accounts.policy import Action
from core.api import API_V1, BEARER, Paginated, RowId, error_responses, paginated
from core.i18n import gettext
from core.pagination import PageRequest
from core.web import request_locale
from enterprises.imports import service
from enterprises.imports.presentation import MAX_REQUEST_BYTES, XLSX, failed_rows_download, read_upload
from enterprises.imports.rules import ImportState, OnMatch, Outcome
from enterprises.imports.service import ImportStatus, RowError, RowReport


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
    warning: int = 0  # imported with what was assumed
    skipped: int = 0  # not data (blank, totals, repeated header, note)


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
    warnings: list[ImportRowError]
    # Once imported, what was done: created, updated, unchanged, left (matched and left), skipped (not data),
    # not_imported (errors); null before.
    result: str | None


# Litestar names a page's schema after the module of its items. These keep the names the schema had
# when the schemas lived in `enterprises.import_controllers`, so that clients generated from it still fit.
BatchPage = Annotated[
    Paginated[ImportBatch],
    KwargDefinition(schema_component_key="Paginated_enterprises.import_controllers.ImportBatch_"),
]
RowPage = Annotated[
    Paginated[ImportRow],
    KwargDefinition(schema_component_key="Paginated_enterprises.import_controllers.ImportRow_"),
]


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


def _row_error(locale: str, e: RowError) -> ImportRowError:
    return ImportRowError(
        field=e.field,
        column=e.header,
        letter=e.letter,
        message_id=e.message,
        message=gettext(locale, e.message, **e.params),
    )


def row_out(locale: str, row: RowReport) -> ImportRow:
    return ImportRow(
        row_number=row.row_number,
        outcome=row.outcome,
        enterprise_id=row.enterprise_id,
        name=row.name,
        town=row.town,
        errors=[_row_error(locale, e) for e in row.errors],
        warnings=[_row_error(locale, w) for w in row.warnings],
        result=row.result,
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
        filename, content = await read_upload(data.file)
        batch_id = await service.upload_import(actor, filename, content)
        return batch_out(request_locale(request), await service.get_import(actor, batch_id))

    @get("/", responses=ERRORS)
    async def list_imports(
        self,
        request: Request[Any, Any, Any],
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> BatchPage:
        """Imports within the caller's reach, newest first: a broker's own, a district's, or all for the city."""
        found = await service.list_imports(
            current_user(request).actor, PageRequest(page=page_number, per_page=per_page)
        )
        locale = request_locale(request)
        return paginated(found, [batch_out(locale, status) for status in found.items])

    @get("/{batch_id:int}", responses=ERRORS)
    async def show(self, request: Request[Any, Any, Any], batch_id: RowId) -> ImportBatch:
        """One import: its state, progress (`percent`), and the dry run's counts once checked."""
        status = await service.get_import(current_user(request).actor, batch_id)
        return batch_out(request_locale(request), status)

    @get("/{batch_id:int}/rows", responses=ERRORS)
    async def rows(
        self,
        request: Request[Any, Any, Any],
        batch_id: RowId,
        outcome: Annotated[Outcome | None, QueryParameter()] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
    ) -> RowPage:
        """The dry run's verdict on each row, in the file's order: create, match, or its errors by column."""
        _, found = await service.import_rows(
            current_user(request).actor, batch_id, outcome, PageRequest(page=page_number, per_page=per_page)
        )
        locale = request_locale(request)
        return paginated(found, [row_out(locale, row) for row in found.items])

    @get(
        "/{batch_id:int}/failed-rows.xlsx",
        responses=error_responses(401, 403, 404),
        media_type=XLSX,
        response_description="The rows to fix, as an XLSX workbook",
    )
    async def failed_rows(self, request: Request[Any, Any, Any], batch_id: RowId) -> Response[bytes]:
        """The rows with errors or warnings, as an XLSX in the uploaded file's own layout (its headers, in their
        order, and each row's cells as written), with a last column saying what to fix (the message and the
        value given). Corrected, the file is uploaded again: what the first import created is matched, not
        created twice."""
        return await failed_rows_download(request, batch_id)

    @post("/{batch_id:int}/confirm", status_code=202, responses=ERRORS)
    async def confirm(
        self, request: Request[Any, Any, Any], batch_id: RowId, data: JSONBody[ImportConfirm]
    ) -> ImportBatch:
        """Confirm a checked import (uploader only): its valid rows are imported in the background, all or none.

        `on_match`: `update` overwrites the matching enterprises with the file's values, `skip` leaves them.
        """
        actor = current_user(request).actor
        await service.confirm_import(actor, batch_id, data.on_match)
        return batch_out(request_locale(request), await service.get_import(actor, batch_id))

    @post("/{batch_id:int}/cancel", status_code=200, responses=ERRORS)
    async def cancel(self, request: Request[Any, Any, Any], batch_id: RowId) -> ImportBatch:
        """Cancel an import before it is confirmed (uploader only); the file and its row report are deleted."""
        actor = current_user(request).actor
        await service.cancel_import(actor, batch_id)
        return batch_out(request_locale(request), await service.get_import(actor, batch_id))
