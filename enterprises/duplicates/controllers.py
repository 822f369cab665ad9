"""Pages for duplicate enterprises: the warning while typing, and merging two records.

Personal data never travels in a URL: what a broker types (phone, ID number) is POSTed.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from core.api import MAX_INT4
from core.errors import Invalid
from core.web import page
from enterprises.duplicates.merge_service import merge_enterprises, merge_history, merge_preview
from enterprises.duplicates.quota import TooManyChecks
from enterprises.duplicates.service import duplicates_of, find_duplicates
from enterprises.services import get_enterprise

Form = URLEncodedBody[dict[str, str]]
RECORD_NUMBER = "Enter the number of a record, as shown in its address (/enterprises/123)."


def _record_id(raw: object) -> int:
    text = str(raw or "").strip().lstrip("#")
    if not text.isdigit() or not 0 < int(text) <= MAX_INT4:
        raise ValueError(RECORD_NUMBER)
    return int(text)


def _pair(values: dict[str, str], survivor_key: str, merged_key: str) -> tuple[int, int]:
    errors: dict[str, str] = {}
    ids: dict[str, int] = {}
    for key in (survivor_key, merged_key):
        try:
            ids[key] = _record_id(values.get(key))
        except ValueError as error:
            errors[key] = str(error)
    if errors:
        raise Invalid(errors)
    return ids[survivor_key], ids[merged_key]


class DuplicateController(Controller):
    """Warn a broker while he types; let an officer compare two records and merge them."""

    path = "/enterprises"
    include_in_schema = False  # pages, not part of the API

    @post("/duplicates", opt={"action": Action.REGISTER_ENTERPRISE}, status_code=200)
    async def warning(self, request: Request[Any, Any, Any], data: Form) -> Template:
        """The "possible duplicates" fragment for the registration form (empty when there are none)."""
        try:
            found = await find_duplicates(current_user(request).actor, data)
        except TooManyChecks as refused:
            # Shown in the form's warning area (which ignores error statuses), so the broker knows why.
            found, message = [], refused.message
        else:
            message = ""
        response = page(request, "enterprises/duplicates_list.html", duplicates=found, refused=message)
        response.headers["Cache-Control"] = "no-store"
        return response

    @get("/{enterprise_id:int}/duplicates", opt={"action": Action.MERGE_ENTERPRISES})
    async def duplicates_of_record(self, request: Request[Any, Any, Any], enterprise_id: FromPath[int]) -> Template:
        actor = current_user(request).actor
        enterprise = await get_enterprise(actor, enterprise_id)
        found = await duplicates_of(actor, enterprise_id) if enterprise["merged_into"] is None else []
        return page(request, "enterprises/duplicates_of.html", enterprise=enterprise, duplicates=found)

    async def _merge_page(
        self, request: Request[Any, Any, Any], values: dict[str, str], errors: dict[str, str], status_code: int = 200
    ) -> Template:
        preview: dict[str, Any] = {}
        try:
            survivor_id, merged_id = _pair(values, "survivor", "merged")
        except Invalid as error:
            # An empty chooser is no mistake; a half-filled one is.
            if any(values.get(key) for key in ("survivor", "merged")):
                errors = {**error.errors, **errors}
                status_code = 400
        else:
            try:
                preview = await merge_preview(current_user(request).actor, survivor_id, merged_id)
            except Invalid as error:
                errors, status_code = {**error.errors, **errors}, 400
        return page(request, "enterprises/merge.html", status_code=status_code, values=values, errors=errors, **preview)

    @get("/merge", opt={"action": Action.MERGE_ENTERPRISES})
    async def merge_form(
        self, request: Request[Any, Any, Any], survivor: FromQuery[str] = "", merged: FromQuery[str] = ""
    ) -> Template:
        """Choose two records, then compare them side by side and confirm: merging cannot be undone."""
        return await self._merge_page(request, {"survivor": survivor, "merged": merged}, {})

    @post("/merge", opt={"action": Action.MERGE_ENTERPRISES})
    async def merge(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        values = {"survivor": data.get("survivor_id", ""), "merged": data.get("merged_id", ""), **data}
        try:
            survivor_id, merged_id = _pair(values, "survivor", "merged")
            await merge_enterprises(current_user(request).actor, survivor_id, merged_id, data.get("reason", ""))
        except Invalid as error:
            return await self._merge_page(request, values, error.errors, status_code=400)
        return Redirect(f"/enterprises/{survivor_id}")

    @get("/{enterprise_id:int}/merges", opt={"action": Action.VIEW_ENTERPRISES})
    async def merges(self, request: Request[Any, Any, Any], enterprise_id: FromPath[int]) -> Template:
        found = await merge_history(current_user(request).actor, enterprise_id)
        return page(request, "enterprises/merges.html", enterprise=found["enterprise"], merges=found["merges"])
