"""Writing the seeded tables in bulk: `executemany` on SQLite, `COPY` on PostgreSQL, one transaction each.

Ids are written as given (they grow with `created_at`); on PostgreSQL the sequences are moved past them.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.seed_world import Table


def _sqlite_value(value: Any) -> Any:
    # As Piccolo's SQLite adapters store them: aware datetimes as str() in UTC, dates ISO, numerics float.
    if isinstance(value, datetime):
        return str(value.astimezone(UTC))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return str(value)  # StrEnum members as their plain value
    return value


def _insert_sql(table: Table, placeholder: str = "?") -> str:
    columns = ", ".join(f'"{c}"' for c in table.columns)
    return f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join([placeholder] * len(table.columns))})'


def write_sqlite(path: Path, tables: list[Table]) -> None:
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("PRAGMA synchronous = OFF")  # this connection only: the seed is rebuilt if lost
        with connection:
            for table in tables:
                rows = [tuple(_sqlite_value(v) for v in row) for row in table.rows]
                connection.executemany(_insert_sql(table), rows)
    finally:
        connection.close()


def _pg_value(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    return value


async def write_postgres(url: str, tables: list[Table]) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            for table in tables:
                records = [tuple(_pg_value(v) for v in row) for row in table.rows]
                await connection.copy_records_to_table(table.name, records=records, columns=list(table.columns))
                # Ids were given explicitly: move the sequence past them for the app's own inserts.
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'(SELECT MAX("id") FROM "{table.name}"))'
                )
        # What autovacuum does soon after a bulk load: statistics for the planner, and the visibility
        # map that lets counts use index-only scans. Without it the figures are those of minute one.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()
