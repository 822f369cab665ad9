"""The registered enterprises that cleaned rows of a file are: what the dry run and the import match against."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.columns import Column

from core import crypto
from enterprises.intake import EnterpriseDraft
from enterprises.tables import Enterprise, Founder


async def find_matches(drafts: Sequence[EnterpriseDraft]) -> list[dict[str, Any] | None]:
    """For each draft, the enterprise already registered that it is: same credit code, else same name in the
    town, else the one enterprise of the same founder (ID number).

    A founder may run two enterprises: his ID number names one only when he has no other, and not one whose
    credit code differs from the draft's. A corrected file imported again so finds what the first import
    created even when the name was what was corrected. A few queries for the lot, whatever its size: the dry
    run and the import call this per chunk.
    """
    if not drafts:
        return []
    columns = (Enterprise.id, Enterprise.name, Enterprise.credit_code, Enterprise.district, Enterprise.town)
    by_code: dict[str, dict[str, Any]] = {}
    if codes := sorted({d.credit_code for d in drafts if d.credit_code}):
        for row in (
            await Enterprise.select(*columns, Enterprise.registered_by)
            .where(Enterprise.credit_code.is_in(codes) & Enterprise.merged_into.is_null())
            .order_by(Enterprise.id)
        ):
            by_code.setdefault(row["credit_code"], row)
    by_place: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in (
        await Enterprise.select(*columns, Enterprise.registered_by)
        .where(
            Enterprise.name.is_in(sorted({d.name for d in drafts}))
            & Enterprise.district.is_in(sorted({d.district for d in drafts}))
            & Enterprise.merged_into.is_null()
        )
        .order_by(Enterprise.id)
    ):
        by_place.setdefault((row["district"], row["town"], row["name"]), row)
    by_founder = await _by_founder(drafts, columns)
    found: list[dict[str, Any] | None] = []
    for d in drafts:
        match = (by_code.get(d.credit_code) if d.credit_code else None) or by_place.get((d.district, d.town, d.name))
        if match is None and d.founder_id_number:
            candidate = by_founder.get(d.founder_id_number)
            if candidate is not None and (not candidate["credit_code"] or candidate["credit_code"] == d.credit_code):
                match = candidate
        found.append(match)
    return found


async def _by_founder(drafts: Sequence[EnterpriseDraft], columns: tuple[Column, ...]) -> dict[str, dict[str, Any]]:
    """ID number -> the only registered enterprise of the founder with it (founders with several are left out)."""
    wanted = {digest: d.founder_id_number for d in drafts for digest in crypto.digests(d.founder_id_number)}
    if not wanted:
        return {}
    founders = {
        row["id"]: wanted[row["id_number_digest"]]
        for row in await Founder.select(Founder.id, Founder.id_number_digest).where(
            Founder.id_number_digest.is_in(sorted(wanted))
        )
    }
    if not founders:
        return {}
    rows = (
        await Enterprise.select(*columns, Enterprise.registered_by, Enterprise.founder)
        .where(Enterprise.founder.is_in(sorted(founders)) & Enterprise.merged_into.is_null())
        .order_by(Enterprise.id)
    )
    per_founder: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        per_founder.setdefault(row["founder"], []).append(row)
    return {founders[founder]: only[0] for founder, only in per_founder.items() if len(only) == 1}
