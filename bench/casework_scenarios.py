"""What the casework benchmark measures, and how: the case page, the officer's queue and their API twins against
the real app, each beside the raw SQL that fetches the same data.

Every scenario is a sequence of requests, one at a time on one kept connection (a request's own latency, as a
single officer sees it): the case pages ask for a different case each time (random cases of officer1's district,
spread over the whole table), the queue pages for the same page. Its raw-SQL baseline runs the same sequence
(same case ids, same filters) with the same driver and no ORM: sqlite3 or asyncpg on one kept connection. The
rounds are interleaved (round 1 of every scenario, then round 2, ...) so that a noisy neighbour hurts all alike.

The statements mirror `casework.services` (`get_case`, `case_file` and its sections, `count_by_state`,
`list_cases`) as of this writing; keep them in step when those queries change.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bench import rawsql
from bench.measure import Sample, Target, _read_response, median, percentile
from bench.rawsql import BY_STATE_SQL, COUNT_SQL, LIST_SQL, PER_PAGE, Statement

CASE_TARGET_MS = 50.0  # issue 8: the case page answers in 50 ms or less at the 95th percentile
QUEUE_TARGET_MS = 100.0  # and the officer's queue in 100 ms or less

CASE_SQL = """\
SELECT "c"."id", "c"."state", "c"."priority", "c"."district", "c"."created_at", "c"."version", "c"."filed_by",
       "c"."updated_at", "c"."diagnosis", "e"."id" AS "enterprise_id", "e"."name" AS "enterprise_name",
       "e"."town" AS "town", "u"."display_name" AS "filed_by_name"
FROM "casework_case" "c"
LEFT JOIN "enterprises_enterprise" "e" ON "c"."enterprise" = "e"."id"
LEFT JOIN "accounts_user" "u" ON "c"."filed_by" = "u"."id"
WHERE "c"."id" = ?"""
NEEDS_SQL = """\
SELECT "n"."id", "n"."category", "n"."description", "n"."urgency", "n"."amount_sought"
FROM "casework_case_need" "cn" JOIN "enterprises_need" "n" ON "cn"."need" = "n"."id"
WHERE "cn"."case" = ?"""
EVENTS_SQL = """\
SELECT "ev"."id", "ev"."kind", "ev"."from_state", "ev"."to_state", "ev"."note", "ev"."data", "ev"."created_at",
       "u"."display_name" AS "actor_name"
FROM "casework_case_event" "ev" LEFT JOIN "accounts_user" "u" ON "ev"."actor" = "u"."id"
WHERE "ev"."case" = ? ORDER BY "ev"."id\""""
ASSIGNMENTS_SQL = """\
SELECT "a"."id", "a"."role", "a"."status", "x"."name" AS "expert_name"
FROM "casework_assignment" "a" JOIN "experts_expert" "x" ON "a"."expert" = "x"."id"
WHERE "a"."case" = ? ORDER BY "a"."id\""""
VERSIONS_SQL = """\
SELECT "id", "number", "status", "submitted_at", "comments" FROM "casework_plan_version"
WHERE "case" = ? ORDER BY "number\""""
PROBLEMS_SQL = """\
SELECT "id", "title", "description" FROM "casework_problem" WHERE "case" = ? ORDER BY "position", "id\""""
MEASURES_SQL = """\
SELECT "id", "problem", "description", "owner", "owner_name", "due_on", "status" FROM "casework_measure"
WHERE "case" = ? ORDER BY "position", "id\""""
TASKS_SQL = """\
SELECT "t"."id", "t"."kind", "t"."due_on", "t"."status", "u"."display_name" AS "broker_name"
FROM "casework_task" "t" LEFT JOIN "accounts_user" "u" ON "t"."broker" = "u"."id"
WHERE "t"."case" = ? ORDER BY "t"."due_on\""""
ATTACHMENTS_SQL = """\
SELECT "a"."id", "a"."original_name", "a"."content_type", "a"."size", "a"."purpose", "a"."created_at",
       "u"."display_name" AS "uploaded_by_name"
FROM "casework_attachment" "a" LEFT JOIN "accounts_user" "u" ON "a"."uploaded_by" = "u"."id"
WHERE "a"."case" = ? ORDER BY "a"."id" DESC"""
# Every page's header: the signed-in user's unread messages (accounts.identity.user_from_session).
UNREAD_SQL = """\
SELECT COUNT(*) FROM "accounts_notification" WHERE "accounts_notification"."user" = ? AND "read_at" IS NULL"""
# The queue with no state filter: the district's cases, newest first.
LIST_ALL_SQL = LIST_SQL.replace(' AND "casework_case"."state" = ?', "")


def case_page_statements(case_id: int) -> list[Statement]:
    """What the case page shows, fetched minimally: the case, its needs, timeline, experts, plan, tasks, files."""
    return [
        Statement(name, sql, (case_id,))
        for name, sql in (
            ("case", CASE_SQL),
            ("needs", NEEDS_SQL),
            ("events", EVENTS_SQL),
            ("assignments", ASSIGNMENTS_SQL),
            ("plan_versions", VERSIONS_SQL),
            ("problems", PROBLEMS_SQL),
            ("measures", MEASURES_SQL),
            ("tasks", TASKS_SQL),
            ("attachments", ATTACHMENTS_SQL),
        )
    ]


def case_api_statements(case_id: int) -> list[Statement]:
    """What GET /api/v1/cases/{id} returns: the case and its needs."""
    return [Statement("case", CASE_SQL, (case_id,)), Statement("needs", NEEDS_SQL, (case_id,))]


def queue_statements(district: str, state: str, page: int) -> list[Statement]:
    """The queue page: the counts by state (its tabs and its total), then the page of cases."""
    offset = (page - 1) * PER_PAGE
    if not state:
        listing = Statement("list", LIST_ALL_SQL, (district, PER_PAGE, offset))
    else:
        listing = Statement("list", LIST_SQL, (district, state, PER_PAGE, offset))
    return [Statement("count_by_state", BY_STATE_SQL, (district,)), listing]


def api_list_statements(district: str, state: str, page: int) -> list[Statement]:
    """GET /api/v1/cases?state=…: the page of cases and its count."""
    offset = (page - 1) * PER_PAGE
    return [
        Statement("list", LIST_SQL, (district, state, PER_PAGE, offset)),
        Statement("count", COUNT_SQL, (district, state)),
    ]


@dataclass
class Scenario:
    key: str
    label: str
    kind: str  # "http" or "sql"
    note: str = ""
    baseline: str | None = None  # the raw-SQL scenario of the same requests
    target_ms: float | None = None  # the p95 the issue asks for (HTTP scenarios)
    paths: list[str] = field(default_factory=list)  # HTTP: one path per request
    headers: tuple[tuple[str, str], ...] = ()
    pages: list[list[Statement]] = field(default_factory=list)  # SQL: the statements of each request
    new_connection: bool = False  # SQL on SQLite: a new connection per statement, as Piccolo runs them
    broken: str | None = None
    rounds: list[Sample] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # HTTP: the server's CPU time per request, each round

    @property
    def size(self) -> int:
        return len(self.paths) if self.kind == "http" else len(self.pages)

    @property
    def shown_path(self) -> str | None:
        if not self.paths:
            return None
        return self.paths[0] if len(set(self.paths)) == 1 else self.paths[0].rsplit("/", 1)[0] + "/{id}"


async def http_sequence(host: str, port: int, headers: tuple[tuple[str, str], ...], paths: list[str]) -> Sample:
    """GET each path in turn on one keep-alive connection, timing each answer."""
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    received = 0
    started = time.perf_counter()
    try:
        for path in paths:
            request = Target(host, port, path, headers).request()
            sent = time.perf_counter()
            writer.write(request)
            status, size, keep_alive = await _read_response(reader)
            latencies.append((time.perf_counter() - sent) * 1000)
            statuses[status] += 1
            received += size
            if not keep_alive:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
    return Sample(len(latencies), time.perf_counter() - started, latencies, statuses, received)


def _timed(pages: list[list[Statement]], run_page: Callable[[list[Statement]], object]) -> Sample:
    latencies = []
    started = time.perf_counter()
    for page in pages:
        t = time.perf_counter()
        run_page(page)
        latencies.append((time.perf_counter() - t) * 1000)
    return Sample(len(latencies), time.perf_counter() - started, latencies, Counter({200: len(latencies)}))


def sqlite_sequence(db: rawsql.SqliteDatabase, pages: list[list[Statement]], new_connection: bool) -> Sample:
    """Each request's statements on the kept connection, or each on a new one as Piccolo's SQLite engine does."""
    if not new_connection:
        connection = db.connection
        return _timed(pages, lambda page: [connection.execute(s.sql, s.params).fetchall() for s in page])
    path = db.path

    def piccolo_style(page: list[Statement]) -> None:
        for s in page:
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

    return _timed(pages, piccolo_style)


async def postgres_sequence(db: rawsql.PostgresDatabase, pages: list[list[Statement]]) -> Sample:
    """Each request's statements on the kept asyncpg connection."""
    connection = db.connection
    converted = [[(rawsql.to_postgres(s.sql), s.params) for s in page] for page in pages]
    latencies = []
    started = time.perf_counter()
    for page in converted:
        t = time.perf_counter()
        for sql, params in page:
            await connection.fetch(sql, *params)
        latencies.append((time.perf_counter() - t) * 1000)
    return Sample(len(latencies), time.perf_counter() - started, latencies, Counter({200: len(latencies)}))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads), from /proc; 0 where there is no /proc."""
    try:
        stat = open(f"/proc/{pid}/stat").read()  # noqa: SIM115 - one read of a tiny file
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Runner:
    """Runs scenarios' requests against the app on `port` (process `pid`) and the database `db`, in rounds."""

    def __init__(self, loop: asyncio.Runner, db: rawsql.Database, port: int, pid: int) -> None:
        self.loop = loop
        self.db = db
        self.port = port
        self.pid = pid

    def run(self, scenario: Scenario, start: int, count: int) -> Sample:
        """Requests `start` .. `start + count` of the scenario (its sequence wraps around)."""
        if scenario.kind == "http":
            paths = [scenario.paths[(start + i) % len(scenario.paths)] for i in range(count)]
            sample: Sample = self.loop.run(http_sequence("127.0.0.1", self.port, scenario.headers, paths))
            return sample
        pages = [scenario.pages[(start + i) % len(scenario.pages)] for i in range(count)]
        if isinstance(self.db, rawsql.SqliteDatabase):
            return sqlite_sequence(self.db, pages, scenario.new_connection)
        coroutine: Coroutine[Any, Any, Sample] = postgres_sequence(self.db, pages)
        result: Sample = self.loop.run(coroutine)
        return result

    def check(self, scenario: Scenario) -> None:
        """One request first: figures of error pages would measure nothing worth knowing."""
        try:
            sample = self.run(scenario, 0, 1)
        except Exception as error:  # a broken scenario is reported, the others still measured
            scenario.broken = f"{type(error).__name__}: {error}"
            return
        if sample.errors:
            scenario.broken = f"HTTP {next(iter(sample.statuses))} on {scenario.shown_path}"

    def measure(
        self, scenarios: list[Scenario], rounds: int, per_round: int, warm: int, say: Callable[[str], None]
    ) -> None:
        for scenario in scenarios:
            self.check(scenario)
            if scenario.broken:
                say(f"  ! {scenario.label}: not measured: {scenario.broken}")
            else:
                self.run(scenario, scenario.size - warm, warm)  # warm up on the end of the sequence
        live = [s for s in scenarios if not s.broken]
        for number in range(rounds):
            parts = []
            for scenario in live:
                cpu = cpu_seconds(self.pid)
                sample = self.run(scenario, number * per_round, per_round)
                if scenario.kind == "http" and sample.requests:
                    # Unlike latency, CPU time does not count the waits for a CPU that a busy machine adds.
                    scenario.cpu_ms.append((cpu_seconds(self.pid) - cpu) * 1000 / sample.requests)
                scenario.rounds.append(sample)
                parts.append(
                    f"{scenario.key} {sample.p95:.1f}" + (f" ({sample.errors} errors)" if sample.errors else "")
                )
            say(f"  round {number + 1}/{rounds}, p95 ms: " + ", ".join(parts))


def summary(scenario: Scenario, baseline: Scenario | None) -> dict[str, Any]:
    """Median and p95 over every request of every round, beside the baseline's; the existing report's keys too."""
    latencies = [ms for sample in scenario.rounds for ms in sample.latencies_ms]
    seconds = sum(sample.seconds for sample in scenario.rounds)
    out: dict[str, Any] = {
        "requests": len(latencies),
        "rps": len(latencies) / seconds if seconds else None,
        "p50_ms": None,  # no loaded phase: the targets are one officer's latency
        "p95_ms": None,
        "single_p50_ms": median(latencies) if latencies else None,
        "single_p95_ms": percentile(latencies, 95) if latencies else None,
        "max_ms": max(latencies) if latencies else None,
        "round_p95_ms": [round(sample.p95, 3) for sample in scenario.rounds],
        "errors": sum(sample.errors for sample in scenario.rounds),
        "app_cpu_ms": median(scenario.cpu_ms) if scenario.cpu_ms else None,
        "target_p95_ms": scenario.target_ms,
    }
    base = summary(baseline, None) if baseline is not None and baseline.rounds else {}
    for mine, theirs, key in (("single_p50_ms", "single_p50_ms", "ratio_to_sql_p50"),
                              ("single_p95_ms", "single_p95_ms", "ratio_to_sql_p95")):  # fmt: skip
        a, b = out[mine], base.get(theirs)
        out[key] = a / b if a and b else None
    out["sql_p50_ms"] = base.get("single_p50_ms")
    out["sql_p95_ms"] = base.get("single_p95_ms")
    if scenario.target_ms is not None and out["single_p95_ms"] is not None:
        out["within_target"] = out["single_p95_ms"] <= scenario.target_ms
    return out


def scenario_json(scenario: Scenario, figures: dict[str, Any]) -> dict[str, Any]:
    """As bench.scenario.scenario_json writes the other scenarios, with the casework phase."""
    return {
        "key": scenario.key,
        "label": scenario.label,
        "kind": scenario.kind,
        "phase": "casework",
        "note": scenario.note,
        "path": f"GET {scenario.shown_path}" if scenario.shown_path else None,
        "sql_baseline": scenario.baseline,
        "statements": [s.name for s in scenario.pages[0]] if scenario.pages else None,
        "requests_per_single_phase": len(scenario.rounds[0].latencies_ms) if scenario.rounds else None,
        "broken": scenario.broken,
        "summary": {k: round(v, 4) if isinstance(v, float) else v for k, v in figures.items()},
        "rounds": [{"single": sample.as_json()} for sample in scenario.rounds],
    }
