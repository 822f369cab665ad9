"""One database's benchmark, run by `python -m bench` as a child process with DATABASE_URL set.

Migrate, seed, EXPLAIN the queue's and the enterprise search's queries, count the statements a
request runs, start the real app and the bare app under uvicorn, sign in, then measure every
scenario (queue page, enterprise search, their raw-SQL baselines) in interleaved rounds (round 1 of
each, round 2 of each, ...) so that a noisy neighbour hurts all scenarios alike. Then, servers
stopped, time the import of a spreadsheet (bench.import_bench), `/health` while a 50,000-row
export is requested (bench.export_bench), and the follow-ups' sweep and jobs per second
(bench.follow_ups_bench), and expert matching (bench.experts_matching). Writes a JSON part.

The parts: bench.queue_scenarios and bench.search_scenarios (what is measured), bench.scenario (how),
bench.plans (EXPLAIN), bench.findings (what the figures say).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse, urlunparse

from piccolo.apps.migrations.commands.forwards import forwards

from accounts.passwords import hash_password
from bench import rawsql, seed
from bench.console import say
from bench.findings import findings
from bench.options import parser
from bench.plans import explain_all, plan_warnings, print_plans
from bench.profile import statements_per_request
from bench.queue_scenarios import queue_scenarios
from bench.scenario import Bench, scenario_json, summarise
from bench.search_scenarios import search_scenarios
from bench.seed_world import DISTRICTS, KAIZHOU, OFFICER, PASSWORD, SeedSizes
from bench.servers import Server
from bench.targets import signed_in
from core.config import settings
from core.db import enable_wal

logging.getLogger("httpx").setLevel(logging.WARNING)  # the app's logging config would print every request


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def redact(url: str) -> str:
    parts = urlparse(url)
    if not parts.password:
        return url
    return urlunparse(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


def run_import(args: argparse.Namespace) -> dict[str, Any] | None:
    """bench.import_bench's figures, or the error that stopped it (never raised: the HTTP figures stand)."""
    if args.import_runs <= 0:
        return None
    from bench.import_bench import run_import_benchmark  # reads the environment (the app's tables) at import

    say(f"\nimport of a {args.import_rows:,}-row spreadsheet, {args.import_runs} run(s), servers stopped:")
    try:
        result = run_import_benchmark(rows=args.import_rows, runs=args.import_runs)
    except Exception as error:  # any failure is a finding to report, not a reason to lose the other figures
        say("".join(traceback.format_exc(limit=-3)).rstrip())
        return {"rows": args.import_rows, "runs": args.import_runs, "error": f"{type(error).__name__}: {error}"}
    for label, figures in (("new rows", result), ("same file, every row changed", result.get("reimport_changed"))):
        if isinstance(figures, dict):
            say(f"  {label}: dry run {figures.get('check_seconds')} s, import {figures.get('apply_seconds')} s")
    return result


def _run_part(
    title: str, rows: int, benchmark: Callable[[Path], dict[str, Any]], describe: Callable[..., Any], work_dir: Path
) -> dict[str, Any]:
    """One benchmark module's figures (with the lines to print), or the error that stopped it (never raised)."""
    say(title)
    try:
        result = benchmark(work_dir)
    except Exception as error:  # a finding to report, not a reason to lose the other figures
        say("".join(traceback.format_exc(limit=-3)).rstrip())
        return {"rows": rows, "error": f"{type(error).__name__}: {error}"}
    result["lines"] = describe(result)
    for line in result["lines"]:
        say(line)
    return result


def run_export(work_dir: Path) -> dict[str, Any]:
    """bench.export_bench's figures: /health while a large export is built."""
    from bench.export_bench import ROWS, describe, run_export_benchmark  # reads the environment at import

    title = (
        f"\n/health while a {ROWS:,}-row export is requested, beside /health alone (app and a worker started again):"
    )
    return _run_part(title, ROWS, run_export_benchmark, describe, work_dir)


def run_follow_ups(work_dir: Path) -> dict[str, Any]:
    """bench.follow_ups_bench's figures: the sweep over pending follow-ups and jobs per second per worker."""
    from bench.follow_ups_bench import ROWS, describe, run_follow_ups_benchmark  # reads the environment at import

    title = f"\nfollow-ups: the sweep over {ROWS:,} pending, and jobs per second per worker (real workers):"
    return _run_part(title, ROWS, run_follow_ups_benchmark, describe, work_dir)


def run_experts_matching(work_dir: Path) -> dict[str, Any]:
    """bench.experts_matching's figures: ranking 5,000 experts for one case, beside a bare loop over them."""
    from bench.experts_matching import EXPERTS, describe, run_experts_matching_benchmark

    title = f"\nexpert matching: rank() over {EXPERTS:,} experts for one case, beside a bare loop over them:"
    return _run_part(title, EXPERTS, run_experts_matching_benchmark, describe, work_dir)


def run_expert_matches_endpoint(work_dir: Path) -> dict[str, Any]:
    """bench.expert_matches_endpoint's figures: the endpoint with 5,000 experts seeded, beside a bare SELECT."""
    from bench.expert_matches_endpoint import EXPERTS, describe, run_expert_matches_endpoint

    title = f"\nexpert-matches endpoint with {EXPERTS:,} experts seeded, beside a bare SELECT of them:"
    return _run_part(title, EXPERTS, run_expert_matches_endpoint, describe, work_dir)


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    work_dir: Path = args.work_dir or Path(tempfile.mkdtemp(prefix="fuchi-bench-"))
    kind = "sqlite" if settings.is_sqlite else "postgresql"
    say(f"\n=== {kind}: {redact(settings.database_url)}")
    runner = asyncio.Runner(loop_factory=_loop_factory())
    servers: list[Server] = []
    db: rawsql.Database | None = None
    version = ""
    try:
        t = time.perf_counter()
        enable_wal()
        with contextlib.redirect_stdout(io.StringIO()):
            runner.run(forwards(app_name="all"))
        migrate_seconds = time.perf_counter() - t
        say(f"migrated in {migrate_seconds:.1f} s")

        sizes = SeedSizes(cases=args.cases, enterprises=args.enterprises)
        report = seed.seed(
            sizes,
            hash_password(PASSWORD),
            settings.sqlite_path if settings.is_sqlite else None,
            None if settings.is_sqlite else settings.database_url,
        )
        rows = ", ".join(f"{name} {n:,}" for name, n in report.rows.items())
        say(
            f"seeded in {report.seconds:.1f} s (build {report.build_seconds:.1f} s, "
            f"write {report.write_seconds:.1f} s): {rows}"
        )
        say(f"  cases by state: {report.cases_by_state}")
        say(f"  officer1's district ({KAIZHOU}): {report.officer_district_cases_by_state}")
        say(
            f"  officer1's district: {report.officer_district_enterprises:,} enterprises; "
            f"{report.search_word_matches:,} with {report.search_word!r} in their or their founder's name, "
            f"{report.search_phone_matches} whose founder's phone holds {report.search_phone}"
        )

        db = (
            rawsql.SqliteDatabase(settings.sqlite_path)
            if settings.is_sqlite
            else rawsql.PostgresDatabase(settings.database_url, runner)
        )
        version = db.version()
        search_name = rawsql.search_statements(KAIZHOU, db.like, q=report.search_word)
        search_phone = rawsql.search_statements(KAIZHOU, db.like, phone_digits=report.search_phone)
        say(
            f"\nEXPLAIN {'QUERY PLAN ' if kind == 'sqlite' else '(ANALYZE) '}of the queue page's and the "
            f"enterprise search's statements ({kind} {version}):"
        )
        explained = [*search_name, *(rawsql.Statement(f"{st.name} (phone)", st.sql, st.params) for st in search_phone)]
        plans = explain_all(db, KAIZHOU, explained)
        print_plans(plans)
        warnings = plan_warnings(plans)

        paths = {
            "queue": "/cases/queue",
            "queue_p50": "/cases/queue?page=50",
            "api": "/api/v1/cases?state=submitted",
            # The form POSTs; its GET twin runs the same list_enterprises call (phones excepted).
            "search": "/enterprises?" + urlencode({"q": report.search_word}),
            "api_search": "/api/v1/enterprises?" + urlencode({"q": report.search_word}),
        }
        profile = runner.run(statements_per_request(OFFICER, PASSWORD, paths))
        say("\nSQL statements per request (app in-process, medians of 15 requests):")
        for p in profile.values():
            say(
                f"  {p['path']} -> HTTP {p['status']}: {p['reads']} reads, {p['writes']} writes; "
                f"{p['request_ms']:.2f} ms per request, {p['sql_ms']:.2f} ms of it in SQL"
            )
            for statement, ms in zip(p["statements"], p["statement_ms"], strict=True):
                say(f"      {ms:7.2f} ms  {statement}")

        from app import CSRF_COOKIE  # builds the app: only once the environment is set

        bare = Server("bare app", "bench.bare_app:app", work_dir / f"{kind}-bare.log", ready_path="/")
        real = Server("fuchi app", "app:app", work_dir / f"{kind}-app.log", ready_path="/login")
        servers += [bare, real]
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        app = signed_in(real, OFFICER, PASSWORD, CSRF_COOKIE)

        cap = args.search_requests
        scenarios = [
            *queue_scenarios(kind, bare.port, app),
            *search_scenarios(app, report, search_name, search_phone, cap),
        ]
        bench = Bench(args, runner, db)
        say(
            f"\nmeasuring {len(scenarios)} scenarios, {args.rounds} interleaved rounds (loaded phase: "
            f"{args.concurrency} connections ~{args.round_seconds:g} s; latency phase: 1 connection "
            f"~{args.single_seconds:g} s; search scenarios at most {cap} requests a phase)"
        )
        bench.measure(scenarios, args.rounds)
    finally:
        for server in servers:
            server.stop()
        if db is not None:
            db.close()
        runner.close()

    imported = run_import(args)
    exported = run_export(work_dir)  # after the import: it adds enterprises, up to the export's 50,000
    followed = run_follow_ups(work_dir)
    matched = run_experts_matching(work_dir)
    matches_endpoint = run_expert_matches_endpoint(work_dir)  # last: it adds 5,000 experts to the world
    summary = summarise(scenarios)
    return {
        "database": kind,
        "database_version": version,
        "url": redact(settings.database_url),
        "migrate_seconds": round(migrate_seconds, 2),
        "seed": {
            "cases": sizes.cases,
            "enterprises": sizes.enterprises,
            "founders": sizes.enterprises,
            "brokers_per_district": sizes.brokers_per_district,
            "districts": list(DISTRICTS),
            "rows": report.rows,
            "cases_by_state": report.cases_by_state,
            "officer_district_cases_by_state": report.officer_district_cases_by_state,
            "officer_district_enterprises": report.officer_district_enterprises,
            "search_word": report.search_word,
            "search_word_matches": report.search_word_matches,
            "search_phone": report.search_phone,
            "search_phone_matches": report.search_phone_matches,
            "build_seconds": round(report.build_seconds, 2),
            "write_seconds": round(report.write_seconds, 2),
            "seconds": round(report.seconds, 2),
        },
        "explain": plans,
        "statements_per_request": profile,
        "scenarios": [scenario_json(s, summary[s.key]) for s in scenarios],
        "import": imported,
        "export": exported,
        "follow_ups": followed,
        "experts_matching": matched,
        "expert_matches_endpoint": matches_endpoint,
        "findings": findings(kind, summary, profile, plans, warnings, report, imported),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    p = parser()
    p.add_argument("--json-out", type=Path, required=True, help="where to write this database's part")
    args = p.parse_args()
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    part = run(args)
    args.json_out.write_text(json.dumps(part, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
