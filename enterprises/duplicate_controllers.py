"""Pages and JSON API for duplicate enterprises: the warning while typing, and merging two records.

Personal data never travels in a URL: what a broker types (phone, ID number) is POSTed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, KwargDefinition, URLEncodedBody
from litestar.response import Redirect, Template
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action
from core.api import API_V1, BEARER, MAX_INT4, RowId, error_responses
from core.errors import Invalid
from core.web import page
from enterprises.duplicate_service import duplicates_of, find_duplicates
from enterprises.duplicates import Reason
from enterprises.merging import get_merge, merge_enterprises, merge_preview, merges_of
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
        found = await find_duplicates(current_user(request).actor, data)
        response = page(request, "enterprises/duplicates_list.html", duplicates=found)
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
        actor = current_user(request).actor
        enterprise = await get_enterprise(actor, enterprise_id)
        return page(
            request, "enterprises/merges.html", enterprise=enterprise, merges=await merges_of(actor, enterprise_id)
        )


Id = Annotated[int, Meta(ge=1, le=MAX_INT4), KwargDefinition(ge=1, le=MAX_INT4)]


@dataclass
class DuplicateQuery:
    """The registration fields typed so far; personal data travels in the body, never in the URL."""

    name: Annotated[str, Meta(max_length=200), KwargDefinition(max_length=200)] = ""
    district: Annotated[str, Meta(max_length=6), KwargDefinition(max_length=6)] = ""
    town: Annotated[str, Meta(max_length=100), KwargDefinition(max_length=100)] = ""
    credit_code: Annotated[str, Meta(max_length=40), KwargDefinition(max_length=40)] = ""
    founder_phone: Annotated[str, Meta(max_length=40), KwargDefinition(max_length=40)] = ""
    founder_id_number: Annotated[str, Meta(max_length=40), KwargDefinition(max_length=40)] = ""


@dataclass
class PossibleDuplicate:
    """A registered enterprise that may be the one typed; `url` is null for a record the caller may not open."""

    id: int
    name: str
    district: str
    town: str
    registered_by_name: str
    mine: bool
    visible: bool
    url: str | None
    reasons: list[Reason]


@dataclass
class MergeRequest:
    survivor_id: Id
    merged_id: Id
    reason: Annotated[str, Meta(max_length=1000), KwargDefinition(max_length=1000)]


@dataclass
class Merge:
    """A recorded merge; `merged_record` is the duplicate as it was (personal data masked)."""

    id: int
    survivor_id: int
    survivor_name: str
    merged_id: int
    merged_name: str
    actor_name: str | None
    reason: str
    moved: dict[str, int]
    merged_record: dict[str, Any]
    created_at: datetime


def _duplicate_out(row: dict[str, Any]) -> PossibleDuplicate:
    values = {name: row[name] for name in PossibleDuplicate.__dataclass_fields__}
    return PossibleDuplicate(**(values | {"reasons": [Reason(r) for r in row["reasons"]]}))


def _merge_out(row: dict[str, Any]) -> Merge:
    return Merge(**{name: row[name] for name in Merge.__dataclass_fields__})


ERRORS = error_responses(401, 403, 404, 409, 422)


class DuplicateApi(Controller):
    path = f"{API_V1}/enterprises"
    tags = ["enterprises"]
    security = BEARER

    @post(
        "/duplicates",
        opt={"action": Action.REGISTER_ENTERPRISE},
        status_code=200,
        summary="Registered enterprises that may be the one being entered",
        responses=ERRORS,
    )
    async def find(self, request: Request[Any, Any, Any], data: JSONBody[DuplicateQuery]) -> list[PossibleDuplicate]:
        """Strongest match first: across the city by credit code, founder ID or phone, within the town by name."""
        found = await find_duplicates(current_user(request).actor, asdict(data))
        return [_duplicate_out(row) for row in found]

    @post(
        "/merges",
        opt={"action": Action.MERGE_ENTERPRISES},
        summary="Merge a duplicate record into the record kept",
        responses=ERRORS,
    )
    async def merge(self, request: Request[Any, Any, Any], data: JSONBody[MergeRequest]) -> Merge:
        """Its needs, cases, outcome snapshots and history move to the record kept; the merge is recorded."""
        actor = current_user(request).actor
        merge_id = await merge_enterprises(actor, data.survivor_id, data.merged_id, data.reason)
        return _merge_out(await get_merge(actor, merge_id))

    @get(
        "/merges/{merge_id:int}",
        opt={"action": Action.VIEW_ENTERPRISES},
        summary="One recorded merge",
        responses=ERRORS,
    )
    async def show_merge(self, request: Request[Any, Any, Any], merge_id: RowId) -> Merge:
        return _merge_out(await get_merge(current_user(request).actor, merge_id))

    @get(
        "/{enterprise_id:int}/merges",
        opt={"action": Action.VIEW_ENTERPRISES},
        summary="The merges recorded for an enterprise, as the record kept or as the duplicate",
        responses=ERRORS,
    )
    async def merges(self, request: Request[Any, Any, Any], enterprise_id: RowId) -> list[Merge]:
        rows = await merges_of(current_user(request).actor, enterprise_id)
        return [_merge_out(row) for row in rows]
