"""The casework benchmark within `python -m bench`: where its seeded databases live, one run per database, its table.

A seeded world of 1,000,000 cases takes minutes to build, so its databases are kept between runs: SQLite files in
var/bench/casework/, PostgreSQL databases in a cluster kept in /tmp/fuchi-bench-casework-<checkout> (started for
the run when `BENCH_POSTGRES=1`, stopped after), or on the server that `BENCH_CASEWORK_POSTGRES=postgresql://…`
names (used as is, never started or stopped). A database's name carries the fingerprint of the seeded tables'
columns, the seeder and the sizes (bench.casework_seed.fingerprint): new migrations are applied to the kept
database, a changed seeded column means a new database, seeded once, and the stale ones of this checkout are
removed. A lock file stops two runs in one checkout seeding one database at once.

Does not read the app's settings: each database's run is a child process (bench.casework_bench) with its own
DATABASE_URL.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn
from urllib.parse import urlparse, urlunparse

from bench.casework_seed import fingerprint, seeded_schema
from bench.casework_world import WorldSizes
from bench.options import ROOT

CLUSTER_DIR = Path(f"/tmp/fuchi-bench-casework-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:8]}")
DATABASE_PREFIX = "fuchi_casework_"


def say(message: str = "") -> None:
    print(message, flush=True)


def exit_on_term(signum: int, frame: FrameType | None) -> NoReturn:
    """SIGTERM as SystemExit, so that `finally` blocks stop what the run started (child, server, cluster)."""
    raise SystemExit(128 + signum)


def _run_child(command: list[str], env: dict[str, str]) -> int:
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        return process.wait()
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (waiting for another run of this checkout to finish)."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another casework benchmark of this checkout to finish (lock {path}) ...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Cluster:
    """The benchmark's own PostgreSQL cluster, kept between runs (scripts/postgres); stopped only if we started it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started = False

    def _running_port(self) -> int | None:
        status = subprocess.run(
            [str(ROOT / "scripts" / "postgres"), "status", str(self.directory)], capture_output=True, check=False
        )
        if status.returncode != 0:
            return None
        lines = (self.directory / "data" / "postmaster.pid").read_text().splitlines()
        return int(lines[3])

    def start(self) -> str:
        """The server's URL (its `fuchi` database; the casework databases are created beside it)."""
        port = self._running_port()
        if port is None:
            from bench.servers import free_port  # imports no app settings

            port = free_port()
            self.started = True
        self.directory.mkdir(mode=0o755, exist_ok=True)
        answer = subprocess.run(
            [str(ROOT / "scripts" / "postgres"), "start", str(self.directory), str(port)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if answer.returncode != 0:
            raise RuntimeError(f"scripts/postgres start {self.directory} failed:\n{answer.stderr[-2000:]}")
        return answer.stdout.strip().splitlines()[-1]

    def stop(self) -> None:
        if self.started:
            subprocess.run(
                [str(ROOT / "scripts" / "postgres"), "stop", str(self.directory)], capture_output=True, check=False
            )


def _with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


async def _drop_stale(server_url: str, keep: str) -> list[str]:
    """Drop this benchmark's databases of other fingerprints on our own cluster (a million cases take ~2 GB each)."""
    import asyncpg

    admin = await asyncpg.connect(_with_database(server_url, "postgres"))
    try:
        names = [
            r["datname"]
            for r in await admin.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1", f"{DATABASE_PREFIX}%")
            if r["datname"] != keep
        ]
        for name in names:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        return names
    finally:
        await admin.close()


def run_casework(args: argparse.Namespace, work_dir: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Each database's part (SQLite, then PostgreSQL when asked for) and what went wrong."""
    sizes = WorldSizes(cases=args.casework_cases, enterprises=args.casework_enterprises)
    fp = fingerprint(seeded_schema(), sizes)
    cache: Path = args.casework_cache
    cache.mkdir(parents=True, exist_ok=True)
    parts: list[dict[str, Any]] = []
    failed: list[str] = []
    previous = signal.signal(signal.SIGTERM, exit_on_term)
    try:
        with locked(cache / ".lock"):
            _run_targets(args, work_dir, sizes, fp, parts, failed)
    finally:
        signal.signal(signal.SIGTERM, previous)
    return parts, failed


def _run_targets(
    args: argparse.Namespace, work_dir: Path, sizes: WorldSizes, fp: str, parts: list[dict[str, Any]], failed: list[str]
) -> None:
    """Append each database's part to `parts`, and what went wrong to `failed`."""
    cache: Path = args.casework_cache
    stem = f"casework-{sizes.cases}-{fp}"
    database = f"{DATABASE_PREFIX}{sizes.cases}_{fp}"
    for stale in cache.glob("casework-*.sqlite*"):
        if not stale.name.startswith(f"{stem}.sqlite"):
            say(f"removing a stale casework database: {stale}")
            stale.unlink()
    targets = [("sqlite", f"sqlite:///{cache / f'{stem}.sqlite'}")]
    cluster: Cluster | None = None
    try:
        if server := os.environ.get("BENCH_CASEWORK_POSTGRES"):
            targets.append(("postgresql", _with_database(server, database)))
        elif os.environ.get("BENCH_POSTGRES_URL"):
            cluster = Cluster(CLUSTER_DIR)
            server = cluster.start()
            for name in asyncio.run(_drop_stale(server, database)):
                say(f"dropped a stale casework database: {name}")
            targets.append(("postgresql", _with_database(server, database)))
        for kind, url in targets:
            part_path = work_dir / f"casework-{kind}.json"
            env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
            command = [
                sys.executable, "-m", "bench.casework_bench", f"--json-out={part_path}", f"--fingerprint={fp}",
                f"--cases={sizes.cases}", f"--enterprises={sizes.enterprises}",
                f"--requests={args.casework_requests}", f"--rounds={args.casework_rounds}",
                f"--work-dir={work_dir}",
            ]  # fmt: skip
            part_path.unlink(missing_ok=True)
            code = _run_child(command, env)
            if code != 0 or not part_path.exists():
                failed.append(f"casework on {kind}: the run stopped (exit {code})")
                continue
            part = json.loads(part_path.read_text())
            parts.append(part)
            for s in part["scenarios"]:
                if s["broken"] or s["summary"]["errors"]:
                    problem = s["broken"] or f"{s['summary']['errors']} error responses"
                    failed.append(f"casework on {kind}: {s['label']}: {problem}")
    finally:
        if cluster is not None:
            cluster.stop()


def merge_into(output: Path, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The report at `output` with its casework figures replaced (the other benchmarks' figures kept as they were)."""
    report: dict[str, Any] = {}
    if output.exists():
        try:
            report = json.loads(output.read_text())
        except json.JSONDecodeError:
            report = {}
    report["casework"] = parts
    return report


COLUMNS = (
    "scenario",
    "median ms",
    "p95 ms",
    "max ms",
    "app CPU ms",
    "SQL median",
    "SQL p95",
    "p95÷SQL",
    "target p95",
    "",
)


def _ms(value: Any) -> str:
    if not isinstance(value, int | float):
        return "—"
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _rows(part: dict[str, Any]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for s in part["scenarios"]:
        m = s["summary"]
        if s["kind"] != "http" and s["key"] not in ("sql_case_newconn", "sql_unread"):
            continue
        if s["broken"]:
            out.append((s["label"], "NOT MEASURED", "", "", "", "", "", "", "", s["broken"][:60]))
            continue
        target = m.get("target_p95_ms")
        verdict = "" if target is None else ("within" if m.get("within_target") else "OVER")
        ratio = m.get("ratio_to_sql_p95")
        out.append(
            (
                s["label"], _ms(m["single_p50_ms"]), _ms(m["single_p95_ms"]), _ms(m.get("max_ms")),
                _ms(m.get("app_cpu_ms")),
                _ms(m.get("sql_p50_ms")), _ms(m.get("sql_p95_ms")), f"{ratio:.1f}x" if ratio else "—",
                f"≤ {target:.0f}" if target else "—", verdict + (f" ({m['errors']} errors)" if m["errors"] else ""),
            )
        )  # fmt: skip
    return out


def _table(body: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [COLUMNS, *body]) for i in range(len(COLUMNS))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            [cells[0].ljust(widths[0]), *(c.rjust(widths[i + 1]) for i, c in enumerate(cells[1:]))]
        ).rstrip()

    return [line(COLUMNS), "  ".join("-" * w for w in widths), *(line(r) for r in body)]


LEGEND = """\
casework: each page asked for one request at a time on one keep-alive connection (1 uvicorn worker), signed in as
  officer1, district officer of 开州区; the case pages ask for a different random case of the district each time.
  median / p95 / max: over every request of every round. SQL median / p95: the same requests' raw SQL (the same
  case ids, filters and pages) with the same driver and no ORM, on one kept connection, in the same run.
  app CPU ms: the app server's CPU time per request (user + system, all threads, from /proc), median over rounds:
  what a request costs the app when no other process competes for the CPU (SQLite's work included; PostgreSQL's
  server processes not). p95÷SQL: the page's p95 over its raw SQL's p95. target p95: issue 8 (case page 50 ms,
  queue 100 ms; the API twins held to the same). "raw SQL case page, conn/stmt" (SQLite): the 9 statements with a
  new connection each, as Piccolo's SQLite engine runs queries. "raw SQL unread count": the count every page's
  header runs for officer1, alone."""


def render(parts: list[dict[str, Any]], show: Callable[[str], None] = say) -> None:
    for part in parts:
        seed = part["seed"]
        rows = seed["rows"]
        seeded = (
            f"seeded once in {seed['seconds']:.0f} s, reused"
            if seed["reused"]
            else f"seeded in {seed['seconds']:.0f} s"
        )
        show(
            f"\ncasework on {part['database']} {part['database_version']} ({part['date']}): "
            f"{rows.get('casework_case', 0):,} cases, {rows.get('casework_case_event', 0):,} events, "
            f"{rows.get('enterprises_enterprise', 0):,} enterprises in {seed['districts']} districts; {seeded} "
            f"(build {seed['build_seconds']:.0f} s, write {seed['write_seconds']:.0f} s, indexes "
            f"{seed['index_seconds']:.0f} s); officer1's district: "
            f"{sum(seed['officer_district_cases_by_state'].values()):,} cases; load average "
            f"{part.get('loadavg', {}).get('start')} at start, {part.get('loadavg', {}).get('end')} at end"
        )
        for line in _table(_rows(part)):
            show(line)
        if part["findings"]:
            show("findings:")
            for finding in part["findings"]:
                show(f"  - {finding}")
    if parts:
        show("\n" + LEGEND)


def run_casework_only(args: argparse.Namespace, work_dir: Path) -> int:
    """`python -m bench --casework-only`: the casework figures alone, merged into the report at --output."""
    if args.casework_cases <= 0:
        say("--casework-only with --casework-cases 0: nothing to run")
        return 2
    parts, failed = run_casework(args, work_dir)
    output: Path = args.output
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(merge_into(output, parts), ensure_ascii=False, indent=2))
    render(parts)
    say(f"\ncasework figures written to {output} (the other benchmarks' figures there are kept as they were)")
    if failed:
        print("\nNOT all casework scenarios ran cleanly:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0
