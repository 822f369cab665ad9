"""The casework benchmark on one database: the case page and the officer's queue with 1,000,000 cases and
5,000,000 events, beside the raw SQL that fetches the same data (issue 8's "Done when").

Run by `python -m bench` (bench.casework_run) once per database, as a child process whose DATABASE_URL names the
casework database (kept between runs; see bench.casework_run). It reuses that database when its manifest and row
counts say it is complete for this schema and these sizes, else empties it, migrates and seeds it
(bench.casework_seed). Then it counts the statements each page runs (app in-process), EXPLAINs the baseline
statements, starts the real app under uvicorn, signs in as officer1 (a district officer of 开州区, one of the two
largest districts) and measures every scenario of bench.casework_scenarios in interleaved rounds. Writes a JSON
part: `python -m bench.casework_bench --json-out FILE --fingerprint FP` (see --help for the sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import random
import signal
import sys
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

from piccolo.apps.migrations.commands.forwards import run_forwards

from accounts.passwords import hash_password
from bench import rawsql
from bench.casework_run import exit_on_term
from bench.casework_scenarios import (
    CASE_TARGET_MS,
    QUEUE_TARGET_MS,
    UNREAD_SQL,
    Runner,
    Scenario,
    api_list_statements,
    case_api_statements,
    case_page_statements,
    queue_statements,
    scenario_json,
    summary,
)
from bench.casework_seed import SeedResult, seed_postgres, seed_sqlite, seeded_postgres, seeded_sqlite
from bench.casework_world import OFFICER, OFFICER_DISTRICT, WorldSizes
from bench.console import say
from bench.profile import statements_per_request
from bench.seed_world import PASSWORD
from bench.servers import Server, api_token, sign_in
from core.config import settings
from core.db import enable_wal
from core.districts import DISTRICTS
from core.sessions import SESSION_COOKIE

logging.getLogger("httpx").setLevel(logging.WARNING)


BY_STATE_SQL = 'SELECT "state", COUNT(*) FROM "casework_case" WHERE "district" = ? GROUP BY "state"'
CASE_IDS_SQL = 'SELECT "id" FROM "casework_case" WHERE "district" = ? ORDER BY "id"'
PLANNED_IDS_SQL = """\
SELECT DISTINCT "v"."case" FROM "casework_plan_version" "v" JOIN "casework_case" "c" ON "c"."id" = "v"."case"
WHERE "c"."district" = ? AND "v"."status" = 'approved' ORDER BY 1"""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.casework_bench", description=__doc__)
    p.add_argument("--json-out", type=Path, required=True, help="where to write this database's part")
    p.add_argument("--fingerprint", required=True, help="bench.casework_seed.fingerprint of the schema and sizes")
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--enterprises", type=int, default=200_000)
    p.add_argument("--requests", type=int, default=300, help="requests per scenario, over all rounds (default 300)")
    p.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    p.add_argument("--work-dir", type=Path, required=True, help="for the server's log")
    return p


def redact(url: str) -> str:
    parts = urlparse(url)
    if not parts.password:
        return url
    return urlunparse(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


async def _postgres_ready(url: str, fingerprint: str, fresh: bool = False) -> SeedResult | None:
    """The seed's figures if the database is complete; else (or if `fresh`) an empty database of that name."""
    import asyncpg

    name = urlparse(url).path.lstrip("/")
    admin = await asyncpg.connect(urlunparse(urlparse(url)._replace(path="/postgres")))
    try:
        if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            if not fresh and (found := await seeded_postgres(url, fingerprint)) is not None:
                return found
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        return None
    finally:
        await admin.close()


def _found(fingerprint: str, loop: asyncio.Runner, fresh: bool = False) -> SeedResult | None:
    """The kept database's seed if complete; else, or if `fresh`, no database (SQLite) or an empty one."""
    if not settings.is_sqlite:
        return loop.run(_postgres_ready(settings.database_url, fingerprint, fresh))
    found = None if fresh else seeded_sqlite(settings.sqlite_path, fingerprint)
    if found is None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{settings.sqlite_path}{suffix}").unlink(missing_ok=True)
    return found


def _migrate(loop: asyncio.Runner) -> float:
    t = time.perf_counter()
    enable_wal()
    with contextlib.redirect_stdout(io.StringIO()):
        result = loop.run(run_forwards(app_name="all", migration_id="all", fake=False, preview=False))
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
    return time.perf_counter() - t


def prepare(args: argparse.Namespace, loop: asyncio.Runner) -> tuple[SeedResult, float]:
    """A migrated, seeded database: the one kept if complete, else a new one. Returns the seed and migrate time.

    A kept database gets the migrations added since it was seeded (new indexes, new tables); if one fails on
    it, the database is seeded again from nothing.
    """
    sizes = WorldSizes(cases=args.cases, enterprises=args.enterprises)
    found = _found(args.fingerprint, loop)
    try:
        migrate_seconds = _migrate(loop)
    except Exception as error:  # a migration the kept rows do not satisfy: start again from nothing
        if found is None:
            raise
        say(f"migrating the kept database failed ({type(error).__name__}: {error}); seeding it again")
        found = _found(args.fingerprint, loop, fresh=True)
        migrate_seconds = _migrate(loop)
    if found is not None:
        say(
            f"reusing the seeded database (fingerprint {args.fingerprint}; seeded in {found.seconds:.0f} s once; "
            f"migrations brought up to date in {migrate_seconds:.1f} s)"
        )
        return found, migrate_seconds
    say(f"migrated in {migrate_seconds:.1f} s; seeding {sizes.cases:,} cases, {sizes.enterprises:,} enterprises ...")
    password_hash = hash_password(PASSWORD)
    if settings.is_sqlite:
        result = seed_sqlite(settings.sqlite_path, sizes, password_hash, args.fingerprint, say)
    else:
        result = loop.run(seed_postgres(settings.database_url, sizes, password_hash, args.fingerprint, say))
    say(
        f"seeded in {result.seconds:.0f} s (building rows {result.build_seconds:.0f} s, writing "
        f"{result.write_seconds:.0f} s, indexes{'' if settings.is_sqlite else ' and VACUUM ANALYZE'} "
        f"{result.index_seconds:.0f} s)"
    )
    return result, migrate_seconds


def fetch(db: rawsql.Database, loop: asyncio.Runner, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    if isinstance(db, rawsql.SqliteDatabase):
        return [tuple(row) for row in db.connection.execute(sql, params).fetchall()]
    return [tuple(row) for row in loop.run(db.connection.fetch(rawsql.to_postgres(sql), *params))]


Headers = tuple[tuple[str, str], ...]


def scenarios(
    officer_id: int, kind: str, case_ids: list[int], plan_ids: list[int], closed: int, page: Headers, api: Headers
) -> list[Scenario]:
    """In the order they are measured: each raw-SQL baseline just before its page. `page` and `api` are the
    headers of a signed-in page request (session cookie) and of an API request (bearer token)."""
    d = OFFICER_DISTRICT
    last = max(1, -(-closed // rawsql.PER_PAGE))
    out = [
        Scenario("sql_case", "raw SQL case page", "sql", pages=[case_page_statements(i) for i in case_ids],
                 note="case + enterprise + filer, needs, events + actors, assignments, plan versions, problems, "
                      "measures, tasks, attachments: 9 statements on one kept connection"),
    ]  # fmt: skip
    if kind == "sqlite":
        out.append(
            Scenario("sql_case_newconn", "raw SQL case page, conn/stmt", "sql", new_connection=True,
                     pages=[case_page_statements(i) for i in case_ids],
                     note="the same, a new connection per statement as Piccolo's SQLite engine opens"),
        )  # fmt: skip
    out += [
        Scenario("sql_unread", "raw SQL unread count (header)", "sql",
                 pages=[[rawsql.Statement("unread", UNREAD_SQL, (officer_id,))]],
                 note="what every page's header counts: officer1's unread messages (accounts.identity)"),
        Scenario("case", "case page", "http", baseline="sql_case", target_ms=CASE_TARGET_MS, headers=page,
                 paths=[f"/cases/{i}" for i in case_ids], note="GET /cases/{id}: random cases of officer1's district"),
        Scenario("sql_case_plan", "raw SQL case page (plan)", "sql", pages=[case_page_statements(i) for i in plan_ids],
                 note="as raw SQL case page, for cases with an approved plan"),
        Scenario("case_plan", "case page (plan)", "http", baseline="sql_case_plan", target_ms=CASE_TARGET_MS,
                 headers=page, paths=[f"/cases/{i}" for i in plan_ids],
                 note="GET /cases/{id}: random cases of the district with an approved plan"),
        Scenario("sql_api_case", "raw SQL API case", "sql", pages=[case_api_statements(i) for i in case_ids],
                 note="case + enterprise + filer, needs"),
        Scenario("api_case", "API case", "http", baseline="sql_api_case", target_ms=CASE_TARGET_MS, headers=api,
                 paths=[f"/api/v1/cases/{i}" for i in case_ids], note="GET /api/v1/cases/{id}, bearer token"),
    ]  # fmt: skip
    queues = (
        ("queue", "queue submitted p1", "submitted", 1, "/cases/queue"),
        ("queue_in_progress", "queue in progress p1", "in_progress", 1, "/cases/queue?state=in_progress"),
        ("queue_closed", "queue closed p1", "closed", 1, "/cases/queue?state=closed"),
        ("queue_closed_p50", "queue closed p50", "closed", 50, "/cases/queue?state=closed&page=50"),
        ("queue_closed_last", f"queue closed p{last} (last)", "closed", last, f"/cases/queue?state=closed&page={last}"),
        ("queue_all", "queue all states p1", "", 1, "/cases/queue?state="),
    )
    for key, label, state, number, path in queues:
        out += [
            Scenario(f"sql_{key}", f"raw SQL {label}", "sql", pages=[queue_statements(d, state, number)],
                     note=f"count_by_state + list (OFFSET {(number - 1) * rawsql.PER_PAGE}), one kept connection"),
            Scenario(key, label, "http", baseline=f"sql_{key}", target_ms=QUEUE_TARGET_MS, headers=page, paths=[path],
                     note=f"GET {path} as officer1"),
        ]  # fmt: skip
    for key, label, state, number in (("api_submitted", "API list submitted p1", "submitted", 1),
                                      ("api_closed_p50", "API list closed p50", "closed", 50)):  # fmt: skip
        path = f"/api/v1/cases?state={state}" + (f"&page={number}" if number > 1 else "")
        out += [
            Scenario(f"sql_{key}", f"raw SQL {label}", "sql", pages=[api_list_statements(d, state, number)],
                     note="list + count"),
            Scenario(key, label, "http", baseline=f"sql_{key}", target_ms=QUEUE_TARGET_MS, headers=api, paths=[path],
                     note=f"GET {path}, bearer token"),
        ]  # fmt: skip
    return out


def explain(db: rawsql.Database, officer_id: int, plan_id: int, closed_last: int) -> dict[str, list[str]]:
    district = OFFICER_DISTRICT
    statements = [
        rawsql.Statement("header unread count", UNREAD_SQL, (officer_id,)),
        *case_page_statements(plan_id),
        *[rawsql.Statement(f"queue {s.name}", s.sql, s.params) for s in queue_statements(district, "closed", 1)],
        *[
            rawsql.Statement(f"queue {s.name} (closed, page {closed_last})", s.sql, s.params)
            for s in queue_statements(district, "closed", closed_last)[1:]
        ],
        *[rawsql.Statement(f"queue {s.name} (all states)", s.sql, s.params)
          for s in queue_statements(district, "", 1)[1:]],
        *[rawsql.Statement(f"api {s.name}", s.sql, s.params)
          for s in api_list_statements(district, "closed", 1)[1:]],
    ]  # fmt: skip
    return {s.name: db.explain(s) for s in statements}


def findings(
    measured: list[Scenario], figures: dict[str, dict[str, Any]], profile: dict[str, dict[str, Any]]
) -> list[str]:
    out = []
    for s in measured:
        f = figures[s.key]
        if s.kind != "http" or s.broken or f["single_p95_ms"] is None or s.target_ms is None:
            continue
        verdict = "within" if f["within_target"] else "OVER"
        ratio = (
            f" = {f['ratio_to_sql_p95']:.1f}x its raw SQL p95 ({f['sql_p95_ms']:.2f} ms)"
            if f["ratio_to_sql_p95"]
            else ""
        )
        cpu = f" The app's CPU time: {f['app_cpu_ms']:.1f} ms a request." if f["app_cpu_ms"] else ""
        out.append(
            f"{s.label} ({s.shown_path}): p95 {f['single_p95_ms']:.1f} ms{ratio}, {verdict} the {s.target_ms:.0f} ms "
            f"target; median {f['single_p50_ms']:.1f} ms over {f['requests']} requests.{cpu}"
        )
    for p in profile.values():
        if not p["statements"]:
            continue
        slowest = max(zip(p["statement_ms"], p["statements"], strict=True))
        out.append(
            f"In-process, {p['path']} -> HTTP {p['status']} runs {p['reads']} reads and {p['writes']} writes: "
            f"{p['sql_ms']:.1f} ms of its {p['request_ms']:.1f} ms in SQL (slowest: {slowest[1]} {slowest[0]:.2f} ms)."
        )
    return out


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    load_start = _loadavg()
    kind = "sqlite" if settings.is_sqlite else "postgresql"
    say(f"\n=== casework on {kind}: {redact(settings.database_url)}")
    loop = asyncio.Runner()
    server: Server | None = None
    db: rawsql.Database | None = None
    try:
        seed, migrate_seconds = prepare(args, loop)
        db = (
            rawsql.SqliteDatabase(settings.sqlite_path)
            if settings.is_sqlite
            else rawsql.PostgresDatabase(settings.database_url, loop)
        )
        version = db.version()
        district = OFFICER_DISTRICT
        officer_id = int(fetch(db, loop, 'SELECT "id" FROM "accounts_user" WHERE "username" = ?', (OFFICER,))[0][0])
        counted = fetch(db, loop, BY_STATE_SQL, (district,))
        by_state = {str(state): int(n) for state, n in sorted(counted)}
        ids = [row[0] for row in fetch(db, loop, CASE_IDS_SQL, (district,))]
        with_plan = [row[0] for row in fetch(db, loop, PLANNED_IDS_SQL, (district,))]
        rng = random.Random(2026)
        case_ids = rng.sample(ids, min(len(ids), args.requests))
        plan_ids = rng.sample(with_plan, min(len(with_plan), args.requests))
        closed = int(by_state.get("closed", 0))
        last = max(1, -(-closed // rawsql.PER_PAGE))
        say(f"officer1's district {district}: {len(ids):,} cases {by_state}; {len(with_plan):,} with an approved plan")

        plan_case = plan_ids[0] if plan_ids else case_ids[0]
        say(
            f"\nEXPLAIN {'QUERY PLAN' if kind == 'sqlite' else '(ANALYZE)'} of the baseline statements "
            f"(case {plan_case}):"
        )
        plans = explain(db, officer_id, plan_case, last)
        for name, lines in plans.items():
            say(f"  {name}:")
            for line in lines:
                say(f"      {line}")

        paths = {
            "case": f"/cases/{plan_case}",
            "api_case": f"/api/v1/cases/{plan_case}",
            "queue": "/cases/queue",
            "queue_closed_last": f"/cases/queue?state=closed&page={last}",
            "queue_all": "/cases/queue?state=",
        }
        logging.disable(logging.INFO)  # the app's access log would print every request of the profile
        try:
            profile = loop.run(statements_per_request(OFFICER, PASSWORD, paths))
        finally:
            logging.disable(logging.NOTSET)
        say("\nSQL statements per request (app in-process, medians of 15 requests):")
        for p in profile.values():
            say(
                f"  {p['path']} -> HTTP {p['status']}: {p['request_ms']:.2f} ms per request, "
                f"{p['sql_ms']:.2f} ms in SQL"
            )
            for statement, ms in zip(p["statements"], p["statement_ms"], strict=True):
                say(f"      {ms:7.2f} ms  {statement}")

        server = Server("fuchi app", "app:app", args.work_dir / f"casework-{kind}-app.log", ready_path="/login")
        server.start()
        server.wait_ready()
        session = sign_in(server.url, OFFICER, PASSWORD)
        token = api_token(server.url, OFFICER, PASSWORD)
        page = (("Cookie", f"{SESSION_COOKIE}={session}"),)
        api = (("Authorization", f"Bearer {token}"),)
        measured = scenarios(officer_id, kind, case_ids, plan_ids, closed, page, api)
        per_round = max(1, args.requests // args.rounds)
        say(
            f"\nmeasuring {len(measured)} scenarios: {args.rounds} interleaved rounds of {per_round} requests, "
            "one at a time (p95 of each round shown)"
        )
        pid = server.process.pid if server.process is not None else 0
        Runner(loop, db, server.port, pid).measure(measured, args.rounds, per_round, warm=10, say=say)
    finally:
        if server is not None:
            server.stop()
        if db is not None:
            db.close()
        loop.close()

    by_key = {s.key: s for s in measured}
    figures = {s.key: summary(s, by_key.get(s.baseline or "")) for s in measured}
    return {
        "database": kind,
        "database_version": version,
        "url": redact(settings.database_url),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "fingerprint": args.fingerprint,
        "seed": {
            **asdict(WorldSizes(cases=args.cases, enterprises=args.enterprises)),
            "districts": len(DISTRICTS),
            "officer": OFFICER,
            "officer_district": district,
            "officer_district_cases_by_state": by_state,
            "reused": seed.reused,
            "rows": seed.counts,
            "cases_by_state": seed.cases_by_state,
            "build_seconds": round(seed.build_seconds, 1),
            "write_seconds": round(seed.write_seconds, 1),
            "index_seconds": round(seed.index_seconds, 1),
            "seconds": round(seed.seconds, 1),
            "migrate_seconds": round(migrate_seconds, 2),
        },
        "settings": {"requests": args.requests, "rounds": args.rounds, "connections": 1, "uvicorn_workers": 1},
        "loadavg": {"start": load_start, "end": _loadavg()},
        "explain": plans,
        "statements_per_request": profile,
        "scenarios": [scenario_json(s, figures[s.key]) for s in measured],
        "findings": findings(measured, figures, profile),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    args = parser().parse_args()
    signal.signal(signal.SIGTERM, exit_on_term)  # stop the server (a `finally`) when the run is stopped
    part = run(args)
    args.json_out.write_text(json.dumps(part, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
