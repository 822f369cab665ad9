"""Enterprise services: register, find and read enterprises within the user's reach."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accounts.policy import Actor, Role, Scope, enterprise_scope, in_scope
from accounts.scoping import scope_where
from core.db import write_transaction
from core.errors import NotFound
from core.pagination import Page, PageRequest
from enterprises.identifiers import mask_phone
from enterprises.intake import NeedDraft, clean_enterprise
from enterprises.tables import Enterprise, Founder, Need


def _allowed_districts(actor: Actor) -> frozenset[str] | None:
    if actor.role is Role.CITY_OFFICER:
        return None
    return frozenset({actor.district}) if actor.district else frozenset()


async def register_enterprise(actor: Actor, form: Mapping[str, str]) -> int:
    """Register an enterprise and its founder from a broker's form; returns the enterprise id."""
    draft = clean_enterprise(form, _allowed_districts(actor))
    async with write_transaction():
        founder = await Founder.insert(
            Founder(name=draft.founder_name, phone=draft.founder_phone, registered_by=actor.user_id)
        ).returning(Founder.id)
        rows = await Enterprise.insert(
            Enterprise(
                name=draft.name,
                legal_form=draft.legal_form,
                district=draft.district,
                town=draft.town,
                village=draft.village,
                industry=draft.industry,
                main_products=draft.main_products,
                credit_code=draft.credit_code,
                credit_code_note=draft.credit_code_note,
                founder=founder[0]["id"],
                registered_by=actor.user_id,
            )
        ).returning(Enterprise.id)
    enterprise_id: int = rows[0]["id"]
    return enterprise_id


_SUMMARY = (
    Enterprise.id,
    Enterprise.name,
    Enterprise.legal_form,
    Enterprise.district,
    Enterprise.town,
    Enterprise.village,
    Enterprise.industry,
    Enterprise.status,
    Enterprise.credit_code,
    Enterprise.registered_by,
    Enterprise.created_at,
    Enterprise.founder.name.as_alias("founder_name"),
    Enterprise.founder.phone.as_alias("founder_phone"),
)


def _masked(row: dict[str, Any]) -> dict[str, Any]:
    """Personal data leaves the service masked; revealing it is a separate, logged action."""
    return {**row, "founder_phone": mask_phone(row.get("founder_phone") or "")}


@dataclass(frozen=True)
class EnterpriseFilter:
    district: str = ""
    name: str = ""


def _where(scope: Scope, filters: EnterpriseFilter) -> list[Any]:
    conditions = [scope_where(scope, Enterprise.district, Enterprise.registered_by)]
    if filters.district:
        conditions.append(Enterprise.district == filters.district)
    if filters.name:
        conditions.append(Enterprise.name.ilike(f"%{filters.name}%"))
    return [c for c in conditions if c is not None]


async def list_enterprises(
    actor: Actor, filters: EnterpriseFilter, request: PageRequest
) -> Page[dict[str, Any]]:
    where = _where(enterprise_scope(actor), filters)
    query = Enterprise.select(*_SUMMARY).order_by(Enterprise.id, ascending=False)
    count = Enterprise.count()
    for condition in where:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.limit(request.per_page).offset(request.offset)
    return Page(items=[_masked(r) for r in rows], request=request, total=await count)


async def get_enterprise(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    """One enterprise the actor may see; `NotFound` for one he may not (nothing is leaked)."""
    row = (
        await Enterprise.select(*_SUMMARY, Enterprise.main_products)
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    if row is None or not in_scope(
        enterprise_scope(actor), district=row["district"], owner_id=row["registered_by"]
    ):
        raise NotFound()
    return _masked(row)


async def add_need(enterprise_id: int, draft: NeedDraft, filed_by: int) -> int:
    """Record a need (inside the caller's transaction); returns its id."""
    rows = await Need.insert(
        Need(
            enterprise=enterprise_id,
            category=draft.category,
            description=draft.description,
            urgency=draft.urgency,
            amount_sought=draft.amount_sought,
            filed_by=filed_by,
        )
    ).returning(Need.id)
    need_id: int = rows[0]["id"]
    return need_id


async def needs_of(enterprise_id: int) -> list[dict[str, Any]]:
    return await Need.select().where(Need.enterprise == enterprise_id).order_by(Need.id)
