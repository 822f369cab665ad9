"""Writing enterprise records: one bulk path for one registration or a 10,000-row import."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any

from core import crypto
from core.bulk import BULK_ROWS, reserve_ids, update_rows
from core.config import bureau_today
from core.errors import NotFound
from enterprises import history
from enterprises.classification import SnapshotSource
from enterprises.intake import ENTERPRISE_COLUMNS, FOUNDER_COLUMNS, EnterpriseDraft, carry_licence_check
from enterprises.phones import PHONE_COLUMNS, phone_digest, stored_phone
from enterprises.tables import Enterprise, EnterpriseChange, Founder, OutcomeSnapshot

_FOUNDER_STATE = (
    *FOUNDER_COLUMNS.values(),
    *PHONE_COLUMNS,
    "id_number_cipher",
    "id_number_digest",
    "id_number_last4",
)


def today() -> date:
    """Today in Chongqing: a record made at 06:38 on 1 December is measured on 1 December, not its UTC day."""
    return bureau_today()


def _digest(id_number: str) -> str:
    return crypto.digest(id_number) if id_number else ""


def _founder_values(draft: EnterpriseDraft) -> dict[str, Any]:
    values: dict[str, Any] = {column: getattr(draft, field) for field, column in FOUNDER_COLUMNS.items()}
    values |= stored_phone(draft.founder_phone)  # encrypted, like the ID number
    if draft.founder_id_number:
        values |= {
            "id_number_cipher": crypto.encrypt(draft.founder_id_number),
            "id_number_digest": crypto.digest(draft.founder_id_number),
            "id_number_last4": draft.founder_id_number[-4:],
        }
    return values


async def create_enterprises(drafts: Sequence[EnterpriseDraft], actor_id: int, kind: str = "registered") -> list[int]:
    """Write checked drafts as new enterprises with founders, history and first snapshots (inside a transaction).

    A few statements for any number of drafts, so a 10,000-row import is as quick as it can be. A
    founder already known by his ID number is reused and updated, not registered twice; so is one
    who appears twice in the drafts.
    """
    values = [_founder_values(draft) for draft in drafts]
    # Each ID number's hash under every key -> its hash under the current one: a founder whose row
    # a key rotation has not re-hashed yet is still known.
    current_of = {
        older: current
        for draft in drafts
        if draft.founder_id_number
        for current in [crypto.digest(draft.founder_id_number)]
        for older in crypto.digests(draft.founder_id_number)
    }
    known: dict[str, int] = {}
    if current_of:
        for row in await Founder.select(Founder.id, Founder.id_number_digest).where(
            Founder.id_number_digest.is_in(sorted(current_of))
        ):
            known.setdefault(current_of[row["id_number_digest"]], row["id"])
    founder_of: list[int] = []
    new_founders: dict[int, dict[str, Any]] = {}  # reserved id -> values (the last row's, as one by one)
    updated_founders: dict[int, dict[str, Any]] = {}
    reserved = iter(await reserve_ids(Founder, sum(1 for v in values if v.get("id_number_digest") not in known)))
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

    enterprise_ids = await reserve_ids(Enterprise, len(drafts))
    await Enterprise.insert(
        *(
            Enterprise(
                id=enterprise_id,
                **{column: getattr(draft, column) for column in ENTERPRISE_COLUMNS},
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
            source=SnapshotSource.INTAKE,  # the first measurement, by form or by ledger, is the intake baseline
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
    for start in range(0, len(ids), BULK_ROWS):
        for row in await Enterprise.select(
            Enterprise.id,
            Enterprise.founder,
            Enterprise.version,
            *(getattr(Enterprise, c) for c in ENTERPRISE_COLUMNS),
        ).where(Enterprise.id.is_in(ids[start : start + BULK_ROWS])):
            enterprises[row["id"]] = row
    if len(enterprises) < len(ids):
        raise NotFound()
    founder_ids = sorted({row["founder"] for row in enterprises.values() if row["founder"] is not None})
    founders: dict[int, dict[str, Any]] = {}
    for start in range(0, len(founder_ids), BULK_ROWS):
        for row in await Founder.select(Founder.id, *(getattr(Founder, c) for c in _FOUNDER_STATE)).where(
            Founder.id.is_in(founder_ids[start : start + BULK_ROWS])
        ):
            founders[row["id"]] = row

    results: list[dict[str, Any]] = []
    records: list[EnterpriseChange] = []
    written_enterprises: dict[int, dict[str, Any]] = {}
    written_founders: dict[int, dict[str, Any]] = {}
    for enterprise_id, draft in items:
        current = enterprises[enterprise_id]
        draft = carry_licence_check(draft, current["credit_code"], bool(current["licence_check"]))
        founder = founders.get(current["founder"]) or {}
        changes = history.changes(
            current, founder, draft, _digest(draft.founder_id_number), phone_digest(draft.founder_phone)
        )
        results.append(changes)
        if not changes:
            continue
        current.update({c: getattr(draft, c) for c in ENTERPRISE_COLUMNS})
        current["version"] += 1  # every change moves the version on, so an edit made from an older one is refused
        written_enterprises[enterprise_id] = current
        if founder:
            founder_values = _founder_values(draft)
            if not draft.founder_id_number:  # an empty ID field keeps the number on record
                founder_values = {k: v for k, v in founder_values.items() if not k.startswith("id_number")}
            founder.update(founder_values)
            written_founders[founder["id"]] = founder
        records.append(
            EnterpriseChange(
                enterprise=enterprise_id, actor=actor_id, kind=kind, changes=changes, version=current["version"]
            )
        )
    if not records:
        return results

    now = datetime.now(UTC)
    await update_rows(
        Enterprise,
        (*ENTERPRISE_COLUMNS, "updated_at", "version"),
        {eid: {**row, "updated_at": now} for eid, row in written_enterprises.items()},
    )
    await update_rows(Founder, _FOUNDER_STATE, written_founders)
    await _move_founders_other_enterprises(sorted(written_founders), written_enterprises.keys())
    await EnterpriseChange.insert(*records)
    return results


async def _move_founders_other_enterprises(founder_ids: Sequence[int], written: Collection[int]) -> None:
    """Move on the version of the founders' other enterprises: their pages show the founder too."""
    for start in range(0, len(founder_ids), BULK_ROWS):
        await Enterprise.update({Enterprise.version: Enterprise.version + 1}).where(
            Enterprise.founder.is_in(list(founder_ids[start : start + BULK_ROWS])) & Enterprise.id.not_in(list(written))
        )


async def apply_draft(
    enterprise_id: int, draft: EnterpriseDraft, actor_id: int, kind: str = "updated"
) -> dict[str, Any]:
    """Overwrite an enterprise and its founder with a draft, recording what changed (inside a transaction)."""
    return (await apply_drafts([(enterprise_id, draft)], actor_id, kind))[0]
