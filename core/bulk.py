"""Bulk writes that stay a few statements for any number of rows, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from piccolo.columns import BigSerial, Column, Serial, Text, Varchar
from piccolo.engine.postgres import PostgresEngine
from piccolo.table import Table

from core.db import engine

# How many rows one bulk UPDATE writes: 500 rows of 17 columns are some 8,500 parameters, well within
# SQLite's 32,766 and PostgreSQL's 32,767.
BULK_ROWS = 500


async def reserve_ids(table: type[Table], count: int) -> list[int]:
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


def _parameter(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _placeholder(table: type[Table], column: str, postgres: bool) -> str:
    # On PostgreSQL the parameters of a VALUES list are typed only by a cast (text needs none); on
    # SQLite a cast would turn a date into a number, and the column's own type converts the value.
    found = table._meta.get_column_by_name(column)
    if not postgres or isinstance(found, Varchar | Text):
        return "{}"
    # A serial column's type is a column default, not a type a value can be cast to.
    serial_types: dict[type[Column], str] = {BigSerial: "BIGINT", Serial: "INTEGER"}
    cast = serial_types.get(type(found), found.column_type)
    return f"CAST({{}} AS {cast})"


async def update_rows(table: type[Table], columns: Sequence[str], rows: Mapping[int, Mapping[str, Any]]) -> None:
    """Set `columns` of each row id -> values, a few hundred rows per UPDATE (inside the caller's transaction).

    The values come in a VALUES list joined on the id (UPDATE ... FROM, SQLite 3.33 and PostgreSQL),
    so each row is found by its key once.
    """
    name = table._meta.tablename
    postgres = isinstance(engine(), PostgresEngine)
    row_sql = f"({', '.join(_placeholder(table, c, postgres) for c in ('id', *columns))})"
    names = ", ".join(f'"{c}"' for c in ("id", *columns))
    assignments = ", ".join(f'"{c}" = v."{c}"' for c in columns)
    items = list(rows.items())
    for start in range(0, len(items), BULK_ROWS):
        chunk = items[start : start + BULK_ROWS]
        await table.raw(
            f"WITH v ({names}) AS (VALUES {', '.join(row_sql for _ in chunk)}) "
            f'UPDATE "{name}" SET {assignments} FROM v WHERE "{name}"."id" = v."id"',
            *(_parameter(value) for row_id, values in chunk for value in (row_id, *(values[c] for c in columns))),
        )
