"""`fuchi rotate-key`: re-encrypt every stored secret under SECRET_KEY and re-hash every keyed digest.

After SECRET_KEY changes (the old one moved to FUCHI_OLD_SECRET_KEYS) everything stays readable,
but old rows still depend on the old key. This job walks every encrypted column in batches, in
id order, and rewrites what is not yet under the current key. Each row is written with its old
value in the WHERE, so a row the app changed meanwhile is left to its new (current-key) value; a
re-run — after a crash, a retry, a second request — finds nothing left and changes nothing. Once
it has finished, the old key can be dropped from FUCHI_OLD_SECRET_KEYS.

It lives above the domains because it reads every domain's tables.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from piccolo.table import Table
from piccolo.utils.sync import run_sync

from casework.tables import TextMessage
from core import crypto
from core.audit import AuditKind, record_event
from core.db import write_transaction
from core.jobs import JobKind, dispatch, promise_job
from core.tables import OutboxJob
from enterprises.imports.tables import ImportRow
from enterprises.tables import Founder

log = logging.getLogger(__name__)

ROTATE_JOB = "operations.key_rotation.rotate_keys"
BATCH_SIZE = 500
TIMEOUT_SECONDS = 4 * 3600  # a city's registry is tens of thousands of rows: minutes; bounded generously


@dataclass(frozen=True)
class Sealed:
    """A table's encrypted columns, each with the column holding its keyed digest (or None)."""

    table: type[Table]
    ciphers: Mapping[str, str | None]

    def present(self) -> dict[str, str | None]:
        """The columns the table has today (founders' phones are being added as this is written)."""
        meta = {column._meta.name for column in self.table._meta.columns}
        return {cipher: (d if d in meta else None) for cipher, d in self.ciphers.items() if cipher in meta}


SEALED_COLUMNS: tuple[Sealed, ...] = (
    Sealed(Founder, {"id_number_cipher": "id_number_digest", "phone_cipher": "phone_digest"}),
    Sealed(TextMessage, {"phone_cipher": None, "body_cipher": None}),
)


@dataclass
class Tally:
    """What one table's pass saw and changed: logged and audited (counts only, no personal data)."""

    rows: int = 0
    changed: int = 0
    skipped: int = 0  # changed by the app between our read and our write: already current

    def as_dict(self) -> dict[str, int]:
        return {"rows": self.rows, "changed": self.changed, "skipped": self.skipped}


@dataclass
class Report:
    tables: dict[str, Tally] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(tally.changed for tally in self.tables.values())


def key_fingerprint() -> str:
    """A short name of the current key (a digest of a constant under it): tells rotations apart, reveals nothing."""
    return hashlib.sha256(crypto.digest("fuchi key fingerprint").encode()).hexdigest()[:16]


def job_id() -> str:
    """One rotation per key: asking twice while it runs does not queue it twice."""
    return f"rotate-key-{key_fingerprint()}"


def fresh_values(row: Mapping[str, Any], ciphers: Mapping[str, str | None]) -> dict[str, str]:
    """The columns of `row` whose value must change for it to depend on the current key alone."""
    changes: dict[str, str] = {}
    for cipher, digest_column in ciphers.items():
        token = row[cipher] or ""
        if not token:
            continue
        if not crypto.is_current(token):
            changes[cipher] = crypto.reencrypt(token)
        if digest_column is not None:
            wanted = crypto.digest(crypto.decrypt(token))
            if row[digest_column] != wanted:
                changes[digest_column] = wanted
    return changes


def fresh_json(value: Any) -> Any:
    """A JSON document with every `*_cipher` string re-encrypted and any sibling `*_digest` re-hashed."""
    if isinstance(value, list):
        return [fresh_json(item) for item in value]
    if not isinstance(value, dict):
        return value
    fresh = {key: fresh_json(item) for key, item in value.items()}
    for key, token in value.items():
        if not (key.endswith("_cipher") and isinstance(token, str) and token):
            continue
        fresh[key] = crypto.reencrypt(token)
        digest_key = key.removesuffix("_cipher") + "_digest"
        if isinstance(value.get(digest_key), str) and value[digest_key]:
            fresh[digest_key] = crypto.digest(crypto.decrypt(token))
    return fresh


def _stored(ciphers: Mapping[str, str | None]) -> list[str]:
    """The cipher columns and their digest columns."""
    return [*ciphers, *(digest for digest in ciphers.values() if digest is not None)]


async def _rotate_columns(sealed: Sealed, tally: Tally, batch_size: int) -> None:
    table = sealed.table
    ciphers = sealed.present()
    key = table._meta.primary_key
    columns = [key, *(table._meta.get_column_by_name(name) for name in _stored(ciphers))]
    last_id = 0
    while True:
        rows = await table.select(*columns).where(key > last_id).order_by(key).limit(batch_size)
        if not rows:
            return
        async with write_transaction():
            for row in rows:
                changes = fresh_values(row, ciphers)
                if changes:
                    await _write_if_unchanged(table, row, ciphers, changes, tally)
        tally.rows += len(rows)
        last_id = rows[-1]["id"]
        log.info("rotate-key: %s: %d rows read, %d rewritten", table._meta.tablename, tally.rows, tally.changed)


async def _write_if_unchanged(
    table: type[Table], row: Mapping[str, Any], ciphers: Mapping[str, str | None], changes: dict[str, str], tally: Tally
) -> None:
    key = table._meta.primary_key
    condition = key == row["id"]
    for name in _stored(ciphers):
        condition &= table._meta.get_column_by_name(name) == row[name]
    written = await (
        table.update({table._meta.get_column_by_name(name): value for name, value in changes.items()})
        .where(condition)
        .returning(key)
    )
    if written:
        tally.changed += 1
    else:
        tally.skipped += 1


async def _rotate_import_rows(tally: Tally, batch_size: int) -> None:
    last_id = 0
    while True:
        rows = (
            await ImportRow.select(ImportRow.id, ImportRow.data)
            .where(ImportRow.id > last_id)
            .order_by(ImportRow.id)
            .limit(batch_size)
            .output(load_json=True)
        )
        if not rows:
            return
        async with write_transaction():
            for row in rows:
                fresh = fresh_json(row["data"])
                if fresh == row["data"]:
                    continue
                # JSON text is not comparable across databases: the re-read inside the transaction
                # stands in for the old value in the WHERE.
                current = await ImportRow.select(ImportRow.data).where(ImportRow.id == row["id"]).output(load_json=True)
                if not current or current[0]["data"] != row["data"]:
                    tally.skipped += 1
                    continue
                await ImportRow.update({ImportRow.data: fresh}).where(ImportRow.id == row["id"])
                tally.changed += 1
        tally.rows += len(rows)
        last_id = rows[-1]["id"]
        log.info("rotate-key: %s: %d rows read, %d rewritten", ImportRow._meta.tablename, tally.rows, tally.changed)


async def rotate(actor_id: int | None = None, *, batch_size: int = BATCH_SIZE) -> Report:
    """Bring every encrypted value and digest under the current key; audited; returns what changed."""
    crypto.reload_keys()  # a long-lived worker reads the keys its settings name now
    report = Report()
    for sealed in SEALED_COLUMNS:
        report.tables[sealed.table._meta.tablename] = tally = Tally()
        await _rotate_columns(sealed, tally, batch_size)
    report.tables[ImportRow._meta.tablename] = tally = Tally()
    await _rotate_import_rows(tally, batch_size)
    await record_event(
        AuditKind.KEY_ROTATED,
        actor_id=actor_id,
        target=f"key:{key_fingerprint()}",
        detail={name: tally.as_dict() for name, tally in report.tables.items()},
        source="",
    )
    log.info("rotate-key: done, %d rows rewritten under key %s", report.changed, key_fingerprint())
    return report


def rotate_keys(actor_id: int | None = None) -> None:
    """The background job (HEAVY): `rotate`, run again safely after any interruption."""
    run_sync(rotate(actor_id))


async def request_rotation(actor_id: int | None = None) -> tuple[str, bool]:
    """Queue the rotation to the current key; returns its job id and whether it was already done."""
    job = job_id()
    async with write_transaction():
        await promise_job(ROTATE_JOB, [actor_id], job, kind=JobKind.HEAVY, timeout_seconds=TIMEOUT_SECONDS)
        row = await OutboxJob.select(OutboxJob.done_at).where(OutboxJob.job_id == job).first()
    await dispatch([job])
    return job, row is not None and row["done_at"] is not None
