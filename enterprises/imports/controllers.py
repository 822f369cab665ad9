"""Spreadsheet imports' pages: upload, the template, a batch's progress and row report, confirmation."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from core.api import RowId
from core.config import settings
from core.errors import Invalid
from core.pagination import PageRequest
from core.web import page, request_locale
from enterprises.imports import service
from enterprises.imports.presentation import MAX_REQUEST_BYTES, STATE_LABELS, XLSX, progress_text, read_upload
from enterprises.imports.rules import OnMatch, Outcome, open_to
from enterprises.imports.template import template_workbook

TEMPLATE_FILENAME = "返乡创业企业导入模板.xlsx"
OUTCOME_LABELS: dict[str, str] = {
    Outcome.CREATE: "Will be created",
    Outcome.MATCH: "Matches a registered enterprise",
    Outcome.ERROR: "Has errors",
}


@cache
def _template() -> bytes:
    return template_workbook()


class ImportController(Controller):
    path = "/enterprises/imports"
    include_in_schema = False  # pages, not part of the API
    opt = {"action": Action.IMPORT_ENTERPRISES}

    async def _list(
        self, request: Request[Any, Any, Any], page_number: int, errors: dict[str, str], status_code: int = 200
    ) -> Template:
        found = await service.list_imports(current_user(request).actor, PageRequest(page=page_number))
        return page(
            request,
            "enterprises/import_list.html",
            status_code=status_code,
            page=found,
            errors=errors,
            state_labels=STATE_LABELS,
            max_rows=f"{settings.limits.import_max_rows:,}",
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
            filename, content = await read_upload(data.get("file"))
            batch_id = await service.upload_import(current_user(request).actor, filename, content)
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
        status, rows = await service.import_rows(user.actor, batch_id, outcome, PageRequest(page=page_number))
        return page(
            request,
            "enterprises/import_detail.html",
            batch=status,
            rows=rows,
            outcome=outcome.value if outcome else "",
            is_uploader=status.uploaded_by == user.id,
            moves=open_to(status.facts, user.id),
            progress_text=progress_text(request_locale(request), status),
            state_labels=STATE_LABELS,
            outcome_labels=OUTCOME_LABELS,
        )

    @get("/{batch_id:int}/progress")
    async def progress(self, request: Request[Any, Any, Any], batch_id: RowId) -> dict[str, Any]:
        """What the page's progress bar polls (static/import.js)."""
        status = await service.get_import(current_user(request).actor, batch_id)
        return {
            "state": status.state.value,
            "percent": status.percent,
            "in_progress": status.in_progress,
            "text": progress_text(request_locale(request), status),
        }

    @post("/{batch_id:int}/confirm")
    async def confirm(
        self, request: Request[Any, Any, Any], batch_id: RowId, data: URLEncodedBody[dict[str, str]]
    ) -> Redirect:
        choice = data.get("on_match", OnMatch.SKIP)
        if choice not in OnMatch.__members__.values():
            raise Invalid({"on_match": "Choose whether to update or skip the matching enterprises."})
        await service.confirm_import(current_user(request).actor, batch_id, OnMatch(choice))
        return Redirect(f"/enterprises/imports/{batch_id}")

    @post("/{batch_id:int}/cancel")
    async def cancel(self, request: Request[Any, Any, Any], batch_id: RowId) -> Redirect:
        await service.cancel_import(current_user(request).actor, batch_id)
        return Redirect(f"/enterprises/imports/{batch_id}")
