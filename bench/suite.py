"""One database's benchmark, run by `python -m bench` as a child process with DATABASE_URL set.

Migrate, seed, EXPLAIN the queue's and the enterprise search's queries, count the statements a
request runs, start the real app and the bare app under uvicorn, sign in, then measure every
scenario (queue page, enterprise search, their raw-SQL baselines) in interleaved rounds (round 1 of
each, round 2 of each, ...) so that a noisy neighbour hurts all scenarios alike. Then, servers
stopped, time the import of a spreadsheet (bench.import_bench). Writes a JSON part.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse, urlunparse

import httpx
from piccolo.apps.migrations.commands.forwards import forwards

from accounts.passwords import hash_password
from bench import rawsql, seed
from bench.measure import Sample, Target, calibrate, http_batch, median
from bench.options import parser
from bench.profile import statements_per_request
from bench.servers import Server, api_token, csrf_for, sign_in
from core.config import settings
from core.db import enable_wal
from core.sessions import SESSION_COOKIE

logging.getLogger("httpx").setLevel(logging.WARNING)  # the app's logging config would print every request

MAIN = "main"
SEARCH = "search"
# Created by casework/piccolo_migrations/casework_2026_11_27t12_05_00_000000.py; the queue's statements should use it.
QUEUE_INDEX = "casework_case_district_state_id"


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def say(message: str = "") -> None:
    print(message, flush=True)


@dataclass
class Scenario:
    key: str
    label: str
    kind: str  # "http" or "sql"
    phase: str = MAIN
    note: str = ""
    sql_baseline: str | None = None  # the raw-SQL scenario whose latency this one is divided by
    target: Target | None = None
    statements: list[rawsql.Statement] = field(default_factory=list)
    piccolo_style: bool = False
    max_requests: int | None = None  # caps both phases' calibrated batch sizes
    expect: str | None = None  # the first answer's body must contain this (results, not an empty page)
    requests: int = 0  # per loaded phase
    single_requests: int = 0  # per one-connection phase
    broken: str | None = None
    rounds: list[dict[str, Sample]] = field(default_factory=list)

    def phase_samples(self, name: str) -> list[Sample]:
        return [r[name] for r in self.rounds if name in r]


class Bench:
    def __init__(self, args: argparse.Namespace, runner: asyncio.Runner, db: rawsql.Database) -> None:
        self.args = args
        self.runner = runner
        self.db = db

    def http(
        self, target: Target, concurrency: int, requests: int | None = None, seconds: float | None = None
    ) -> Sample:
        return self.runner.run(http_batch(target, concurrency, requests, seconds))

    def sql(self, scenario: Scenario, requests: int | None = None, seconds: float | None = None) -> Sample:
        if scenario.piccolo_style and isinstance(self.db, rawsql.SqliteDatabase):
            return self.db.piccolo_style_round(scenario.statements, requests, seconds)
        return self.db.page_round(scenario.statements, requests, seconds)

    def check(self, scenario: Scenario) -> None:
        """One request first: a benchmark of error pages would measure nothing worth knowing."""
        if scenario.target is None:
            return
        t = scenario.target
        try:
            answer = httpx.request(
                t.method, f"http://{t.host}:{t.port}{t.path}", headers=dict(t.headers), content=t.body, timeout=60
            )
        except httpx.HTTPError as error:
            scenario.broken = f"{type(error).__name__}: {error}"
            return
        if not 200 <= answer.status_code < 300:
            snippet = " ".join(answer.text.split())[:300]
            scenario.broken = f"HTTP {answer.status_code} on {t.label}: {snippet}"
        elif scenario.expect is not None and scenario.expect not in answer.text:
            scenario.broken = f"{t.label} answered without {scenario.expect!r}: no results to measure"

    def warm(self, scenario: Scenario) -> None:
        """Warm up, and size the batches so that a round takes about the time asked for."""
        a = self.args
        cap = scenario.max_requests
        if scenario.target is not None:
            load = self.http(scenario.target, a.concurrency, seconds=min(1.0, a.round_seconds))
            single = self.http(scenario.target, 1, seconds=min(0.5, a.single_seconds))
            scenario.requests = calibrate(load.throughput, a.round_seconds, a.concurrency * 5, cap or 100_000)
            scenario.single_requests = calibrate(single.throughput, a.single_seconds, 10, cap or 20_000)
        else:
            warm = self.sql(scenario, seconds=min(0.5, a.single_seconds))
            scenario.single_requests = calibrate(warm.throughput, a.single_seconds, 10, cap or 100_000)

    def round(self, scenario: Scenario) -> None:
        if scenario.target is not None:
            load = self.http(scenario.target, self.args.concurrency, requests=scenario.requests)
            single = self.http(scenario.target, 1, requests=scenario.single_requests)
            scenario.rounds.append({"load": load, "single": single})
        else:
            scenario.rounds.append({"single": self.sql(scenario, requests=scenario.single_requests)})

    def measure(self, scenarios: list[Scenario], rounds: int) -> None:
        for scenario in scenarios:
            self.check(scenario)
            if scenario.broken:
                say(f"  ! {scenario.label}: not measured: {scenario.broken}")
                continue
            self.warm(scenario)
        live = [s for s in scenarios if not s.broken]
        for number in range(1, rounds + 1):
            parts = []
            for scenario in live:
                self.round(scenario)
                last = scenario.rounds[-1].get("load") or scenario.rounds[-1]["single"]
                errors = sum(s.errors for s in scenario.rounds[-1].values())
                parts.append(f"{scenario.key} {last.throughput:,.0f}/s" + (f" ({errors} errors)" if errors else ""))
            say(f"  round {number}/{rounds}: " + ", ".join(parts))


def summarise(scenarios: list[Scenario]) -> dict[str, dict[str, Any]]:
    """Medians over rounds, and the ratios to the baselines of the same run."""
    out: dict[str, dict[str, Any]] = {}
    for s in scenarios:
        loads, singles = s.phase_samples("load"), s.phase_samples("single")
        out[s.key] = {
            "rps": median([x.throughput for x in (loads or singles)]) if s.rounds else None,
            "p50_ms": median([x.p50 for x in loads]) if loads else None,
            "p95_ms": median([x.p95 for x in loads]) if loads else None,
            "single_p50_ms": median([x.p50 for x in singles]) if singles else None,
            "single_p95_ms": median([x.p95 for x in singles]) if singles else None,
            "errors": sum(x.errors for r in s.rounds for x in r.values()),
        }
        if s.kind == "sql" and out[s.key]["rps"]:
            out[s.key]["queries_per_second"] = out[s.key]["rps"] * len(s.statements)
    bare = out.get("bare", {}).get("rps")
    for s in scenarios:
        row = out[s.key]
        row["ratio_to_bare_rps"] = row["rps"] / bare if s.kind == "http" and row["rps"] and bare else None
        base = out.get(s.sql_baseline or "", {}).get("single_p50_ms")
        mine = row["single_p50_ms"]
        row["ratio_to_sql_p50"] = mine / base if mine and base else None
    return out


def scenario_json(s: Scenario, summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": s.key,
        "label": s.label,
        "kind": s.kind,
        "phase": s.phase,
        "note": s.note,
        "path": s.target.label if s.target else None,
        "sql_baseline": s.sql_baseline,
        "statements": [st.name for st in s.statements] or None,
        "requests_per_loaded_phase": s.requests or None,
        "requests_per_single_phase": s.single_requests or None,
        "broken": s.broken,
        "summary": {k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()},
        "rounds": [{name: sample.as_json() for name, sample in r.items()} for r in s.rounds],
    }


def explain_all(db: rawsql.Database, district: str, search: list[rawsql.Statement]) -> dict[str, list[str]]:
    """Plans of the queue page's statements (page 1 and 50) and of the given search statements."""
    plans = {}
    for page in (1, 50):
        for st in rawsql.queue_statements(district, "submitted", page):
            if page == 50 and st.name != "list":
                continue
            plans[f"{st.name}" + (f" (page {page})" if st.name == "list" else "")] = db.explain(st)
    for st in search:
        plans[st.name] = db.explain(st)
    return plans


def print_plans(plans: dict[str, list[str]]) -> None:
    for name, lines in plans.items():
        say(f"  {name}:")
        for line in lines:
            say(f"      {line}")


def plan_warnings(plans: dict[str, list[str]]) -> list[str]:
    """Plan lines worth a look: full scans, sorts, casework_case searches that leave work to rows, and searches
    that read every enterprise of the district to match a LIKE '%…%'."""
    warnings = []
    for name, lines in plans.items():
        for line in lines:
            text = line.strip().removeprefix("->").strip()
            why = ""
            if (text.startswith("SCAN") and "USING" not in text) or text.startswith(
                ("Seq Scan on casework_case", "Seq Scan on enterprises_")
            ):
                why = "reads the whole table"
            elif "TEMP B-TREE" in text or text.startswith("Sort ("):
                why = "sorts or groups in a temporary structure"
            elif text.startswith("Bitmap Heap Scan on casework_case") and name.startswith("count"):
                why = "reads table pages: no index-only scan"
            elif text.startswith("SEARCH casework_case USING INDEX") and name.startswith(("count", "list")):
                if name.startswith("list") and "state=" not in text:
                    why = "the index has the district only: state is checked on each row it visits"
                elif name.startswith("count"):
                    why = "not a covering index: one table-row read per index entry"
            elif name.startswith("search") and text.startswith(
                ("SEARCH enterprises_enterprise USING INDEX", "Bitmap Heap Scan on enterprises_enterprise")
            ):
                why = "every enterprise of the district is read to match LIKE '%…%' (no B-tree index can serve it)"
            if why:
                warnings.append(f"{name}: {text} — {why}")
    return warnings


def index_use(plans: dict[str, list[str]]) -> list[str]:
    """Whether the queue's statements use the index of the casework migration, as they should."""
    queue = [name for name in plans if name.startswith(("list", "count"))]
    using = [name for name in queue if any(QUEUE_INDEX in line for line in plans[name])]
    out = []
    if using:
        how = {name: next(line.strip() for line in plans[name] if QUEUE_INDEX in line) for name in using}
        out.append(f"EXPLAIN: {QUEUE_INDEX} is used by " + "; ".join(f"{n}: {line}" for n, line in how.items()))
    if missing := [name for name in queue if name not in using]:
        why = "the planner chose another path (see EXPLAIN)" if using else "is the casework migration applied?"
        out.append(f"EXPLAIN: {QUEUE_INDEX} is not used by {', '.join(missing)}: {why}")
    return out


def findings(
    db_kind: str,
    summary: dict[str, dict[str, Any]],
    profile: dict[str, dict[str, Any]],
    plans: dict[str, list[str]],
    warnings: list[str],
    seed_report: seed.SeedReport,
    imported: dict[str, Any] | None,
) -> list[str]:
    """What the figures say, in sentences; every one names the figures it rests on."""
    out: list[str] = []

    def get(key: str, field_name: str) -> float | None:
        value = summary.get(key, {}).get(field_name)
        return float(value) if isinstance(value, int | float) else None

    for w in warnings:
        out.append(f"EXPLAIN: {w}")
    out += index_use(plans)
    writing = {p["path"]: p for p in profile.values() if p["writes"]}
    if writing:
        p = next(iter(writing.values()))
        writes = [
            f"{s} {ms:.2f} ms"
            for s, ms in zip(p["statements"], p["statement_ms"], strict=True)
            if not s.startswith("SELECT")
        ]
        out.append(
            f"Every GET of a signed-in page writes ({', '.join(writing)}): {'; '.join(writes)}. "
            f"The session is renewed and re-saved on each request (renew_on_access=True in "
            f"core.sessions)"
            + (", so every page view takes SQLite's single write lock twice." if db_kind == "sqlite" else ".")
        )
    queue = profile.get("queue")
    if queue and queue["request_ms"]:
        slowest = max(zip(queue["statement_ms"], queue["statements"], strict=True), default=None)
        out.append(
            f"In-process, GET /cases/queue takes {queue['request_ms']:.1f} ms of which "
            f"{queue['sql_ms']:.1f} ms in {len(queue['statements'])} statements"
            + (f" (slowest: {slowest[1]} {slowest[0]:.2f} ms)" if slowest else "")
            + "; the rest is middleware, guard, template and the in-process client."
        )
    page1, sql1 = get("queue", "single_p50_ms"), get("sql_queue", "single_p50_ms")
    if page1 and sql1:
        out.append(
            f"Queue page p1: {page1:.1f} ms at one connection vs {sql1:.1f} ms for its two SQL "
            f"statements alone ({page1 / sql1:.1f}x); the rest is the app (sessions, user lookup, "
            f"template) and the driver."
        )
    piccolo, kept = get("sql_queue_newconn", "single_p50_ms"), get("sql_queue", "single_p50_ms")
    if db_kind == "sqlite" and piccolo and kept and piccolo > 1.1 * kept:
        out.append(
            f"Same SQL with a new connection per statement (as Piccolo's SQLite engine does): "
            f"{piccolo:.2f} ms vs {kept:.2f} ms on one kept connection ({piccolo / kept:.1f}x)."
        )
    p50_page, p1_page = get("queue_p50", "single_p50_ms"), get("queue", "single_p50_ms")
    if p50_page and p1_page and p50_page > 1.3 * p1_page:
        out.append(
            f"Page 50 costs {p50_page / p1_page:.1f}x page 1 ({p50_page:.1f} vs {p1_page:.1f} ms): "
            f"OFFSET reads and joins every skipped row; keyset pagination (WHERE id < last_seen_id) "
            f"would make it cost what page 1 costs."
        )
    submitted = seed_report.officer_district_cases_by_state.get("submitted", 0)
    district_total = sum(seed_report.officer_district_cases_by_state.values())
    out.append(
        f"officer1's district holds {district_total:,} cases, {submitted:,} submitted: count and "
        f"count_by_state visit that many index entries on every page view (no table rows where the plan "
        f"reads a COVERING INDEX or does an Index Only Scan)."
    )
    out += search_findings(get, seed_report)
    out += import_findings(imported)
    return out


def search_findings(get: Callable[[str, str], float | None], seed_report: seed.SeedReport) -> list[str]:
    out = [
        f"Search by LIKE '%…%' can use no index for the match itself: the count reads all "
        f"{seed_report.officer_district_enterprises:,} enterprises of officer1's district with their founders on "
        f"every search; the list, newest first, stops at the 20th match ({seed_report.search_word_matches:,} "
        f"match {seed_report.search_word}: an early stop; {seed_report.search_phone_matches} matches the phone "
        f"digits: a full read)."
    ]
    for key, sql_key, what in (
        ("search", "sql_search", f"name search ({seed_report.search_word})"),
        ("search_phone", "sql_search_phone", "phone search (8 digits)"),
    ):
        page, sql, rps = get(key, "single_p50_ms"), get(sql_key, "single_p50_ms"), get(key, "rps")
        if page and sql and rps:
            out.append(
                f"Enterprise {what}: page {page:.1f} ms at one connection, {rps:,.0f} req/s loaded; its list + "
                f"count SQL alone {sql:.1f} ms ({page / sql:.1f}x)."
            )
    return out


def import_findings(imported: dict[str, Any] | None) -> list[str]:
    if not imported:
        return []
    if imported.get("error"):
        return [f"Import benchmark failed: {imported['error']}"]
    out = []
    target = float(imported.get("target_seconds") or 30.0)
    runs = imported.get("runs", 0)
    for what, figures in (
        (f"new rows (median of {runs} run{'s' if runs != 1 else ''})", imported),
        ("the same file with every row changed (all matched and updated)", imported.get("reimport_changed")),
    ):
        if not isinstance(figures, dict) or "check_seconds" not in figures or "apply_seconds" not in figures:
            continue
        check, apply = float(figures["check_seconds"]), float(figures["apply_seconds"])
        verdict = "within" if check + apply <= target else "OVER"
        out.append(
            f"Import of {imported['rows']:,} rows, {what}: dry run {check:.1f} s + import {apply:.1f} s = "
            f"{check + apply:.1f} s, {verdict} the {target:.0f} s target."
        )
    return out


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

        sizes = seed.SeedSizes(cases=args.cases, enterprises=args.enterprises)
        report = seed.seed(
            sizes,
            hash_password(seed.PASSWORD),
            settings.sqlite_path if settings.is_sqlite else None,
            None if settings.is_sqlite else settings.database_url,
        )
        rows = ", ".join(f"{name} {n:,}" for name, n in report.rows.items())
        say(
            f"seeded in {report.seconds:.1f} s (build {report.build_seconds:.1f} s, "
            f"write {report.write_seconds:.1f} s): {rows}"
        )
        say(f"  cases by state: {report.cases_by_state}")
        say(f"  officer1's district ({seed.KAIZHOU}): {report.officer_district_cases_by_state}")
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
        search_name = rawsql.search_statements(seed.KAIZHOU, db.like, q=report.search_word)
        search_phone = rawsql.search_statements(seed.KAIZHOU, db.like, phone_digits=report.search_phone)
        say(
            f"\nEXPLAIN {'QUERY PLAN ' if kind == 'sqlite' else '(ANALYZE) '}of the queue page's and the "
            f"enterprise search's statements ({kind} {version}):"
        )
        explained = [*search_name, *(rawsql.Statement(f"{st.name} (phone)", st.sql, st.params) for st in search_phone)]
        plans = explain_all(db, seed.KAIZHOU, explained)
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
        profile = runner.run(statements_per_request(seed.OFFICER, seed.PASSWORD, paths))
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
        session = sign_in(real.url, seed.OFFICER, seed.PASSWORD)
        token = api_token(real.url, seed.OFFICER, seed.PASSWORD)
        csrf_cookie, csrf_token = csrf_for(real.url, session, CSRF_COOKIE)
        cookie = (("Cookie", f"{SESSION_COOKIE}={session}"),)
        bearer = (("Authorization", f"Bearer {token}"),)
        form_headers = (
            ("Cookie", f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}={csrf_cookie}"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        )

        def page(path: str) -> Target:
            return Target("127.0.0.1", real.port, path, cookie)

        def form(fields: dict[str, str]) -> Target:
            body = urlencode({"_csrf_token": csrf_token, **fields}).encode()
            return Target("127.0.0.1", real.port, "/enterprises", form_headers, "POST", body)

        def api(path: str, json_body: dict[str, str] | None = None) -> Target:
            if json_body is None:
                return Target("127.0.0.1", real.port, path, bearer)
            body = json.dumps(json_body).encode()
            headers = (*bearer, ("Content-Type", "application/json"))
            return Target("127.0.0.1", real.port, path, headers, "POST", body)

        page1 = rawsql.queue_statements(seed.KAIZHOU, "submitted", 1)
        page50 = rawsql.queue_statements(seed.KAIZHOU, "submitted", 50)
        api_sql = rawsql.api_list_statements(seed.KAIZHOU, "submitted")
        scenarios = [
            Scenario("bare", "bare route (baseline)", "http", target=Target("127.0.0.1", bare.port, "/"),
                     note="bench/bare_app.py: GET / -> {\"ok\": true}, same uvicorn command line"),
            Scenario("sql_queue", "raw SQL p1 (baseline)", "sql", statements=page1, sql_baseline="sql_queue",
                     note="count_by_state + list, one kept connection, sequential; req/s = pages/s"),
            Scenario("sql_queue_p50", "raw SQL p50", "sql", statements=page50, sql_baseline="sql_queue_p50",
                     note="as above with OFFSET 980"),
            Scenario("sql_api", "raw SQL of the API", "sql", statements=api_sql, sql_baseline="sql_api",
                     note="list + count: what GET /api/v1/cases runs besides the token lookup"),
        ]  # fmt: skip
        if kind == "sqlite":
            scenarios.append(
                Scenario("sql_queue_newconn", "raw SQL p1, conn/stmt", "sql", statements=page1,
                         piccolo_style=True, sql_baseline="sql_queue",
                         note="a new connection per statement, PRAGMA and commit: as Piccolo on SQLite"),
            )  # fmt: skip
        scenarios += [
            Scenario("queue", "queue page p1", "http", target=page("/cases/queue"), sql_baseline="sql_queue",
                     note="GET /cases/queue as officer1 (state=submitted by default)"),
            Scenario("queue_p50", "queue page p50", "http", target=page("/cases/queue?page=50"),
                     sql_baseline="sql_queue_p50", note="GET /cases/queue?page=50"),
            Scenario("api", "API cases list", "http", sql_baseline="sql_api",
                     target=Target("127.0.0.1", real.port, "/api/v1/cases?state=submitted", bearer),
                     note="bearer token; list + count, no count_by_state"),
        ]  # fmt: skip
        word, digits, cap = report.search_word, report.search_phone, args.search_requests
        row_link = '<td><a href="/enterprises/'
        scenarios += [
            Scenario("sql_search", "raw SQL name search", "sql", SEARCH, statements=search_name,
                     sql_baseline="sql_search", max_requests=cap,
                     note=f"list (page 1) + count of list_enterprises for q={word}, one kept connection"),
            Scenario("sql_search_phone", "raw SQL phone search", "sql", SEARCH, statements=search_phone,
                     sql_baseline="sql_search_phone", max_requests=cap,
                     note="list (page 1) + count of list_enterprises for 8 phone digits"),
            Scenario("search", f"search page q={word}", "http", SEARCH, target=form({"q": word}),
                     sql_baseline="sql_search", max_requests=cap, expect=row_link,
                     note="POST /enterprises (the search form, CSRF token and cookie) as officer1"),
            Scenario("search_phone", "search page phone", "http", SEARCH, target=form({"phone": digits}),
                     sql_baseline="sql_search_phone", max_requests=cap, expect=row_link,
                     note=f"POST /enterprises phone={digits} (8 digits of a seeded founder's phone)"),
            Scenario("api_search", f"API search q={word}", "http", SEARCH, sql_baseline="sql_search",
                     target=api("/api/v1/enterprises?" + urlencode({"q": word})), max_requests=cap,
                     expect=f'"total":{report.search_word_matches}', note="GET with the bearer token"),
            Scenario("api_search_phone", "API search phone", "http", SEARCH, sql_baseline="sql_search_phone",
                     target=api("/api/v1/enterprises/search", {"phone": digits}), max_requests=cap,
                     expect=f'"total":{report.search_phone_matches}',
                     note="POST /api/v1/enterprises/search {\"phone\": ...} with the bearer token"),
        ]  # fmt: skip

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
            "districts": list(seed.DISTRICTS),
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
