"""Founders' phones encrypted at rest: what is stored in clear is converted, then the clear column dropped.

Runs on SQLite and PostgreSQL: plain SQL in batches by id, each founder's number encrypted,
hashed (keyed) and masked as the application writes it (core.crypto, with the SECRET_KEY in
force when the migration runs).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from core import crypto
from enterprises.identifiers import mask_phone, normalise_phone

ID = "2026-12-02T16:06:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "Founders' phones encrypted at rest: convert the clear numbers, drop the clear column"

BATCH = 500


class _Founder(Table, tablename="enterprises_founder"):
    """The founders' table as raw SQL sees it here (the application's class no longer has `phone`)."""


def converted(phone: str) -> dict[str, str]:
    """The encrypted columns for a number stored in clear (normalised again; kept as stored if it is not a number)."""
    checked = normalise_phone(phone)
    number = phone.strip() if checked.error else checked.number
    if not number:
        return {"phone_cipher": "", "phone_digest": "", "phone_last4": "", "phone_masked": ""}
    return {
        "phone_cipher": crypto.encrypt(number),
        "phone_digest": crypto.digest(number),
        "phone_last4": number[-4:],
        "phone_masked": mask_phone(number),
    }


async def convert_phones(batch: int = BATCH) -> int:
    """Fill the encrypted columns of every founder whose phone is still in clear; returns how many."""
    table = _Founder._meta.tablename
    last_id, done = 0, 0
    while True:
        rows = await _Founder.raw(
            f"SELECT id, phone FROM {table} WHERE id > {{}} AND phone <> '' AND phone_cipher = '' "
            f"ORDER BY id LIMIT {int(batch)}",
            last_id,
        )
        if not rows:
            return done
        for row in rows:
            values = converted(row["phone"])
            await _Founder.raw(
                f"UPDATE {table} SET phone_cipher = {{}}, phone_digest = {{}}, phone_last4 = {{}}, "
                "phone_masked = {} WHERE id = {}",
                values["phone_cipher"],
                values["phone_digest"],
                values["phone_last4"],
                values["phone_masked"],
                row["id"],
            )
        done += len(rows)
        last_id = rows[-1]["id"]


async def drop_phone_index() -> None:
    await _Founder.raw("DROP INDEX IF EXISTS enterprises_founder_phone")


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="enterprises", description=DESCRIPTION)
    # Raw steps run before the column operations: the numbers are converted, then `phone` goes.
    manager.add_raw(convert_phones)
    # SQLite cannot drop an indexed column; PostgreSQL would drop the index with it.
    manager.add_raw(drop_phone_index)

    manager.drop_column(
        table_class_name="Founder",
        tablename="enterprises_founder",
        column_name="phone",
        db_column_name="phone",
        schema=None,
    )

    return manager
