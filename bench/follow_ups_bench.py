"""Follow-ups: the sweep over 100,000 pending rows, and jobs per second per worker, beside same-run baselines.

- `sweep`: `casework.followups.scheduling.sweep_follow_ups` over 100,000 pending follow-ups spread
  over a year (about 1/365 of them near, given to RQ), then over 100,000 all overdue (the first sweep
  after an outage: it looks at `SWEEP_BATCH` rows a time). Each against a bare SELECT of the same rows
  (the raw driver) and a Redis pipeline of as many no-op commands as the sweep checks jobs. `first`:
  an empty Redis (every near row queued); `again`: every job already there (nothing queued).
- `jobs`: N follow-ups due now, acted on by one real worker process in burst mode, `fuchi worker`
  (RQ's forking worker, Fuchi's class, which imports the job modules before forking), plain
  `rq worker` (a horse that imports them itself) and `rq worker -w rq.SimpleWorker` (no fork), beside
  N no-op jobs (`os.getpid`) on the same worker. The rate is N over the time from the first job's
  start to the last job's end (RQ's own timestamps), so the worker's start-up is left out.

Medians of several runs; never fails on time. Works on the database of DATABASE_URL (migrated, with
cases: the suite's seed, or alone a small one): `DATABASE_URL=... REDIS_URL=... python -m
bench.follow_ups_bench`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from redis import Redis
from rq import Queue
from rq.job import Job

from bench.seed_writers import _sqlite_value
from casework.followups import scheduling
from casework.followups.rules import FollowUpKind
from core.config import settings
from core.jobs import JobKind, queue_name, redis_connection

ROWS = 100_000
JOBS = 200
RUNS = 3
NO_PRELOAD_JOBS = 30
KEY = "bench-fu:"  # the keys of the rows this benchmark writes (and deletes)
BIN = Path(sys.executable).parent
_LIVE_STATES = ("submitted", "triaged", "assigned", "diagnosing", "planning", "in_progress", "monitoring")
_COLUMNS = ("case", "district", "kind", "key", "state", "due_at", "step", "version", "data", "created_at")
NEAR_SQL = (
    'SELECT "id", "version", "due_at" FROM "casework_follow_up" WHERE "state" = {p} AND "due_at" <= {p} '
    'ORDER BY "due_at", "id" LIMIT {limit}'
)


class Rows:
    """Bulk writes and bare reads of follow-up rows with the database's own driver (no ORM)."""

    def __init__(self) -> None:
        self.sqlite = settings.is_sqlite
        self.loop = asyncio.new_event_loop()
        self.pg: Any = None
        self.lite: sqlite3.Connection | None = None
        if self.sqlite:
            self.lite = sqlite3.connect(settings.sqlite_path, timeout=30, isolation_level=None)
        else:
            import asyncpg

            self.pg = self.loop.run_until_complete(asyncpg.connect(settings.database_url))

    def close(self) -> None:
        if self.lite is not None:
            self.lite.close()
        if self.pg is not None:
            self.loop.run_until_complete(self.pg.close())
        self.loop.close()

    def fetch(self, sql: str, *args: Any) -> list[Any]:
        if self.lite is not None:
            return self.lite.execute(sql.replace("{p}", "?"), args).fetchall()
        numbered = sql
        for n in range(1, len(args) + 1):
            numbered = numbered.replace("{p}", f"${n}", 1)
        return list(self.loop.run_until_complete(self.pg.fetch(numbered, *args)))

    def execute(self, sql: str, *args: Any) -> None:
        self.fetch(sql, *args)

    def cases(self, limit: int = 2000) -> list[tuple[int, str]]:
        """Live cases to hang follow-ups on (a triage clock of a gone case would be cancelled, not acted)."""
        marks = ", ".join(["{p}"] * len(_LIVE_STATES))
        found = self.fetch(
            f'SELECT "id", "district" FROM "casework_case" WHERE "state" IN ({marks}) ORDER BY "id" LIMIT {limit}',
            *_LIVE_STATES,
        )
        return [(int(r[0]), str(r[1])) for r in found]

    def insert(self, cases: list[tuple[int, str]], dues: list[datetime], prefix: str) -> None:
        """Pending triage clocks, one per due time, round-robin over the cases."""
        now = datetime.now(UTC)
        records = [
            (case, district, FollowUpKind.TRIAGE_DUE.value, f"{KEY}{prefix}:{n}", "pending", due, 0, 1, "{}", now)
            for n, (due, (case, district)) in enumerate(zip(dues, _cycle(cases, len(dues)), strict=True))
        ]
        if self.lite is not None:
            columns = ", ".join(f'"{c}"' for c in _COLUMNS)
            sql = f'INSERT INTO "casework_follow_up" ({columns}) VALUES ({", ".join("?" * len(_COLUMNS))})'
            with self.lite:
                self.lite.execute("BEGIN")
                self.lite.executemany(sql, [tuple(_sqlite_value(v) for v in r) for r in records])
            return
        self.loop.run_until_complete(
            self.pg.copy_records_to_table("casework_follow_up", records=records, columns=list(_COLUMNS))
        )
        self.loop.run_until_complete(self.pg.execute('ANALYZE "casework_follow_up"'))

    def clear(self) -> None:
        self.execute('DELETE FROM "casework_follow_up" WHERE "key" LIKE {p}', f"{KEY}%")

    def acted(self, prefix: str) -> int:
        [(count,)] = self.fetch(
            'SELECT COUNT(*) FROM "casework_follow_up" WHERE "key" LIKE {p} AND "step" = 1', f"{KEY}{prefix}:%"
        )
        return int(count)

    def near(self, now: datetime, limit: int) -> list[Any]:
        """What the sweep's SELECT returns, bare (for `limit` rows: its batches, read in one)."""
        horizon = now + scheduling.NEAR
        due: Any = _sqlite_value(horizon) if self.sqlite else horizon
        return self.fetch(NEAR_SQL.format(p="{p}", limit=limit), "pending", due)


def _cycle(items: list[Any], n: int) -> list[Any]:
    return [items[i % len(items)] for i in range(n)]


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def _noop_pipeline(connection: Redis, commands: int) -> None:
    pipe = connection.pipeline(transaction=False)
    for _ in range(commands):
        pipe.hget("bench:no-such-key", "status")
    pipe.execute()


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _sweeps(rows: Rows, connection: Redis, runs: int) -> dict[str, Any]:
    """The sweep on an empty Redis, the sweeps that put every near row back, and a sweep with every job there;
    each beside a bare SELECT of the rows it reads and a pipeline of as many no-op Redis commands."""
    first: list[float] = []
    select: list[float] = []
    pipeline: list[float] = []
    queued = looked = 0
    for _ in range(runs):
        connection.flushdb()
        now = datetime.now(UTC)
        seconds, queued = _timed(partial(scheduling.sweep_follow_ups, now, connection))
        first.append(seconds)
        seconds, found = _timed(partial(rows.near, now, scheduling.SWEEP_BATCH))
        select.append(seconds)
        looked = len(found)
        pipeline.append(_timed(partial(_noop_pipeline, connection, looked))[0])
    # What the sweeps after an outage do, one a minute: put back every near row, a batch each.
    connection.flushdb()
    now = datetime.now(UTC)
    counts: list[int] = []
    refill, _ = _timed(lambda: _sweep_until_nothing(connection, now, counts))
    queue = Queue(queue_name(JobKind.LIGHT), connection=connection)
    on_queue = queue.count + queue.scheduled_job_registry.count
    again = [_timed(lambda: scheduling.sweep_follow_ups(now, connection))[0] for _ in range(runs)]
    select_all, found = _timed(lambda: rows.near(now, scheduling.SWEEP_LOOK_AT))
    pipeline_all, _ = _timed(lambda: _noop_pipeline(connection, len(found)))
    connection.flushdb()
    base, base_all = _median(select) + _median(pipeline), select_all + pipeline_all
    return {
        "queued": queued,
        "rows_looked_at": looked,
        "first_s": round(_median(first), 4),
        "select_s": round(_median(select), 4),
        "pipeline_s": round(_median(pipeline), 4),
        "first_ratio": round(_median(first) / base, 2) if base else None,
        "sweeps_to_put_back": counts,
        "put_back_s": round(refill, 2),
        "on_queue": on_queue,
        "again_rows_looked_at": len(found),
        "again_s": round(_median(again), 4),
        "again_select_s": round(select_all, 4),
        "again_pipeline_s": round(pipeline_all, 4),
        "again_ratio": round(_median(again) / base_all, 2) if base_all else None,
    }


def _sweep_until_nothing(connection: Redis, now: datetime, counts: list[int]) -> None:
    while len(counts) < 1000 and (queued := scheduling.sweep_follow_ups(now, connection)):
        counts.append(queued)


def bench_sweep(rows: Rows, cases: list[tuple[int, str]], total: int, runs: int) -> dict[str, Any]:
    connection = redis_connection()
    rng = random.Random(9)
    now = datetime.now(UTC)
    rows.clear()
    ahead = [now + timedelta(seconds=rng.uniform(60, 365 * 86400)) for _ in range(total)]
    t, _ = _timed(lambda: rows.insert(cases, ahead, "year"))
    spread = {"rows": total, "insert_s": round(t, 2), **_sweeps(rows, connection, runs)}
    rows.clear()
    late = [now - timedelta(seconds=rng.uniform(60, 30 * 86400)) for _ in range(total)]
    t, _ = _timed(lambda: rows.insert(cases, late, "late"))
    overdue = {"rows": total, "insert_s": round(t, 2), **_sweeps(rows, connection, runs)}
    rows.clear()
    return {"spread_over_a_year": spread, "all_overdue": overdue, "sweep_batch": scheduling.SWEEP_BATCH}


WORKERS = {
    # `fuchi worker` as operators run it (RQ's forking worker with Fuchi's class, its scheduler), light queue.
    "fuchi worker (fork per job)": [str(BIN / "fuchi"), "worker", "--burst", "--queues", "light"],
    # RQ's own forking worker: each work horse imports the job's modules itself (FuchiWorker before forking).
    # At about a second a follow-up, it runs fewer jobs (NO_PRELOAD_JOBS).
    "rq worker (fork per job, no preload)": [str(BIN / "rq"), "worker", "--burst", "-w", "rq.Worker"],
    "rq SimpleWorker (no fork)": [str(BIN / "rq"), "worker", "--burst", "-w", "rq.SimpleWorker"],
}


def _run_worker(command: list[str], connection: Redis, job_ids: list[str], log: Path) -> dict[str, Any]:
    """Run one worker until the queue is empty; the jobs' rate from RQ's own start and end times."""
    if command[1] == "worker" and "rq" in Path(command[0]).name:
        command = [*command, "--url", settings.redis_url, queue_name(JobKind.LIGHT)]
    started = time.perf_counter()
    with log.open("ab") as out:
        code = subprocess.call(command, env={**os.environ}, stdout=out, stderr=subprocess.STDOUT, timeout=900)
    wall = time.perf_counter() - started
    jobs = [j for j in Job.fetch_many(job_ids, connection=connection) if j is not None]
    starts = [j.started_at for j in jobs if j.started_at]
    ends = [j.ended_at for j in jobs if j.ended_at]
    finished = sum(1 for j in jobs if j.get_status() == "finished")
    span = (max(ends) - min(starts)).total_seconds() if starts and ends else 0.0
    return {
        "exit": code,
        "finished": finished,
        "wall_s": round(wall, 2),
        "span_s": round(span, 3),
        "per_second": round(len(job_ids) / span, 1) if span else None,
    }


def bench_jobs(rows: Rows, cases: list[tuple[int, str]], jobs: int, runs: int, log: Path) -> dict[str, Any]:
    connection = redis_connection()
    queue = Queue(queue_name(JobKind.LIGHT), connection=connection)
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {name: {"noop": [], "follow_up": []} for name in WORKERS}
    acted: dict[str, list[int]] = {name: [] for name in WORKERS}
    for run in range(runs):
        for index, (name, command) in enumerate(WORKERS.items()):
            n = min(jobs, NO_PRELOAD_JOBS) if "no preload" in name else jobs
            connection.flushdb()
            noop_ids = [f"bench-noop-{run}-{index}-{k}" for k in range(n)]
            queue.enqueue_many([Queue.prepare_data("os.getpid", job_id=one, result_ttl=600) for one in noop_ids])
            samples[name]["noop"].append(_run_worker(command, connection, noop_ids, log))

            connection.flushdb()
            prefix = f"job{run}-{index}"
            rows.insert(cases, [datetime.now(UTC) - timedelta(seconds=30)] * n, prefix)
            due = rows.fetch(
                'SELECT "id", "version" FROM "casework_follow_up" WHERE "key" LIKE {p}', f"{KEY}{prefix}:%"
            )
            queued = scheduling.sweep_follow_ups(datetime.now(UTC), connection)
            ids = [scheduling.job_id(int(r[0]), int(r[1])) for r in due]
            result = _run_worker(command, connection, ids, log)
            result["jobs"] = n
            result["queued"] = queued
            samples[name]["follow_up"].append(result)
            acted[name].append(rows.acted(prefix))
    connection.flushdb()
    rows.clear()
    out: dict[str, Any] = {"jobs": jobs, "runs": runs}
    for name in WORKERS:
        noop = _median([s["per_second"] or 0.0 for s in samples[name]["noop"]])
        follow = _median([s["per_second"] or 0.0 for s in samples[name]["follow_up"]])
        out[name] = {
            "noop_per_second": round(noop, 1),
            "follow_up_per_second": round(follow, 1),
            "ratio_to_noop": round(follow / noop, 3) if noop else None,
            "acted": acted[name],
            "samples": samples[name],
        }
    return out


def run_follow_ups_benchmark(
    work_dir: Path, rows_n: int = ROWS, jobs: int = JOBS, runs: int = RUNS, parts: tuple[str, ...] = ("sweep", "jobs")
) -> dict[str, Any]:
    rows = Rows()
    try:
        cases = rows.cases()
        if not cases:
            raise RuntimeError("no live case to hang follow-ups on: seed the database first")
        result: dict[str, Any] = {"cases": len(cases)}
        if "sweep" in parts:
            result["sweep"] = bench_sweep(rows, cases, rows_n, runs)
        if "jobs" in parts:
            result["jobs"] = bench_jobs(rows, cases, jobs, runs, work_dir / "follow-ups-workers.log")
        return result
    finally:
        rows.clear()
        rows.close()


def describe(result: dict[str, Any]) -> list[str]:
    lines = []
    if sweep := result.get("sweep"):
        for key, label in (("spread_over_a_year", "spread over a year"), ("all_overdue", "all overdue")):
            s = sweep[key]
            lines += [
                f"  sweep, {s['rows']:,} pending {label} (goal ≤ 2 s), empty Redis: {s['first_s']:.3f} s, "
                f"{s['queued']:,} queued (x{s['first_ratio']} the baseline: bare SELECT of the {s['rows_looked_at']:,} "
                f"rows {s['select_s']:.3f} s + as many no-op Redis commands {s['pipeline_s']:.3f} s)",
                f"    sweeps to put every near row back (one a minute): {len(s['sweeps_to_put_back'])} "
                f"({sum(s['sweeps_to_put_back']):,} queued in {s['put_back_s']:.1f} s; "
                f"{s['on_queue']:,} jobs queued or scheduled)",
                f"    sweep with every job there: {s['again_s']:.3f} s, {s['again_rows_looked_at']:,} rows looked at "
                f"(x{s['again_ratio']} the baseline: {s['again_select_s']:.3f} s + {s['again_pipeline_s']:.3f} s)",
            ]
    if jobs := result.get("jobs"):
        for name in WORKERS:
            j = jobs[name]
            lines.append(
                f"  {name}: {j['follow_up_per_second']} follow-ups/s (goal ≥ 100), {j['noop_per_second']} no-op jobs/s "
                f"(x{j['ratio_to_noop']}); {j['samples']['follow_up'][0]['jobs']} jobs, {jobs['runs']} runs, "
                f"acted {j['acted']}"
            )
    return lines


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.follow_ups_bench", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=ROWS, help=f"pending follow-ups swept (default {ROWS})")
    p.add_argument("--jobs", type=int, default=JOBS, help=f"jobs per worker run (default {JOBS})")
    p.add_argument("--runs", type=int, default=RUNS, help=f"runs, medians reported (default {RUNS})")
    p.add_argument("--only", choices=["sweep", "jobs"], help="run one part")
    p.add_argument("--cases", type=int, default=2_000, help="cases seeded when the database has none")
    args = p.parse_args()
    from piccolo.apps.migrations.commands.forwards import forwards

    from bench import seed
    from bench.seed_world import SeedSizes
    from casework.tables import Case
    from core.db import enable_wal

    enable_wal()
    with contextlib.redirect_stdout(io.StringIO()):
        asyncio.run(forwards(app_name="all"))
    if not Case.count().run_sync():
        seed.seed(
            SeedSizes(cases=args.cases, enterprises=max(args.cases // 4, 100)),
            "not-a-password-hash",
            settings.sqlite_path if settings.is_sqlite else None,
            None if settings.is_sqlite else settings.database_url,
        )
    work_dir = Path(os.environ.get("FUCHI_VAR_DIR", "/tmp"))
    parts = (args.only,) if args.only else ("sweep", "jobs")
    result = run_follow_ups_benchmark(work_dir, args.rows, args.jobs, args.runs, parts)
    print("\n".join(describe(result)))
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
