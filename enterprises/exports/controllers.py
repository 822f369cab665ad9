"""Long exports' pages: the requester's exports, one export's progress, and its file.

The export itself is asked for from the enterprise list (`enterprises.controllers`, POST /enterprises/export).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import File, Template

from accounts.guards import current_user
from accounts.policy import Action
from core.api import RowId
from core.i18n import gettext
from core.pagination import PageRequest
from core.web import page, request_locale
from enterprises.exports import service
from enterprises.exports.rules import KEEP_FOR, ExportState
from enterprises.exports.service import ExportStatus

STATE_LABELS: dict[str, str] = {
    ExportState.REQUESTED: "Waiting to be built",
    ExportState.BUILDING: "Being built",
    ExportState.READY: "Ready to download",
    ExportState.FAILED: "Failed",
    ExportState.EXPIRED: "Deleted",
}


def _progress_text(locale: str, status: ExportStatus) -> str:
    if status.state is ExportState.BUILDING and status.rows_to_write:
        return gettext(
            locale,
            "Written {done} of {total} rows ({percent}%).",
            done=status.rows_written,
            total=status.rows_to_write,
            percent=status.percent,
        )
    return gettext(locale, STATE_LABELS[status.state])


class ExportController(Controller):
    path = "/enterprises/exports"
    include_in_schema = False  # pages, not part of the API
    opt = {"action": Action.EXPORT_ENTERPRISES}

    @get("/")
    async def list_exports(
        self, request: Request[Any, Any, Any], page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1
    ) -> Template:
        found = await service.list_exports(current_user(request).actor, PageRequest(page=page_number))
        return page(request, "enterprises/export_list.html", page=found, state_labels=STATE_LABELS)

    @get("/{export_id:int}")
    async def show(self, request: Request[Any, Any, Any], export_id: RowId) -> Template:
        status = await service.get_export(current_user(request).actor, export_id)
        return page(
            request,
            "enterprises/export_detail.html",
            export=status,
            progress_text=_progress_text(request_locale(request), status),
            state_labels=STATE_LABELS,
            keep_days=KEEP_FOR.days,
        )

    @get("/{export_id:int}/progress")
    async def progress(self, request: Request[Any, Any, Any], export_id: RowId) -> dict[str, Any]:
        """What the page's progress bar polls (static/import.js, shared with imports)."""
        status = await service.get_export(current_user(request).actor, export_id)
        return {
            "state": status.state.value,
            "percent": status.percent,
            "in_progress": status.in_progress,
            "text": _progress_text(request_locale(request), status),
        }

    @get("/{export_id:int}/download")
    async def download(self, request: Request[Any, Any, Any], export_id: RowId) -> File:
        found = await service.export_download(current_user(request).actor, export_id)
        return File(
            found.path,
            filename=found.filename,
            media_type=found.media_type,
            content_disposition_type="attachment",
            # Never shown in the browser as a page, nor kept in a shared cache: it is one user's list.
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
        )
