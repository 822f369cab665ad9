"""The JSON API for duplicate enterprises and its schemas: possible duplicates of what is typed, and merges.

Personal data never travels in a URL: what a broker types (phone, ID number) is POSTed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, KwargDefinition
from msgspec import Meta

from accounts.guards import current_user
from accounts.policy import Action
from core.api import API_V1, BEARER, MAX_INT4, RowId, error_responses
from core.districts import district_name
from core.i18n import gettext
from core.web import request_locale
from enterprises.duplicates.matching import Reason
from enterprises.duplicates.merge_service import get_merge, merge_enterprises, merges_of
from enterprises.duplicates.service import find_duplicates

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
    """A registered enterprise that may be the one typed.

    Of a record the caller may not open (`visible` false) only the district and the reasons are
    given, and `note` says so in words: `id` and `url` are null, name, town and broker empty.
    """

    id: int | None
    name: str
    district: str
    town: str
    registered_by_name: str
    mine: bool
    visible: bool
    url: str | None
    reasons: list[Reason]
    note: str = ""


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


def _duplicate_out(row: dict[str, Any], locale: str) -> PossibleDuplicate:
    values = {name: row[name] for name in PossibleDuplicate.__dataclass_fields__ if name != "note"}
    note = "" if row["visible"] else gettext(locale, OUT_OF_REACH, district=district_name(row["district"], locale))
    return PossibleDuplicate(**(values | {"reasons": [Reason(r) for r in row["reasons"]], "note": note}))


def _merge_out(row: dict[str, Any]) -> Merge:
    return Merge(**{name: row[name] for name in Merge.__dataclass_fields__})


ERRORS = error_responses(401, 403, 404, 409, 422)
OUT_OF_REACH = "An enterprise already registered in {district} by another broker — ask your district officer."


class DuplicateApi(Controller):
    path = f"{API_V1}/enterprises"
    tags = ["enterprises"]
    security = BEARER

    @post(
        "/duplicates",
        opt={"action": Action.REGISTER_ENTERPRISE},
        status_code=200,
        summary="Registered enterprises that may be the one being entered",
        responses=ERRORS | error_responses(429),
    )
    async def find(self, request: Request[Any, Any, Any], data: JSONBody[DuplicateQuery]) -> list[PossibleDuplicate]:
        """Strongest match first: across the city by credit code, founder ID or phone, within the town by name.

        Each check is audited; past the per-minute limit of checks (FUCHI_DUPLICATE_CHECKS_PER_MINUTE) 429.
        """
        found = await find_duplicates(current_user(request).actor, asdict(data))
        return [_duplicate_out(row, request_locale(request)) for row in found]

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
