"""Spreadsheet imports' pages: upload, the template, a batch's progress and row report, confirmation.

The steps are `presentation`'s, which the expert pool's import pages share; here is what is the enterprises'.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.policy import Action
from core.api import RowId
from enterprises.imports import presentation
from enterprises.imports.presentation import MAX_REQUEST_BYTES, ImportPages
from enterprises.imports.rules import Outcome
from enterprises.imports.template import template_workbook

OUTCOME_LABELS: dict[str, str] = {
    Outcome.CREATE: "Will be created",
    Outcome.MATCH: "Matches a registered enterprise",
    Outcome.WARNING: "Will be imported, with warnings",
    Outcome.ERROR: "Has errors",
    Outcome.SKIPPED: "Skipped: not data",
}
PAGES = ImportPages(
    base="/enterprises/imports",
    kind=None,
    outcome_labels=OUTCOME_LABELS,
    choose_on_match="Choose whether to update or skip the matching enterprises.",
    template_workbook=template_workbook,
    template_filename="返乡创业企业导入模板.xlsx",
    template_ascii_filename="fuchi-import-template.xlsx",
    failed_rows=True,
)


class ImportController(Controller):
    path = "/enterprises/imports"
    include_in_schema = False  # pages, not part of the API
    opt = {"action": Action.IMPORT_ENTERPRISES}

    @get("/")
    async def list_imports(
        self, request: Request[Any, Any, Any], page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1
    ) -> Template:
        return await presentation.list_page(request, PAGES, page_number)

    @post("/", request_max_body_size=MAX_REQUEST_BYTES)
    async def upload(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Redirect:
        return await presentation.upload(request, PAGES, data)

    @get("/template.xlsx")
    async def template(self) -> Response[bytes]:
        return presentation.template_download(PAGES)

    @get("/{batch_id:int}")
    async def show(
        self,
        request: Request[Any, Any, Any],
        batch_id: RowId,
        outcome: Annotated[Outcome | None, QueryParameter()] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        return await presentation.detail_page(request, PAGES, batch_id, outcome, page_number)

    @get("/{batch_id:int}/failed-rows.xlsx")
    async def failed_rows(self, request: Request[Any, Any, Any], batch_id: RowId) -> Response[bytes]:
        """The failed and warned rows in the file's own layout, with what to fix: corrected, they are uploaded again."""
        return await presentation.failed_rows_download(request, batch_id, PAGES.kind_name)

    @get("/{batch_id:int}/progress")
    async def progress(self, request: Request[Any, Any, Any], batch_id: RowId) -> dict[str, Any]:
        """What the page's progress bar polls (static/import.js)."""
        return await presentation.progress_report(request, PAGES, batch_id)

    @post("/{batch_id:int}/confirm")
    async def confirm(
        self, request: Request[Any, Any, Any], batch_id: RowId, data: URLEncodedBody[dict[str, str]]
    ) -> Redirect:
        return await presentation.confirm(request, PAGES, batch_id, data)

    @post("/{batch_id:int}/cancel")
    async def cancel(self, request: Request[Any, Any, Any], batch_id: RowId) -> Redirect:
        return await presentation.cancel(request, PAGES, batch_id)
