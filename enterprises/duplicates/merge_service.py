"""Merge a duplicate enterprise record into the one that stays, and read the merges later.

Everything that hangs off the merged record (needs, outcome snapshots, history, and what other
packages register through `register_mover`, such as casework's cases) moves to the survivor in
one write transaction; the merged record stays, marked `merged_into`, so old links and the
`EnterpriseMerge` row keep telling what happened. Each request reads each record once, with its
scope check, and hands what it read on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from accounts.policy import Action, Actor, may
from accounts.tables import User
from core.db import write_transaction
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.text import normalise_text
from enterprises.access import may_reach_enterprise
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


async def _claim(enterprise_id: int, now: datetime) -> bool:
    """Lock one unmerged record for this merge (a row lock on PostgreSQL); False if it is merged or missing."""
    claimed = (
        # The version moves on too: an edit begun before the merge is refused, not applied to either record.
        await Enterprise.update({Enterprise.updated_at: now, Enterprise.version: Enterprise.version + 1})
        .where((Enterprise.id == enterprise_id) & Enterprise.merged_into.is_null())
        .returning(Enterprise.id)
    )
    return bool(claimed)


async def _unmerged(actor: Actor, enterprise_id: int, claimed: bool = True) -> dict[str, Any]:
    """The record, masked; `NotFound` if the actor may not see it, else `Conflict` if merged or not claimed."""
    record = await get_enterprise(actor, enterprise_id)
    if record["merged_into"] is not None or not claimed:
        raise Conflict(ALREADY_MERGED)
    return record


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
    now = datetime.now(UTC)
    async with write_transaction():
        # Locked in id order, so that A-into-B and B-into-A at once queue instead of deadlocking,
        # and the second finds its record merged.
        claimed = {
            enterprise_id: await _claim(enterprise_id, now) for enterprise_id in sorted((survivor_id, merged_id))
        }
        # Read after the claim, so the snapshot is the record as merged; the scope check comes
        # before the claim's verdict, so a record out of reach is NotFound, never Conflict. A
        # refusal rolls the claims back.
        survivor = await _unmerged(actor, survivor_id, claimed[survivor_id])
        merged = await _unmerged(actor, merged_id, claimed[merged_id])
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
                version=survivor["version"],  # read after the claim moved it on
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


async def merge_history(actor: Actor, enterprise_id: int) -> dict[str, Any]:
    """All the merges page shows: the record (NotFound if the actor may not see it) and its `merges_of`."""
    record = await get_enterprise(actor, enterprise_id)
    return {"enterprise": record, "merges": await _merges_touching(actor, record)}


async def merges_of(actor: Actor, enterprise_id: int) -> list[dict[str, Any]]:
    """The merges that made or ended record `enterprise_id`, oldest first (NotFound if the actor may not see it).

    A survivor's list includes the merges into records that were merged into it later on.
    """
    return await _merges_touching(actor, await get_enterprise(actor, enterprise_id))


async def _merges_touching(actor: Actor, record: Mapping[str, Any]) -> list[dict[str, Any]]:
    enterprise_id = int(record["id"])
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


async def _display_names(user_ids: Iterable[int | None]) -> dict[int, str]:
    wanted = sorted({user_id for user_id in user_ids if user_id is not None})
    if not wanted:
        return {}
    rows = await User.select(User.id, User.display_name).where(User.id.is_in(wanted))
    return {int(row["id"]): row["display_name"] or "" for row in rows}


async def merge_preview(actor: Actor, survivor_id: int, merged_id: int) -> dict[str, dict[str, Any]]:
    """The two records side by side (masked) with what hangs off each, for the confirmation page."""
    if not may(actor, Action.MERGE_ENTERPRISES):
        raise NotAllowed()
    if survivor_id == merged_id:
        raise Invalid({"merged": SAME_RECORD})
    records = {"survivor": await _unmerged(actor, survivor_id), "merged": await _unmerged(actor, merged_id)}
    owners = await _display_names(record["registered_by"] for record in records.values())
    return {
        role: {
            **record,
            "registered_by_name": owners.get(record["registered_by"], ""),
            "counts": await _counts(record["id"]),
        }
        for role, record in records.items()
    }
