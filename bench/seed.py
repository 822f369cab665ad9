"""Seed a throwaway database fast: plain bulk inserts, no ORM objects, no per-row round trips.

The rows are built once in Python (deterministic for a given seed) and written with `executemany`
on SQLite or `COPY` on PostgreSQL. Ids are given explicitly and grow with `created_at`, as they
would in a database filled over two years.

The parts: bench.seed_world (districts, accounts, sizes), bench.seed_enterprises (founders and
enterprises), bench.seed_cases (needs, cases, events), bench.seed_writers (the bulk writes).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.seed_cases import build_cases
from bench.seed_enterprises import SEARCH_WORD, build_enterprises
from bench.seed_world import KAIZHOU, SeedSizes, Table, build_accounts
from bench.seed_writers import write_postgres, write_sqlite


@dataclass
class SeedReport:
    rows: dict[str, int]
    cases_by_state: dict[str, int]
    officer_district_cases_by_state: dict[str, int]
    officer_district_enterprises: int
    search_word: str  # the name fragment the search scenarios look for
    search_word_matches: int  # enterprises of officer1's district whose name or founder's name has it
    search_phone: str  # the last four digits of a founder's phone in officer1's district
    search_phone_matches: int
    build_seconds: float
    write_seconds: float

    @property
    def seconds(self) -> float:
        return self.build_seconds + self.write_seconds


def build(sizes: SeedSizes, password_hash: str, now: datetime, seed: int = 154) -> list[Table]:
    """All rows of the seeded world, in insertion order (parents before children)."""
    # One generator through all the builders, in this order: the world is the same for a given seed.
    rng = random.Random(seed)
    start = now - timedelta(days=730)
    t0 = start.timestamp()

    def at(offset_seconds: float) -> datetime:
        return datetime.fromtimestamp(t0 + offset_seconds, tz=UTC)

    users, brokers = build_accounts(rng, sizes, password_hash, start)
    founders, enterprises, enterprise_of = build_enterprises(rng, sizes, brokers, at)
    return [users, founders, enterprises, *build_cases(rng, sizes, enterprise_of, at)]


def summarise(tables: list[Table], build_seconds: float, write_seconds: float) -> SeedReport:
    by_name = {table.name: table for table in tables}
    case_rows = by_name["casework_case"].rows
    founder_of = {row[0]: row for row in by_name["enterprises_founder"].rows}
    # (enterprise name, founder name, founder phone's last four) of officer1's district
    reachable = [
        (row[1], founder_of[row[14]][1], founder_of[row[14]][6])
        for row in by_name["enterprises_enterprise"].rows
        if row[4] == KAIZHOU
    ]
    phone = reachable[len(reachable) // 2][2] if reachable else ""
    return SeedReport(
        rows={table.name: len(table.rows) for table in tables},
        cases_by_state=dict(sorted(Counter(str(row[5]) for row in case_rows).items())),
        officer_district_cases_by_state=dict(
            sorted(Counter(str(row[5]) for row in case_rows if row[3] == KAIZHOU).items())
        ),
        officer_district_enterprises=len(reachable),
        search_word=SEARCH_WORD,
        search_word_matches=sum(1 for name, founder, _ in reachable if SEARCH_WORD in name or SEARCH_WORD in founder),
        search_phone=phone,
        search_phone_matches=sum(1 for _, _, p in reachable if phone and phone == p),
        build_seconds=build_seconds,
        write_seconds=write_seconds,
    )


def seed(sizes: SeedSizes, password_hash: str, sqlite_path: Path | None, postgres_url: str | None) -> SeedReport:
    """Build and write the world into the database (exactly one of the two targets)."""
    import asyncio

    started = time.perf_counter()
    tables = build(sizes, password_hash, now=datetime.now(UTC))
    built = time.perf_counter()
    if sqlite_path is not None:
        write_sqlite(sqlite_path, tables)
    elif postgres_url is not None:
        asyncio.run(write_postgres(postgres_url, tables))
    else:
        raise ValueError("no database to seed")
    return summarise(tables, built - started, time.perf_counter() - built)
