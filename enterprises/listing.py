"""Finding enterprises: the list, search and export within the user's reach, personal data masked."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

from accounts.policy import Actor
from core.districts import is_district
from core.errors import Invalid
from core.pagination import Page, PageRequest
from core.text import normalise_text
from core.text_search import contains
from enterprises.access_filter import enterprise_filter
from enterprises.classification import INDUSTRY_SECTIONS, EnterpriseStatus
from enterprises.identifiers import mask_resident_id, normalise_code
from enterprises.phones import SEARCH_FULL_OR_LAST4, phone_search
from enterprises.tables import Enterprise

SUMMARY = (
    Enterprise.id,
    Enterprise.name,
    Enterprise.legal_form,
    Enterprise.district,
    Enterprise.town,
    Enterprise.village,
    Enterprise.park,
    Enterprise.industry,
    Enterprise.status,
    Enterprise.stage,
    Enterprise.credit_code,
    Enterprise.licence_check,
    Enterprise.registered_by,
    Enterprise.created_at,
    Enterprise.founder.id.as_alias("founder_id"),
    Enterprise.founder.name.as_alias("founder_name"),
    Enterprise.founder.phone_masked.as_alias("founder_phone"),  # the phone is stored masked for lists
    Enterprise.founder.id_number_last4.as_alias("founder_id_last4"),
)
DETAIL = (
    Enterprise.industry_division,
    Enterprise.main_products,
    Enterprise.credit_code_note,
    Enterprise.founded_on,
    Enterprise.employees,
    Enterprise.migrant_employees,
    Enterprise.annual_revenue,
    Enterprise.merged_into,
    Enterprise.updated_at,
    Enterprise.version,
    Enterprise.founder.gender.as_alias("founder_gender"),
    Enterprise.founder.birth_year.as_alias("founder_birth_year"),
    Enterprise.founder.worked_before.as_alias("founder_worked_before"),
    Enterprise.founder.return_year.as_alias("founder_return_year"),
)


def masked(row: dict[str, Any]) -> dict[str, Any]:
    """Personal data leaves the service masked; revealing it is a separate, logged action."""
    last4 = row.pop("founder_id_last4", "") or ""
    return {
        **row,
        "founder_phone": row.get("founder_phone") or "",
        "founder_id_number": mask_resident_id("*" * 14 + last4) if last4 else "",
    }


@dataclass(frozen=True)
class EnterpriseFilter:
    """What to look for. `phone` is only ever taken from a request body: phones never go in URLs."""

    q: str = ""
    phone: str = ""
    district: str = ""
    town: str = ""
    industry: str = ""
    status: str = ""
    park: str = ""
    licence_check: str = ""  # "1": only records whose pilot credit code awaits a check against the licence

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> EnterpriseFilter:
        """The filter named in a form, a query or a request body; anything else in `values` is ignored."""
        return cls(**{f.name: str(values.get(f.name) or "").strip()[:100] for f in fields(cls)})


def _conditions(actor: Actor, filters: EnterpriseFilter) -> list[Any]:
    conditions = [
        enterprise_filter(actor),
        Enterprise.merged_into.is_null(),
    ]
    # Exact-match filters take only known values: anything else is a mistake worth telling.
    if filters.district and not is_district(filters.district):
        raise Invalid({"district": "Choose a district."})
    if filters.industry and filters.industry not in INDUSTRY_SECTIONS:
        raise Invalid({"industry": "Choose an industry section."})
    if filters.status and filters.status not in {s.value for s in EnterpriseStatus}:
        raise Invalid({"status": "Choose a status."})
    if filters.licence_check not in ("", "1"):
        raise Invalid({"licence_check": "Choose whether to list only records to check against the business licence."})
    if filters.licence_check:
        conditions.append(Enterprise.licence_check.eq(True))
    for value, column in (
        (filters.district, Enterprise.district),
        (filters.industry, Enterprise.industry),
        (filters.status, Enterprise.status),
    ):
        if value:
            conditions.append(column == value)
    if filters.town:
        conditions.append(contains(Enterprise.town, normalise_text(filters.town)))
    if filters.park:
        conditions.append(contains(Enterprise.park, normalise_text(filters.park)))
    if text := normalise_text(filters.q):
        # `contains` escapes % and _: typed, they are looked for, not wildcards.
        either = contains(Enterprise.name, text) | contains(Enterprise.founder.name, text)
        code = normalise_code(text)
        if len(code) >= 4:
            either |= contains(Enterprise.credit_code, code)
        conditions.append(either)
    if filters.phone:
        conditions.append(_phone_condition(filters.phone))
    return [c for c in conditions if c is not None]


def _phone_condition(text: str) -> Any:
    """A full number is matched by its keyed hash, four digits by the last four (within reach, as every filter)."""
    search = phone_search(text)
    if search is None:
        raise Invalid({"phone": SEARCH_FULL_OR_LAST4})
    if search.digests:
        return Enterprise.founder.phone_digest.is_in(list(search.digests))
    return Enterprise.founder.phone_last4 == search.last4


async def list_enterprises(actor: Actor, filters: EnterpriseFilter, request: PageRequest) -> Page[dict[str, Any]]:
    query = Enterprise.select(*SUMMARY).order_by(Enterprise.id, ascending=False)
    count = Enterprise.count()
    for condition in _conditions(actor, filters):
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.limit(request.per_page).offset(request.offset)
    return Page(items=[masked(r) for r in rows], request=request, total=await count)


EXPORT_LIMIT = 50_000


async def export_enterprises(actor: Actor, filters: EnterpriseFilter) -> list[dict[str, Any]]:
    """Every enterprise the list would show (up to EXPORT_LIMIT), masked like the list."""
    found = await list_enterprises(
        actor, filters, PageRequest(page=1, per_page=EXPORT_LIMIT, max_per_page=EXPORT_LIMIT)
    )
    return found.items


async def count_enterprises(actor: Actor, filters: EnterpriseFilter) -> int:
    """How many enterprises the list would show; `Invalid` for a filter naming an unknown value."""
    count = Enterprise.count()
    for condition in _conditions(actor, filters):
        count = count.where(condition)
    return int(await count)


async def enterprise_chunks(
    actor: Actor, filters: EnterpriseFilter, chunk_rows: int, limit: int = EXPORT_LIMIT
) -> AsyncIterator[list[dict[str, Any]]]:
    """What `export_enterprises` returns, in the same order and masked alike, `chunk_rows` at a time.

    Each chunk is one query that starts below the last id seen (not an OFFSET, which would read
    every earlier row again), so the 50th chunk costs what the first did.
    """
    conditions = _conditions(actor, filters)
    last_id: int | None = None
    left = limit
    while left > 0:
        query = Enterprise.select(*SUMMARY).order_by(Enterprise.id, ascending=False).limit(min(chunk_rows, left))
        for condition in conditions:
            query = query.where(condition)
        if last_id is not None:
            query = query.where(Enterprise.id < last_id)
        rows = await query
        if not rows:
            return
        last_id = rows[-1]["id"]
        left -= len(rows)
        yield [masked(row) for row in rows]
