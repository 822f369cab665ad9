"""Merge a duplicate enterprise record into the one that stays, and read the merges later.

Everything that hangs off the merged record (needs, outcome snapshots, history, and what other
packages register through `register_mover`, such as casework's cases) moves to the survivor in
one write transaction; the merged record stays, marked `merged_into`, so old links and the
`EnterpriseMerge` row keep telling what happened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accounts.policy import Action, Actor, may
from core.db import write_transaction
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from enterprises.access import may_reach_enterprise
from enterprises.identifiers import normalise_text
from enterprises.services import get_enterprise
from enterprises.tables import Enterprise, EnterpriseChange, EnterpriseMerge, Need, OutcomeSnapshot

Mover = Callable[[int, int], Awaitable[int]]
"""`async def move(merged_id, survivor_id) -> int`: re-point a package's rows, return how many moved."""

SAME_RECORD = "Choose two different records: a record cannot be merged into itself."
ALREADY_MERGED = "One of these records has already been merged into another; reload and check."
MERGE_REASON_REQUIRED = "Say why these two records are the same enterprise; the merge is recorded."

_movers: dict[str, Mover] = {}


def register_mover(name: str, move: Mover) -> None:
    """Have `move` carry another package's rows to the survivor of every merge, inside its transaction.

    Packages that enterprises must not import (casework) register themselves here; `name` (e.g.
    "cases") keys the count recorded in the merge and makes registering twice harmless.
    """
    _movers[name] = move


def unregister_mover(name: str) -> None:
    _movers.pop(name, None)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date | Decimal):
        return str(value)
    return value


def _snapshot(record: Mapping[str, Any]) -> dict[str, Any]:
    """The merged record as it was, personal data already masked by `get_enterprise`."""
    return {key: _json_value(value) for key, value in record.items()}


def _check_request(actor: Actor, survivor_id: int, merged_id: int, reason: str) -> str:
    if not may(actor, Action.MERGE_ENTERPRISES):
        raise NotAllowed()
    errors: dict[str, str] = {}
    if survivor_id == merged_id:
        errors["merged_id"] = SAME_RECORD
    reason = normalise_text(reason)[:1000]
    if len(reason) < 2:
        errors["reason"] = MERGE_REASON_REQUIRED
    if errors:
        raise Invalid(errors)
    return reason


async def _claim(enterprise_id: int, now: datetime) -> None:
    """Lock one unmerged record for this merge (a row lock on PostgreSQL); Conflict if it is merged meanwhile."""
    claimed = (
        await Enterprise.update({Enterprise.updated_at: now})
        .where((Enterprise.id == enterprise_id) & Enterprise.merged_into.is_null())
        .returning(Enterprise.id)
    )
    if not claimed:
        raise Conflict(ALREADY_MERGED)


async def _move(
    table: type[Need] | type[OutcomeSnapshot] | type[EnterpriseChange], merged_id: int, survivor_id: int
) -> list[int]:
    rows = await table.update({table.enterprise: survivor_id}).where(table.enterprise == merged_id).returning(table.id)
    return sorted(int(row["id"]) for row in rows)


async def merge_enterprises(actor: Actor, survivor_id: int, merged_id: int, reason: str) -> int:
    """Merge record `merged_id` into `survivor_id`; returns the id of the recorded merge.

    District officers merge records of their district, city officers any two. Both records must
    be unmerged; a record the actor may not see is `NotFound`.
    """
    reason = _check_request(actor, survivor_id, merged_id, reason)
    for enterprise_id in (survivor_id, merged_id):
        if (await get_enterprise(actor, enterprise_id))["merged_into"] is not None:
            raise Conflict(ALREADY_MERGED)
    now = datetime.now(UTC)
    async with write_transaction():
        # Locked in id order, so that A-into-B and B-into-A at once queue instead of deadlocking,
        # and the second finds its record merged.
        for enterprise_id in sorted((survivor_id, merged_id)):
            await _claim(enterprise_id, now)
        survivor = await get_enterprise(actor, survivor_id)
        merged = await get_enterprise(actor, merged_id)
        moved: dict[str, Any] = {
            "needs": await _move(Need, merged_id, survivor_id),
            "snapshots": await _move(OutcomeSnapshot, merged_id, survivor_id),
            "changes": await _move(EnterpriseChange, merged_id, survivor_id),
        }
        # Records merged into this one earlier now point at the survivor: merged_into never chains.
        earlier = (
            await Enterprise.update({Enterprise.merged_into: survivor_id})
            .where(Enterprise.merged_into == merged_id)
            .returning(Enterprise.id)
        )
        moved["merged_records"] = sorted(int(row["id"]) for row in earlier)
        await Enterprise.update({Enterprise.merged_into: survivor_id, Enterprise.updated_at: now}).where(
            Enterprise.id == merged_id
        )
        others = {name: await move(merged_id, survivor_id) for name, move in sorted(_movers.items())}
        rows = await EnterpriseMerge.insert(
            EnterpriseMerge(
                survivor=survivor_id,
                merged=merged_id,
                actor=actor.user_id,
                reason=reason,
                snapshot={"merged": _snapshot(merged), "moved": moved, "moved_by_others": others},
            )
        ).returning(EnterpriseMerge.id)
        merge_id = int(rows[0]["id"])
        await EnterpriseChange.insert(
            EnterpriseChange(
                enterprise=survivor_id,
                actor=actor.user_id,
                kind="merged",
                changes={"merged_record": [f"#{merged_id} {merged['name']}", f"#{survivor_id} {survivor['name']}"]},
            )
        )
    return merge_id


_MERGE_COLUMNS = (
    EnterpriseMerge.id,
    EnterpriseMerge.survivor,
    EnterpriseMerge.merged,
    EnterpriseMerge.reason,
    EnterpriseMerge.snapshot,
    EnterpriseMerge.created_at,
    EnterpriseMerge.actor.display_name.as_alias("actor_name"),
    EnterpriseMerge.survivor.name.as_alias("survivor_name"),
    EnterpriseMerge.survivor.district.as_alias("survivor_district"),
    EnterpriseMerge.survivor.registered_by.as_alias("survivor_owner"),
    EnterpriseMerge.merged.name.as_alias("merged_name"),
    EnterpriseMerge.merged.district.as_alias("merged_district"),
    EnterpriseMerge.merged.registered_by.as_alias("merged_owner"),
)


def _merge_out(actor: Actor, row: Mapping[str, Any]) -> dict[str, Any]:
    snapshot = row["snapshot"] or {}
    return {
        "id": row["id"],
        "survivor_id": row["survivor"],
        "survivor_name": row["survivor_name"],
        "survivor_visible": may_reach_enterprise(
            actor, {"district": row["survivor_district"], "registered_by": row["survivor_owner"]}
        ),
        "merged_id": row["merged"],
        "merged_name": row["merged_name"],
        "merged_visible": may_reach_enterprise(
            actor, {"district": row["merged_district"], "registered_by": row["merged_owner"]}
        ),
        "actor_name": row["actor_name"],
        "reason": row["reason"],
        "merged_record": snapshot.get("merged", {}),
        "moved": {
            **{key: len(ids) for key, ids in snapshot.get("moved", {}).items()},
            **snapshot.get("moved_by_others", {}),
        },
        "created_at": row["created_at"],
    }


async def merges_of(actor: Actor, enterprise_id: int) -> list[dict[str, Any]]:
    """The merges that made or ended record `enterprise_id`, oldest first (NotFound if the actor may not see it).

    A survivor's list includes the merges into records that were merged into it later on.
    """
    record = await get_enterprise(actor, enterprise_id)
    ids = {enterprise_id}
    if record["merged_into"] is None:
        ids |= {
            row["id"] for row in await Enterprise.select(Enterprise.id).where(Enterprise.merged_into == enterprise_id)
        }
    rows = (
        await EnterpriseMerge.select(*_MERGE_COLUMNS)
        .where(EnterpriseMerge.survivor.is_in(list(ids)) | EnterpriseMerge.merged.is_in(list(ids)))
        .order_by(EnterpriseMerge.id)
        .output(load_json=True)
    )
    return [_merge_out(actor, row) for row in rows]


async def get_merge(actor: Actor, merge_id: int) -> dict[str, Any]:
    """One recorded merge, for an actor who may see its survivor or its merged record."""
    row = (
        await EnterpriseMerge.select(*_MERGE_COLUMNS)
        .where(EnterpriseMerge.id == merge_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound()
    merge = _merge_out(actor, row)
    if not (merge["survivor_visible"] or merge["merged_visible"]):
        raise NotFound()
    return merge


async def _counts(enterprise_id: int) -> dict[str, int]:
    return {
        "needs": await Need.count().where(Need.enterprise == enterprise_id),
        "snapshots": await OutcomeSnapshot.count().where(OutcomeSnapshot.enterprise == enterprise_id),
        "changes": await EnterpriseChange.count().where(EnterpriseChange.enterprise == enterprise_id),
    }


async def _for_comparison(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    record = await get_enterprise(actor, enterprise_id)
    if record["merged_into"] is not None:
        raise Conflict(ALREADY_MERGED)
    owner = (
        await Enterprise.select(Enterprise.registered_by.display_name.as_alias("name"))
        .where(Enterprise.id == enterprise_id)
        .first()
    )
    return {**record, "registered_by_name": (owner or {}).get("name") or "", "counts": await _counts(enterprise_id)}


async def merge_preview(actor: Actor, survivor_id: int, merged_id: int) -> dict[str, dict[str, Any]]:
    """The two records side by side (masked) with what hangs off each, for the confirmation page."""
    if not may(actor, Action.MERGE_ENTERPRISES):
        raise NotAllowed()
    if survivor_id == merged_id:
        raise Invalid({"merged": SAME_RECORD})
    return {"survivor": await _for_comparison(actor, survivor_id), "merged": await _for_comparison(actor, merged_id)}
