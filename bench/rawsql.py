"""The SQL the queue page runs, by hand: the raw-SQL baseline, EXPLAIN, and what-if indexes.

The statements mirror what Piccolo generates for `casework.services.list_cases` and
`count_by_state` for a district officer filtering on one state (scope condition first, as Piccolo
writes it). Keep them in step when those queries change.
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

# The index the figures argue for: equality columns first, then the sort key. (SQLite appends the
# rowid, i.e. "id", to every index by itself; naming it keeps one statement for both databases.)
WHATIF_INDEX = "bench_whatif_casework_case_district_state"


@dataclass(frozen=True)
class Statement:
    name: str
    sql: str
    params: tuple[Any, ...]


def queue_statements(district: str, state: str, page: int) -> list[Statement]:
    """The three statements of one queue page, in the order the page runs them."""
    return [
        Statement("list", LIST_SQL, (district, state, PER_PAGE, (page - 1) * PER_PAGE)),
        Statement("count", COUNT_SQL, (district, state)),
        Statement("count_by_state", BY_STATE_SQL, (district,)),
    ]


def to_postgres(sql: str) -> str:
    """`?` placeholders as `$1`, `$2`, ..."""
    counter = iter(range(1, 1000))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


class SqliteDatabase:
    kind = "sqlite"

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

    def create_whatif_index(self) -> str:
        sql = f'CREATE INDEX IF NOT EXISTS "{WHATIF_INDEX}" ON "casework_case" ("district", "state", "id")'
        self.connection.execute(sql)
        self.connection.commit()
        return sql

    def drop_whatif_index(self) -> None:
        self.connection.execute(f'DROP INDEX IF EXISTS "{WHATIF_INDEX}"')
        self.connection.commit()


class PostgresDatabase:
    kind = "postgresql"

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

    def create_whatif_index(self) -> str:
        sql = f'CREATE INDEX IF NOT EXISTS "{WHATIF_INDEX}" ON "casework_case" ("district", "state", "id")'
        self._run(self.connection.execute(sql))
        self._run(self.connection.execute('ANALYZE "casework_case"'))
        return sql

    def drop_whatif_index(self) -> None:
        self._run(self.connection.execute(f'DROP INDEX IF EXISTS "{WHATIF_INDEX}"'))


Database = SqliteDatabase | PostgresDatabase
