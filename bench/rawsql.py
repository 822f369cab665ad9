"""The SQL the queue page and the enterprise search run, by hand: the raw-SQL baselines and EXPLAIN.

The queue statements mirror what Piccolo generates for `casework.services.count_by_state` and
`list_cases` (the queue page), and `list_cases` with its count (the API), for a district officer
filtering on one state (scope condition first, as Piccolo writes it); the search statements mirror
`enterprises.services.list_enterprises` for a district officer searching by name or by phone digits
(checked against Piccolo's own SQL, logged with `Query.__str__`). Keep them in step when those
queries change.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from bench.measure import Sample, timed_async_loop, timed_loop

PER_PAGE = 20

LIST_SQL = """\
SELECT "casework_case"."id", "casework_case"."state", "casework_case"."priority",
       "casework_case"."district", "casework_case"."created_at", "casework_case"."version",
       "casework_case"."filed_by", "e"."id" AS "enterprise_id", "e"."name" AS "enterprise_name",
       "e"."town" AS "town", "u"."display_name" AS "filed_by_name"
FROM "casework_case"
LEFT JOIN "enterprises_enterprise" "e" ON "casework_case"."enterprise" = "e"."id"
LEFT JOIN "accounts_user" "u" ON "casework_case"."filed_by" = "u"."id"
WHERE "casework_case"."district" = ? AND "casework_case"."state" = ?
ORDER BY "casework_case"."id" DESC LIMIT ? OFFSET ?"""

COUNT_SQL = """\
SELECT COUNT(*) AS "count" FROM "casework_case"
WHERE "casework_case"."district" = ? AND "casework_case"."state" = ?"""

BY_STATE_SQL = """\
SELECT "casework_case"."state", COUNT(*) AS "n" FROM "casework_case"
WHERE "casework_case"."district" = ? GROUP BY "casework_case"."state\""""

# enterprises.services: the list's summary columns, the founder joined for his name and phone.
_FOUNDER = '"enterprises_enterprise$founder"'
_SEARCH_FROM = f"""\
FROM "enterprises_enterprise"
LEFT JOIN "enterprises_founder" {_FOUNDER} ON ("enterprises_enterprise"."founder" = {_FOUNDER}."id")"""
SEARCH_LIST_SQL = f"""\
SELECT "enterprises_enterprise"."id", "enterprises_enterprise"."name", "enterprises_enterprise"."legal_form",
       "enterprises_enterprise"."district", "enterprises_enterprise"."town", "enterprises_enterprise"."village",
       "enterprises_enterprise"."park", "enterprises_enterprise"."industry", "enterprises_enterprise"."status",
       "enterprises_enterprise"."stage", "enterprises_enterprise"."credit_code",
       "enterprises_enterprise"."registered_by", "enterprises_enterprise"."created_at",
       {_FOUNDER}."id" AS "founder_id", {_FOUNDER}."name" AS "founder_name",
       {_FOUNDER}."phone_masked" AS "founder_phone", {_FOUNDER}."id_number_last4" AS "founder_id_last4"
{_SEARCH_FROM}
WHERE (("enterprises_enterprise"."district" = ? AND "enterprises_enterprise"."merged_into" IS NULL) AND {{match}})
ORDER BY "enterprises_enterprise"."id" DESC LIMIT ? OFFSET ?"""
SEARCH_COUNT_SQL = f"""\
SELECT COUNT(*) AS "count"
{_SEARCH_FROM}
WHERE (("enterprises_enterprise"."district" = ? AND "enterprises_enterprise"."merged_into" IS NULL) AND {{match}})"""
# `ilike` in Piccolo: ILIKE on PostgreSQL, LIKE on SQLite (case-insensitive for ASCII there anyway).
NAME_MATCH = f'("enterprises_enterprise"."name" {{like}} ? OR {_FOUNDER}."name" {{like}} ?)'
# Phones are stored encrypted: a search by digits is by the last four (enterprises.listing).
PHONE_MATCH = f'{_FOUNDER}."phone_last4" = ?'


@dataclass(frozen=True)
class Statement:
    name: str
    sql: str
    params: tuple[Any, ...]


def queue_statements(district: str, state: str, page: int) -> list[Statement]:
    """The two statements of one queue page, in the order the page runs them (its total is a per-state count)."""
    return [
        Statement("count_by_state", BY_STATE_SQL, (district,)),
        Statement("list", LIST_SQL, (district, state, PER_PAGE, (page - 1) * PER_PAGE)),
    ]


def api_list_statements(district: str, state: str) -> list[Statement]:
    """The two statements of `GET /api/v1/cases?state=…` page 1: the list and its count."""
    return [
        Statement("list", LIST_SQL, (district, state, PER_PAGE, 0)),
        Statement("count", COUNT_SQL, (district, state)),
    ]


def search_statements(district: str, like: str, q: str = "", phone_digits: str = "") -> list[Statement]:
    """List (page 1) and count of an enterprise search by name fragment `q` or by a phone's last four digits.

    `like` is "LIKE" (SQLite) or "ILIKE" (PostgreSQL). A name fragment shorter than 4 code characters
    adds no credit-code condition, as in `enterprises.services._conditions`; 柑橘 is such a fragment.
    """
    params: tuple[str, ...]
    if q:
        match, params = NAME_MATCH.format(like=like), (f"%{q}%", f"%{q}%")
    else:
        match, params = PHONE_MATCH, (phone_digits,)
    return [
        Statement("search_list", SEARCH_LIST_SQL.format(match=match), (district, *params, PER_PAGE, 0)),
        Statement("search_count", SEARCH_COUNT_SQL.format(match=match), (district, *params)),
    ]


def to_postgres(sql: str) -> str:
    """`?` placeholders as `$1`, `$2`, ..."""
    counter = iter(range(1, 1000))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


class SqliteDatabase:
    kind = "sqlite"
    like = "LIKE"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection = sqlite3.connect(path, timeout=15)

    def close(self) -> None:
        self.connection.close()

    def version(self) -> str:
        return sqlite3.sqlite_version

    def explain(self, statement: Statement) -> list[str]:
        rows = self.connection.execute(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params).fetchall()
        depth: dict[int, int] = {0: -1}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + str(detail))
        return lines

    def page_round(self, statements: list[Statement], requests: int | None, seconds: float | None) -> Sample:
        """All statements of a page on one kept connection, per page."""
        connection = self.connection

        def one_page() -> None:
            for s in statements:
                connection.execute(s.sql, s.params).fetchall()

        return timed_loop(one_page, requests, seconds)

    def piccolo_style_round(self, statements: list[Statement], requests: int | None, seconds: float | None) -> Sample:
        """As Piccolo runs each query on SQLite: a new connection with type detection, a PRAGMA, a commit."""
        path = self.path

        def one_page() -> None:
            for s in statements:
                connection = sqlite3.connect(
                    path, timeout=15, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
                )
                try:
                    connection.execute("PRAGMA foreign_keys = 1")
                    cursor = connection.execute(s.sql, s.params)
                    connection.commit()
                    cursor.fetchall()
                finally:
                    connection.close()

        return timed_loop(one_page, requests, seconds)


class PostgresDatabase:
    kind = "postgresql"
    like = "ILIKE"

    def __init__(self, url: str, runner: asyncio.Runner) -> None:
        self.url = url
        self.runner = runner
        self.connection: asyncpg.Connection = runner.run(asyncpg.connect(url))

    def _run(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        return self.runner.run(coroutine)

    def close(self) -> None:
        self._run(self.connection.close())

    def version(self) -> str:
        return str(self._run(self.connection.fetchval("SHOW server_version")))

    def explain(self, statement: Statement) -> list[str]:
        rows = self._run(
            self.connection.fetch(f"EXPLAIN (ANALYZE, COSTS OFF) {to_postgres(statement.sql)}", *statement.params)
        )
        return [str(row[0]) for row in rows]

    def page_round(self, statements: list[Statement], requests: int | None, seconds: float | None) -> Sample:
        """All statements of a page on one kept connection, per page."""
        prepared = [(to_postgres(s.sql), s.params) for s in statements]
        connection = self.connection

        async def one_page() -> None:
            for sql, params in prepared:
                await connection.fetch(sql, *params)

        run: Callable[[], Coroutine[Any, Any, object]] = one_page
        sample: Sample = self._run(timed_async_loop(run, requests, seconds))
        return sample


Database = SqliteDatabase | PostgresDatabase
