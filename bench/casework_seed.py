"""Building the casework benchmark's world (bench.casework_world), writing it fast, and knowing when it is written.

SQLite: `executemany` in one transaction on a connection of its own with no journal and no sync, the indexes
dropped first and rebuilt after (a sort beats millions of random insertions); the file is left in WAL mode, as
the app expects. PostgreSQL: `COPY` (asyncpg's copy_records_to_table) with the per-row foreign-key triggers off
for the load (superuser only) and the indexes rebuilt after, then VACUUM ANALYZE as autovacuum would soon do.
A manifest table written last (`bench_seed_manifest`) holds the fingerprint and the row counts: `seeded_sqlite`
and `seeded_postgres` tell a later run that the database is complete and can be reused.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import piccolo.engine.sqlite  # noqa: F401  registers the adapters: datetimes, dates, decimals stored as the app does

import accounts.piccolo_app as accounts_app
import casework.piccolo_app as casework_app
import enterprises.piccolo_app as enterprises_app
import experts.piccolo_app as experts_app
from bench.casework_cases import CASE_TABLES, cases
from bench.casework_people import PEOPLE_TABLES, accounts, enterprises
from bench.casework_world import World, WorldSizes
from bench.seed_world import Table

SEED_VERSION = 2  # bump when the world changes: it is part of the fingerprint, so a stale database is re-seeded
MANIFEST = "bench_seed_manifest"
SEEDED_TABLES = (*PEOPLE_TABLES, *CASE_TABLES)


@dataclass
class SeedResult:
    counts: dict[str, int]
    build_seconds: float  # building rows in Python (interleaved with writing; measured apart)
    write_seconds: float  # the inserts or COPYs
    index_seconds: float  # rebuilding the indexes, and VACUUM ANALYZE on PostgreSQL
    seconds: float  # the whole seeding, wall clock
    reused: bool = False
    cases_by_state: dict[str, int] = field(default_factory=dict)


def fingerprint(schema: list[str], sizes: WorldSizes) -> str:
    """What a seeded database depends on: the columns the seed writes into, the seeder and the sizes.

    Not every migration: a new index or a new table is applied by `forwards` to the kept database, without
    seeding a million cases again; a changed column of a seeded table means a new database.
    """
    text = json.dumps({"schema": sorted(schema), "seed_version": SEED_VERSION, "sizes": asdict(sizes)})
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def seeded_schema() -> list[str]:
    """The columns of the tables the seed writes, as `table.column Type [null]`, from the app's table classes."""
    classes = {
        table._meta.tablename: table
        for app in (accounts_app, experts_app, enterprises_app, casework_app)
        for table in app.APP_CONFIG.table_classes
    }
    return sorted(
        f"{name}.{column._meta.db_column_name} {type(column).__name__}{' null' if column._meta.null else ''}"
        for name in SEEDED_TABLES
        for column in classes[name]._meta.columns
    )


class _Clock:
    def __init__(self) -> None:
        self.build = 0.0
        self.write = 0.0

    def chunks(self, source: Iterator[list[Table]], say: Callable[[str], None], cases: int) -> Iterator[list[Table]]:
        """The chunks of `source`, the time spent building them counted apart, with a progress line now and then."""
        written = 0
        shown = time.perf_counter()
        while True:
            t = time.perf_counter()
            chunk = next(source, None)
            self.build += time.perf_counter() - t
            if chunk is None:
                return
            yield chunk
            written += sum(len(table.rows) for table in chunk if table.name == "casework_case")
            if time.perf_counter() - shown > 15:
                shown = time.perf_counter()
                say(
                    f"    {written:,} of {cases:,} cases written "
                    f"({self.build:.0f} s building, {self.write:.0f} s writing)"
                )


def build(sizes: WorldSizes, password_hash: str, now: datetime) -> Iterator[list[Table]]:
    """The world's rows in chunks, parents before children."""
    world = World(sizes, now)
    yield accounts(world, password_hash)
    yield from enterprises(world)
    yield from cases(world)


def _counts(rows: Counter[str]) -> dict[str, int]:
    return {name: rows[name] for name in SEEDED_TABLES}


def seed_sqlite(
    path: Path, sizes: WorldSizes, password_hash: str, fp: str, say: Callable[[str], None] = print
) -> SeedResult:
    """Fill the migrated, empty SQLite database at `path`; leaves it in WAL mode, as the app expects."""
    started = time.perf_counter()
    clock = _Clock()
    rows: Counter[str] = Counter()
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        # This connection only: the bulk load needs no journal or sync, since a broken seed is rebuilt anyway
        # (the manifest, written last, is what says it is complete).
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -1048576", "temp_store = MEMORY",
                       "locking_mode = EXCLUSIVE"):  # fmt: skip
            connection.execute(f"PRAGMA {pragma}")
        indexes = connection.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join('?' * len(SEEDED_TABLES))})",
            SEEDED_TABLES,
        ).fetchall()
        connection.execute("BEGIN")
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        for chunk in clock.chunks(build(sizes, password_hash, datetime.now(UTC)), say, sizes.cases):
            t = time.perf_counter()
            for table in chunk:
                if table.rows:
                    connection.executemany(_insert_sql(table), table.rows)
                    rows[table.name] += len(table.rows)
            clock.write += time.perf_counter() - t
        t = time.perf_counter()
        for _, sql in indexes:
            connection.execute(sql)
        index_seconds = time.perf_counter() - t
        result = SeedResult(_counts(rows), clock.build, clock.write, index_seconds, time.perf_counter() - started)
        result.cases_by_state = _sqlite_states(connection)
        _write_manifest_sqlite(connection, fp, result)
        connection.execute("COMMIT")
        connection.execute("PRAGMA locking_mode = NORMAL")
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()
    result.seconds = time.perf_counter() - started
    return result


def _insert_sql(table: Table, placeholder: str = "?") -> str:
    columns = ", ".join(f'"{c}"' for c in table.columns)
    return f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join([placeholder] * len(table.columns))})'


def _sqlite_states(connection: sqlite3.Connection) -> dict[str, int]:
    rows = connection.execute("SELECT state, COUNT(*) FROM casework_case GROUP BY state ORDER BY state").fetchall()
    return {str(state): int(n) for state, n in rows}


def _manifest_rows(fp: str, result: SeedResult) -> list[tuple[str, str]]:
    return [
        ("fingerprint", fp),
        ("counts", json.dumps(result.counts)),
        ("cases_by_state", json.dumps(result.cases_by_state)),
        (
            "seconds",
            json.dumps(
                {
                    "build": result.build_seconds,
                    "write": result.write_seconds,
                    "index": result.index_seconds,
                    "total": result.seconds,
                }
            ),
        ),
        ("seeded_at", datetime.now(UTC).isoformat(timespec="seconds")),
    ]


def _write_manifest_sqlite(connection: sqlite3.Connection, fp: str, result: SeedResult) -> None:
    connection.execute(f'CREATE TABLE IF NOT EXISTS "{MANIFEST}" (name TEXT PRIMARY KEY, value TEXT NOT NULL)')
    connection.execute(f'DELETE FROM "{MANIFEST}"')
    connection.executemany(f'INSERT INTO "{MANIFEST}" (name, value) VALUES (?, ?)', _manifest_rows(fp, result))


def seeded_sqlite(path: Path, fp: str) -> SeedResult | None:
    """The manifest's figures if the SQLite database at `path` was fully seeded for `fp` and still has those rows."""
    if not path.exists():
        return None
    connection = sqlite3.connect(path, timeout=30)
    try:
        try:
            manifest = dict(connection.execute(f'SELECT name, value FROM "{MANIFEST}"').fetchall())
        except sqlite3.OperationalError:  # no manifest table: never finished
            return None
        if manifest.get("fingerprint") != fp:
            return None
        counts = json.loads(manifest["counts"])
        for table, expected in counts.items():
            if connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] != expected:
                return None
        return _from_manifest(manifest)
    finally:
        connection.close()


def _from_manifest(manifest: dict[str, str]) -> SeedResult:
    seconds = json.loads(manifest["seconds"])
    return SeedResult(
        counts=json.loads(manifest["counts"]),
        build_seconds=seconds["build"],
        write_seconds=seconds["write"],
        index_seconds=seconds["index"],
        seconds=seconds["total"],
        reused=True,
        cases_by_state=json.loads(manifest["cases_by_state"]),
    )


async def seed_postgres(
    url: str, sizes: WorldSizes, password_hash: str, fp: str, say: Callable[[str], None] = print
) -> SeedResult:
    """Fill the migrated, empty PostgreSQL database at `url` with COPY; then VACUUM ANALYZE."""
    import asyncpg

    started = time.perf_counter()
    clock = _Clock()
    rows: Counter[str] = Counter()
    connection = await asyncpg.connect(url)
    try:
        tables = list(SEEDED_TABLES)
        # Indexes that back no constraint are rebuilt after the load (a sort beats 13M random insertions).
        indexes = await connection.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY($1::text[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            tables,
        )
        superuser = await connection.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not superuser:
            say("    (not a superuser: foreign keys are checked row by row, the load is slower)")
        async with connection.transaction():
            if superuser:
                # The rows are consistent by construction: skip the per-row foreign-key triggers.
                await connection.execute("SET LOCAL session_replication_role = replica")
            for index in indexes:
                await connection.execute(f'DROP INDEX "{index["indexname"]}"')
            for chunk in clock.chunks(build(sizes, password_hash, datetime.now(UTC)), say, sizes.cases):
                t = time.perf_counter()
                for table in chunk:
                    if table.rows:
                        await connection.copy_records_to_table(
                            table.name, records=table.rows, columns=list(table.columns)
                        )
                        rows[table.name] += len(table.rows)
                clock.write += time.perf_counter() - t
            t = time.perf_counter()
            await connection.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for index in indexes:
                await connection.execute(index["indexdef"])
            for name in tables:
                # Ids were given explicitly: move the sequence past them for the app's own inserts.
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                    f'(SELECT COALESCE(MAX("id"), 0) + 1 FROM "{name}"), false)'
                )
        # What autovacuum does soon after a bulk load: statistics for the planner, and the visibility map that
        # lets counts use index-only scans. Without it the figures would be those of minute one.
        await connection.execute("VACUUM ANALYZE")
        index_seconds = time.perf_counter() - t
        result = SeedResult(_counts(rows), clock.build, clock.write, index_seconds, time.perf_counter() - started)
        states = await connection.fetch("SELECT state, COUNT(*) AS n FROM casework_case GROUP BY state ORDER BY state")
        result.cases_by_state = {str(r["state"]): int(r["n"]) for r in states}
        await connection.execute(
            f'CREATE TABLE IF NOT EXISTS "{MANIFEST}" (name TEXT PRIMARY KEY, value TEXT NOT NULL)'
        )
        async with connection.transaction():
            await connection.execute(f'DELETE FROM "{MANIFEST}"')
            await connection.executemany(
                f'INSERT INTO "{MANIFEST}" (name, value) VALUES ($1, $2)', _manifest_rows(fp, result)
            )
    finally:
        await connection.close()
    result.seconds = time.perf_counter() - started
    return result


async def seeded_postgres(url: str, fp: str) -> SeedResult | None:
    """As `seeded_sqlite`, for the PostgreSQL database at `url`."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        try:
            records = await connection.fetch(f'SELECT name, value FROM "{MANIFEST}"')
        except asyncpg.UndefinedTableError:
            return None
        manifest = {r["name"]: r["value"] for r in records}
        if manifest.get("fingerprint") != fp:
            return None
        counts = json.loads(manifest["counts"])
        for table, expected in counts.items():
            if await connection.fetchval(f'SELECT COUNT(*) FROM "{table}"') != expected:
                return None
        return _from_manifest(manifest)
    finally:
        await connection.close()
