"""Enterprise services: register, update, find and read enterprises within the user's reach."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from accounts.policy import Action, Actor, may
from core import crypto
from core.db import engine, write_transaction
from core.districts import is_district
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.pagination import Page, PageRequest
from enterprises.access import may_reach_enterprise, registration_districts
from enterprises.access_filter import enterprise_filter
from enterprises.classification import INDUSTRY_SECTIONS, EnterpriseStatus, SnapshotSource
from enterprises.duplicate_service import refuse_unconfirmed_duplicates
from enterprises.identifiers import mask_phone, mask_resident_id, normalise_code, normalise_text
from enterprises.intake import EnterpriseDraft, NeedDraft, clean_enterprise
from enterprises.tables import (
    Enterprise,
    EnterpriseChange,
    Founder,
    Need,
    OutcomeSnapshot,
    PersonalDataAccess,
)

# Enterprise columns a draft sets, in the draft's own names.
_ENTERPRISE_COLUMNS = (
    "name", "legal_form", "district", "town", "village", "park", "industry", "main_products", "credit_code",
    "credit_code_note", "founded_on", "employees", "migrant_employees", "annual_revenue", "stage", "status",
)  # fmt: skip
_FOUNDER_COLUMNS = {
    "founder_name": "name",
    "founder_gender": "gender",
    "founder_birth_year": "birth_year",
    "founder_phone": "phone",
    "founder_worked_before": "worked_before",
    "founder_return_year": "return_year",
}


MERGED = "This record has been merged into another one."


def today() -> date:
    return datetime.now(UTC).date()


def _founder_values(draft: EnterpriseDraft) -> dict[str, Any]:
    values: dict[str, Any] = {column: getattr(draft, field) for field, column in _FOUNDER_COLUMNS.items()}
    if draft.founder_id_number:
        values |= {
            "id_number_cipher": crypto.encrypt(draft.founder_id_number),
            "id_number_digest": crypto.digest(draft.founder_id_number),
            "id_number_last4": draft.founder_id_number[-4:],
        }
    return values


async def _reserve_ids(table: type[Table], count: int) -> list[int]:
    """`count` new ids of `table`, for rows inserted in bulk that must be told apart (inside the write transaction)."""
    if count == 0:
        return []
    name = table._meta.tablename
    if isinstance(engine(), PostgresEngine):
        sql = f"SELECT nextval(pg_get_serial_sequence('{name}', 'id')) AS id FROM generate_series(1, {{}})"
        return [int(row["id"]) for row in await table.raw(sql, count)]
    # SQLite: the IMMEDIATE transaction holds the write lock, so no one else takes these ids meanwhile.
    rows = await table.raw(f'SELECT COALESCE(MAX(id), 0) AS id FROM "{name}"')
    first = int(rows[0]["id"]) + 1
    return list(range(first, first + count))


async def create_enterprises(drafts: Sequence[EnterpriseDraft], actor_id: int, kind: str = "registered") -> list[int]:
    """Write checked drafts as new enterprises with founders, history and first snapshots (inside a transaction).

    A few statements for any number of drafts, so a 10,000-row import is as quick as it can be. A
    founder already known by his ID number is reused and updated, not registered twice; so is one
    who appears twice in the drafts.
    """
    values = [_founder_values(draft) for draft in drafts]
    digests = sorted({v["id_number_digest"] for v in values if v.get("id_number_digest")})
    known: dict[str, int] = {}
    if digests:
        for row in await Founder.select(Founder.id, Founder.id_number_digest).where(
            Founder.id_number_digest.is_in(digests)
        ):
            known.setdefault(row["id_number_digest"], row["id"])
    founder_of: list[int] = []
    new_founders: dict[int, dict[str, Any]] = {}  # reserved id -> values (the last row's, as one by one)
    updated_founders: dict[int, dict[str, Any]] = {}
    reserved = iter(await _reserve_ids(Founder, sum(1 for v in values if v.get("id_number_digest") not in known)))
    for founder in values:
        digest = founder.get("id_number_digest")
        if digest and digest in known:
            founder_id = known[digest]
            (new_founders if founder_id in new_founders else updated_founders)[founder_id] = founder
        else:
            founder_id = next(reserved)
            new_founders[founder_id] = founder
            if digest:
                known[digest] = founder_id
        founder_of.append(founder_id)
    if new_founders:
        await Founder.insert(
            *(Founder(id=fid, **founder, registered_by=actor_id) for fid, founder in new_founders.items())
        )
    for founder_id, founder in updated_founders.items():
        await Founder.update({getattr(Founder, k): v for k, v in founder.items()}).where(Founder.id == founder_id)

    enterprise_ids = await _reserve_ids(Enterprise, len(drafts))
    await Enterprise.insert(
        *(
            Enterprise(
                id=enterprise_id,
                **{column: getattr(draft, column) for column in _ENTERPRISE_COLUMNS},
                founder=founder_id,
                registered_by=actor_id,
            )
            for enterprise_id, draft, founder_id in zip(enterprise_ids, drafts, founder_of, strict=True)
        )
    )
    await EnterpriseChange.insert(
        *(EnterpriseChange(enterprise=eid, actor=actor_id, kind=kind, changes={}) for eid in enterprise_ids)
    )
    measured_on = today()
    snapshots = [
        OutcomeSnapshot(
            enterprise=enterprise_id,
            measured_on=measured_on,
            employees=draft.employees,
            migrant_employees=draft.migrant_employees,
            annual_revenue=draft.annual_revenue,
            status=draft.status,
            source=SnapshotSource.IMPORT if kind == "imported" else SnapshotSource.INTAKE,
            recorded_by=actor_id,
        )
        for enterprise_id, draft in zip(enterprise_ids, drafts, strict=True)
        if any(v is not None for v in (draft.employees, draft.migrant_employees, draft.annual_revenue))
    ]
    if snapshots:
        await OutcomeSnapshot.insert(*snapshots)
    return enterprise_ids


async def create_enterprise(draft: EnterpriseDraft, actor_id: int, kind: str = "registered") -> int:
    """Write one checked draft as a new enterprise (inside a transaction)."""
    return (await create_enterprises([draft], actor_id, kind))[0]


async def register_enterprise(actor: Actor, form: Mapping[str, str]) -> int:
    """Register an enterprise and its founder from a broker's form; returns the enterprise id."""
    draft = clean_enterprise(form, registration_districts(actor), today())
    await refuse_unconfirmed_duplicates(actor, draft, form)  # PossibleDuplicates unless the broker confirmed
    async with write_transaction():
        return await create_enterprise(draft, actor.user_id)


def _display(value: Any) -> Any:
    """A value as the history shows it; money to the fen, so 448000 and 448000.00 are no change."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value if value is None or isinstance(value, (str, int)) else str(value)


def _same(before: Any, after: Any) -> bool:
    """Whether a stored value and a draft's are the same as the history shows them (448000 is 448000.00)."""
    if isinstance(after, Decimal) and isinstance(before, int | float) and not isinstance(before, bool):
        before = Decimal(str(before))
    return bool(_display(before) == _display(after))


def _changes(current: Mapping[str, Any], founder: Mapping[str, Any], draft: EnterpriseDraft) -> dict[str, Any]:
    """Field -> [before, after] for what a draft changes in an enterprise and its founder; personal data masked."""
    changes = {
        column: [_display(current[column]), _display(getattr(draft, column))]
        for column in _ENTERPRISE_COLUMNS
        if not _same(current[column], getattr(draft, column))
    }
    for field, column in _FOUNDER_COLUMNS.items():
        before, after = founder.get(column), getattr(draft, field)
        if not _same(before, after):
            masked = field == "founder_phone"
            changes[field] = [
                mask_phone(before or "") if masked else before,
                mask_phone(after) if masked else after,
            ]
    if draft.founder_id_number and crypto.digest(draft.founder_id_number) != founder.get("id_number_digest"):
        changes["founder_id_number"] = [
            mask_resident_id(founder.get("id_number_last4") or ""),
            mask_resident_id(draft.founder_id_number),
        ]
    return changes


# How many rows one bulk UPDATE writes: 500 enterprises are some 8,500 parameters, well within SQLite's
# 32,766 and PostgreSQL's 32,767.
_BULK_ROWS = 500
# The PostgreSQL type of each column a bulk UPDATE sets that is not text: its parameters are cast to it.
_SQL_TYPES = {
    "id": "INTEGER",
    "founded_on": "DATE",
    "employees": "INTEGER",
    "migrant_employees": "INTEGER",
    "annual_revenue": "NUMERIC",
    "updated_at": "TIMESTAMPTZ",
    "birth_year": "INTEGER",
    "return_year": "INTEGER",
}
_FOUNDER_STATE = (*_FOUNDER_COLUMNS.values(), "id_number_cipher", "id_number_digest", "id_number_last4")


def _parameter(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


async def _update_rows(table: type[Table], columns: Sequence[str], rows: Mapping[int, Mapping[str, Any]]) -> None:
    """Set `columns` of each row id -> values, a few hundred rows per UPDATE (inside the caller's transaction).

    The values come in a VALUES list joined on the id (UPDATE ... FROM, SQLite 3.33 and PostgreSQL),
    so each row is found by its key once. On PostgreSQL the parameters of a VALUES list are typed
    only by a cast; on SQLite a cast would turn a date into a number, and the column's own type
    does the conversion when the value is stored.
    """
    name = table._meta.tablename
    postgres = isinstance(engine(), PostgresEngine)
    placeholders = [
        f"CAST({{}} AS {_SQL_TYPES[c]})" if postgres and c in _SQL_TYPES else "{}" for c in ("id", *columns)
    ]
    row_sql = f"({', '.join(placeholders)})"
    names = ", ".join(f'"{c}"' for c in ("id", *columns))
    assignments = ", ".join(f'"{c}" = v."{c}"' for c in columns)
    items = list(rows.items())
    for start in range(0, len(items), _BULK_ROWS):
        chunk = items[start : start + _BULK_ROWS]
        await table.raw(
            f"WITH v ({names}) AS (VALUES {', '.join(row_sql for _ in chunk)}) "
            f'UPDATE "{name}" SET {assignments} FROM v WHERE "{name}"."id" = v."id"',
            *(_parameter(value) for row_id, values in chunk for value in (row_id, *(values[c] for c in columns))),
        )


async def apply_drafts(
    items: Sequence[tuple[int, EnterpriseDraft]], actor_id: int, kind: str = "updated"
) -> list[dict[str, Any]]:
    """Overwrite enterprises and their founders with drafts, recording what changed (inside a transaction).

    For each (enterprise id, draft), in order, what `apply_draft` does for one: field -> [before,
    after], or {} for a draft that changes nothing (nothing is then written). A handful of
    statements for any number: the enterprises and their founders are read once, and written
    once, in bulk. An enterprise (or a founder) met twice is changed twice over, as one by one.
    """
    if not items:
        return []
    ids = sorted({enterprise_id for enterprise_id, _ in items})
    enterprises: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), _BULK_ROWS):
        for row in await Enterprise.select(
            Enterprise.id, Enterprise.founder, *(getattr(Enterprise, c) for c in _ENTERPRISE_COLUMNS)
        ).where(Enterprise.id.is_in(ids[start : start + _BULK_ROWS])):
            enterprises[row["id"]] = row
    if len(enterprises) < len(ids):
        raise NotFound()
    founder_ids = sorted({row["founder"] for row in enterprises.values() if row["founder"] is not None})
    founders: dict[int, dict[str, Any]] = {}
    for start in range(0, len(founder_ids), _BULK_ROWS):
        for row in await Founder.select(Founder.id, *(getattr(Founder, c) for c in _FOUNDER_STATE)).where(
            Founder.id.is_in(founder_ids[start : start + _BULK_ROWS])
        ):
            founders[row["id"]] = row

    results: list[dict[str, Any]] = []
    records: list[EnterpriseChange] = []
    written_enterprises: dict[int, dict[str, Any]] = {}
    written_founders: dict[int, dict[str, Any]] = {}
    for enterprise_id, draft in items:
        current = enterprises[enterprise_id]
        founder = founders.get(current["founder"]) or {}
        changes = _changes(current, founder, draft)
        results.append(changes)
        if not changes:
            continue
        current.update({c: getattr(draft, c) for c in _ENTERPRISE_COLUMNS})
        written_enterprises[enterprise_id] = current
        if founder:
            founder_values = _founder_values(draft)
            if not draft.founder_id_number:  # an empty ID field keeps the number on record
                founder_values = {k: v for k, v in founder_values.items() if not k.startswith("id_number")}
            founder.update(founder_values)
            written_founders[founder["id"]] = founder
        records.append(EnterpriseChange(enterprise=enterprise_id, actor=actor_id, kind=kind, changes=changes))
    if not records:
        return results

    now = datetime.now(UTC)
    await _update_rows(
        Enterprise,
        (*_ENTERPRISE_COLUMNS, "updated_at"),
        {eid: {**row, "updated_at": now} for eid, row in written_enterprises.items()},
    )
    await _update_rows(Founder, _FOUNDER_STATE, written_founders)
    await EnterpriseChange.insert(*records)
    return results


async def apply_draft(
    enterprise_id: int, draft: EnterpriseDraft, actor_id: int, kind: str = "updated"
) -> dict[str, Any]:
    """Overwrite an enterprise and its founder with a draft, recording what changed (inside a transaction)."""
    return (await apply_drafts([(enterprise_id, draft)], actor_id, kind))[0]


async def update_enterprise(actor: Actor, enterprise_id: int, form: Mapping[str, str]) -> dict[str, Any]:
    """Change an enterprise the actor may see; returns field -> [before, after].

    The edit form never shows the founder's phone in full, so an empty phone keeps the one on record.
    """
    if not may(actor, Action.UPDATE_ENTERPRISE):
        raise NotAllowed()
    existing = await _row_in_scope(actor, enterprise_id)
    if existing["merged_into"] is not None:
        raise Conflict(MERGED)
    if not str(form.get("founder_phone") or "").strip():
        form = {**form, "founder_phone": existing["founder_phone"]}
    # An officer may correct a record of his district; a broker only within his own.
    districts = registration_districts(actor)
    draft = clean_enterprise(form, districts | {existing["district"]} if districts is not None else None, today())
    async with write_transaction():
        return await apply_draft(enterprise_id, draft, actor.user_id)


_SUMMARY = (
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
    Enterprise.registered_by,
    Enterprise.created_at,
    Enterprise.founder.id.as_alias("founder_id"),
    Enterprise.founder.name.as_alias("founder_name"),
    Enterprise.founder.phone.as_alias("founder_phone"),
    Enterprise.founder.id_number_last4.as_alias("founder_id_last4"),
)
_DETAIL = (
    Enterprise.main_products,
    Enterprise.credit_code_note,
    Enterprise.founded_on,
    Enterprise.employees,
    Enterprise.migrant_employees,
    Enterprise.annual_revenue,
    Enterprise.merged_into,
    Enterprise.updated_at,
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
        "founder_phone": mask_phone(row.get("founder_phone") or ""),
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
    for value, column in (
        (filters.district, Enterprise.district),
        (filters.industry, Enterprise.industry),
        (filters.status, Enterprise.status),
    ):
        if value:
            conditions.append(column == value)
    if filters.town:
        conditions.append(Enterprise.town.ilike(f"%{normalise_text(filters.town)}%"))
    if filters.park:
        conditions.append(Enterprise.park.ilike(f"%{normalise_text(filters.park)}%"))
    if text := normalise_text(filters.q):
        like = f"%{text}%"
        either = Enterprise.name.ilike(like) | Enterprise.founder.name.ilike(like)
        code = normalise_code(text)
        if len(code) >= 4:
            either |= Enterprise.credit_code.ilike(f"%{code}%")
        conditions.append(either)
    digits = "".join(ch for ch in normalise_text(filters.phone) if ch.isdigit())
    if len(digits) >= 4:
        conditions.append(Enterprise.founder.phone.ilike(f"%{digits}%"))
    return [c for c in conditions if c is not None]


async def list_enterprises(actor: Actor, filters: EnterpriseFilter, request: PageRequest) -> Page[dict[str, Any]]:
    query = Enterprise.select(*_SUMMARY).order_by(Enterprise.id, ascending=False)
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


async def _row_in_scope(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    row = await Enterprise.select(*_SUMMARY, *_DETAIL).where(Enterprise.id == enterprise_id).first()
    if row is None or not may_reach_enterprise(actor, row):
        raise NotFound()
    return dict(row)


async def get_enterprise(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    """One enterprise the actor may see; `NotFound` for one he may not (nothing is leaked)."""
    return masked(await _row_in_scope(actor, enterprise_id))


async def history(actor: Actor, enterprise_id: int) -> list[dict[str, Any]]:
    """Every change to an enterprise the actor may see, oldest first."""
    await get_enterprise(actor, enterprise_id)
    return await _history(enterprise_id)


async def _history(enterprise_id: int) -> list[dict[str, Any]]:
    return (
        await EnterpriseChange.select(
            EnterpriseChange.kind,
            EnterpriseChange.changes,
            EnterpriseChange.created_at,
            EnterpriseChange.actor.display_name.as_alias("actor_name"),
        )
        .where(EnterpriseChange.enterprise == enterprise_id)
        .order_by(EnterpriseChange.id)
        .output(load_json=True)
    )


async def enterprise_file(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    """All an enterprise's page shows, after one check that the actor may see it."""
    return {
        "enterprise": await get_enterprise(actor, enterprise_id),
        "needs": await needs_of(enterprise_id),
        "changes": await _history(enterprise_id),
        "snapshots": await _snapshots(enterprise_id),
    }


async def _snapshots(enterprise_id: int) -> list[dict[str, Any]]:
    """The enterprise's dated outcome measurements, newest first."""
    return (
        await OutcomeSnapshot.select(
            OutcomeSnapshot.measured_on,
            OutcomeSnapshot.employees,
            OutcomeSnapshot.migrant_employees,
            OutcomeSnapshot.annual_revenue,
            OutcomeSnapshot.status,
            OutcomeSnapshot.source,
            OutcomeSnapshot.recorded_by.display_name.as_alias("recorded_by_name"),
        )
        .where(OutcomeSnapshot.enterprise == enterprise_id)
        .order_by(OutcomeSnapshot.measured_on, ascending=False)
    )


@dataclass(frozen=True)
class Revealed:
    founder_name: str
    phone: str
    id_number: str


REASON_REQUIRED = "Say why you need the full value; the reveal is logged."


async def reveal_personal_data(actor: Actor, enterprise_id: int, reason: str) -> Revealed:
    """The founder's full phone and ID number, after the access is logged with who, whose, when and why."""
    if not may(actor, Action.REVEAL_PERSONAL_DATA):
        raise NotAllowed()
    row = await _row_in_scope(actor, enterprise_id)
    reason = normalise_text(reason)[:1000]
    if len(reason) < 2:
        raise Invalid({"reason": REASON_REQUIRED})
    # The log row is committed before the value is read, so no reveal goes unrecorded.
    async with write_transaction():
        await PersonalDataAccess.insert(
            PersonalDataAccess(founder=row["founder_id"], actor=actor.user_id, fields="phone,id_number", reason=reason)
        )
    founder = (
        await Founder.select(Founder.name, Founder.phone, Founder.id_number_cipher)
        .where(Founder.id == row["founder_id"])
        .first()
    )
    assert founder is not None  # the enterprise references it
    return Revealed(
        founder_name=founder["name"],
        phone=founder["phone"],
        id_number=crypto.decrypt(founder["id_number_cipher"]),
    )


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
