"""The audit trail: security events in an append-only table, each row chained to the one before.

`record_event` is the one way in. A row's `hash` is sha256 of the previous row's hash and the
row's own fields in canonical JSON, so editing or removing any row but the last breaks the chain
at the next one, which `verify_chain` (`fuchi audit verify`) names. Appending reads the last hash
and inserts in one write transaction under a lock (SQLite: the write lock of an IMMEDIATE
transaction; PostgreSQL: a transaction-level advisory lock), so concurrent writers never fork
the chain. No code path updates or deletes a row; on PostgreSQL a trigger refuses both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from core.db import engine, write_transaction
from core.tables import AuditEvent


class AuditKind(StrEnum):
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_THROTTLED = "sign_in_throttled"
    REFUSED = "refused"  # 403 or 404 on something out of the user's reach
    REVEAL = "reveal"  # personal data shown in clear
    ACCOUNT_CHANGED = "account_changed"
    TOKEN_REVOKED = "token_revoked"
    EXPORT = "export"
    DUPLICATE_CHECK = "duplicate_check"
    KEY_ROTATED = "key_rotated"
    BACKUP = "backup"


# Any fixed number: the one advisory lock that serialises appends to the chain on PostgreSQL.
CHAIN_LOCK = 0x46554348  # "FUCH"
TARGET_LENGTH = 500
SOURCE_LENGTH = 100


def _timestamp(at: datetime) -> str:
    """One spelling of a time whatever the database gives back (SQLite text, PostgreSQL timestamptz)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def chain_hash(prev_hash: str, row: Mapping[str, Any]) -> str:
    """The hash of an event: its predecessor's hash and its own fields, in canonical JSON."""
    detail = row["detail"]
    if isinstance(detail, str):  # stored JSON text, as SQLite and PostgreSQL's json hand it back
        detail = json.loads(detail or "{}")
    fields = {
        "at": _timestamp(row["at"]),
        "kind": str(row["kind"]),
        "actor_id": row["actor_id"],
        "target": row["target"],
        "detail": detail,
        "source": row["source"],
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


async def hold_the_chain() -> None:
    """Inside a write transaction: wait for, and hold to its end, the right to append to the trail.

    SQLite's IMMEDIATE write transaction already holds it; PostgreSQL takes a transaction-level
    advisory lock. A caller that must count events and then append one (a quota) takes it first,
    so two requests never both see the last free place.
    """
    if isinstance(engine(), PostgresEngine):
        await engine().run_ddl(f"SELECT pg_advisory_xact_lock({CHAIN_LOCK})")


async def count_events(kind: AuditKind, actor_id: int, since: datetime) -> int:
    """How many events of a kind one user caused since a moment (a quota counted from the trail)."""
    return int(
        await AuditEvent.count().where(
            (AuditEvent.kind == AuditKind(kind).value) & (AuditEvent.actor_id == actor_id) & (AuditEvent.at > since)
        )
    )


async def record_event(
    kind: AuditKind,
    *,
    actor_id: int | None,
    target: str = "",
    detail: Mapping[str, Any] | None = None,
    source: str = "",
) -> None:
    """Append one event to the trail.

    Inside an open transaction the event joins it (and is rolled back with it); outside, it is
    written in its own. `detail` holds small facts, never personal data.
    """
    row: dict[str, Any] = {
        "at": datetime.now(UTC),
        "kind": AuditKind(kind).value,
        "actor_id": actor_id,
        "target": target[:TARGET_LENGTH],
        "detail": dict(detail or {}),
        "source": source[:SOURCE_LENGTH],
    }
    async with write_transaction():  # joins the caller's transaction when there is one
        await hold_the_chain()  # to the end of the (outer) transaction: the next writer reads our hash
        last = await AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id, ascending=False).first()
        prev_hash = last["hash"] if last else ""
        await AuditEvent.insert(
            AuditEvent(
                at=row["at"],
                kind=row["kind"],
                actor_id=actor_id,
                target=row["target"],
                detail=row["detail"],
                source=row["source"],
                prev_hash=prev_hash,
                hash=chain_hash(prev_hash, row),
            )
        )


@dataclass(frozen=True)
class ChainReport:
    """What a walk of the chain found: how many events, and the first broken one if any."""

    events: int
    broken_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None


async def _rows(batch: int = 1000) -> AsyncIterator[dict[str, Any]]:
    last_id = 0
    while True:
        rows = (
            await AuditEvent.select()
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch)
            .output(load_json=True)
        )
        for row in rows:
            yield row
        if len(rows) < batch:
            return
        last_id = rows[-1]["id"]


async def verify_chain() -> ChainReport:
    """Walk the trail in order; the first row whose links or contents do not hash right is broken."""
    prev_hash = ""
    count = 0
    async for row in _rows():
        count += 1
        if row["prev_hash"] != prev_hash:
            return ChainReport(count, row["id"], "its link to the previous event does not match (a row was removed)")
        if chain_hash(prev_hash, row) != row["hash"]:
            return ChainReport(count, row["id"], "its contents do not match its hash (the row was edited)")
        prev_hash = row["hash"]
    return ChainReport(count)
