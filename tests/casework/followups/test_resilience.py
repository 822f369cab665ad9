"""A follow-up acts once whatever happens to its job: run twice at once, its worker killed, Redis flushed.

(Redis down while a case changes: test_follow_ups.test_it_leaves_a_follow_up_for_the_sweep_when_redis_is_down.)

Real `rq` / `fuchi worker` processes on a real Redis, on SQLite and PostgreSQL. To catch a job inside
its work, another connection holds what the job needs (`Blocker`): the job waits on the database,
and the test knows when it waits by asking the database (PostgreSQL) or the job's process (SQLite).
"""

from __future__ import annotations

import dataclasses
import os
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import redis
from rq import Queue
from rq.job import Job, JobStatus

import core.jobs
from accounts.policy import Role
from accounts.tables import Notification
from casework.followups import scheduling
from casework.followups.rules import FollowUpKind, FollowUpState
from casework.followups.scheduling import JOB, job_id, sweep_follow_ups
from casework.tables import FollowUp
from core.config import settings
from core.jobs import QUEUE_NAMES, job_queue, redis_connection
from core.worker import LIVE_WITHIN, recover_abandoned_jobs
from tests.casework.life import Life
from tests.conftest import ON_POSTGRES, RQ, Personas, run_worker_until_idle
from tests.core.resilience import PrivateRedis, descendants_of, kill_hard, private_redis, start_worker, stop, wait_until

pytestmark = pytest.mark.anyio
K = FollowUpKind
FLUSHED = 1_000  # pending follow-ups due when Redis is flushed


@pytest.fixture
def life(personas: Personas) -> Life:
    return Life(personas)


@pytest.fixture
def own_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateRedis]:
    """A Redis this test may flush (FLUSHALL on the shared one would empty other runs' databases)."""
    with private_redis() as server:
        monkeypatch.setattr(core.jobs, "settings", dataclasses.replace(settings, redis_url=server.url))
        yield server


async def due_triage_clock(life: Life) -> dict[str, Any]:
    """A submitted case whose triage clock fell due a minute ago (a new version, as a reschedule gives)."""
    case_id = await life.case()
    # The filing's own jobs (the officers told of a new case) are not under test: out of the way.
    job_queue().empty()  # type: ignore[no-untyped-call]
    await FollowUp.update(
        {FollowUp.due_at: datetime.now(UTC) - timedelta(minutes=1), FollowUp.version: FollowUp.version + 1}
    ).where((FollowUp.case == case_id) & (FollowUp.kind == K.TRIAGE_DUE))
    row = await FollowUp.select().where(FollowUp.case == case_id).first()
    assert row is not None and row["state"] == FollowUpState.PENDING and row["step"] == 0
    return row


async def told(follow_up_id: int) -> list[str]:
    """The dedupe keys of the inbox messages a follow-up wrote."""
    rows = await Notification.select(Notification.dedupe_key).where(
        Notification.dedupe_key.like(f"follow-up:{follow_up_id}:%")
    )
    return sorted(r["dedupe_key"] for r in rows)


async def reloaded(follow_up_id: int) -> dict[str, Any]:
    row = await FollowUp.select().where(FollowUp.id == follow_up_id).first()
    assert row is not None
    return row


class Blocker:
    """Another database connection holding what a follow-up job needs, so the job waits inside its work.

    PostgreSQL: `row` holds the follow-up's row (`SELECT ... FOR UPDATE`): the job has read the row and
    waits at its claim; `inbox` holds the notifications table (`LOCK TABLE ... IN EXCLUSIVE MODE`): the
    job has claimed the row, in its open transaction, and waits to write its messages. SQLite has one
    writer at a time: both hold the write lock (`BEGIN IMMEDIATE`), and the job waits to begin its
    write transaction (within the engine's busy timeout, 15 s).
    """

    def __init__(self) -> None:
        self.pg: asyncpg.Connection | None = None
        self.sqlite: sqlite3.Connection | None = None

    async def hold(self, what: str, follow_up_id: int) -> None:
        if ON_POSTGRES:
            self.pg = await asyncpg.connect(settings.database_url)
            await self.pg.execute("BEGIN")
            if what == "row":
                await self.pg.execute("SELECT id FROM casework_follow_up WHERE id = $1 FOR UPDATE", follow_up_id)
            else:
                await self.pg.execute("LOCK TABLE accounts_notification IN EXCLUSIVE MODE")
        else:
            self.sqlite = sqlite3.connect(settings.sqlite_path, isolation_level=None, timeout=15)
            self.sqlite.execute("BEGIN IMMEDIATE")

    async def waiting(self, workers: list[subprocess.Popen[bytes]]) -> int:
        """How many of these workers' processes wait on what is held."""
        if self.pg is not None:
            await self.pg.execute("SELECT pg_stat_clear_snapshot()")  # else it is read once per transaction
            return int(
                await self.pg.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
            )
        # The job's first database work is its write transaction: a work horse (the worker's child)
        # with the database file open is waiting for the write lock.
        path = str(Path(settings.sqlite_path).resolve())
        waiting = 0
        for worker in workers:
            for pid in descendants_of(worker.pid):
                if _has_open(pid, path):
                    waiting += 1
        return waiting

    async def release(self) -> None:
        if self.pg is not None:
            await self.pg.execute("ROLLBACK")
            await self.pg.close()
            self.pg = None
        if self.sqlite is not None:
            self.sqlite.execute("ROLLBACK")
            self.sqlite.close()
            self.sqlite = None


def _has_open(pid: int, path: str) -> bool:
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd) == path:
                return True
        except OSError:
            continue
    return False


@pytest.fixture
async def blocker() -> AsyncIterator[Blocker]:
    held = Blocker()
    yield held
    await held.release()


def _status(job: str) -> JobStatus | None:
    return Job.fetch(job, connection=redis_connection()).get_status()


async def test_two_workers_running_the_same_follow_up_at_once_act_once(life: Life, blocker: Blocker) -> None:
    clock = await due_triage_clock(life)
    # Two jobs for the same follow-up and version (a duplicate delivery), each on a queue of its own
    # so that each of the two workers takes one.
    queues = [f"{settings.queue_name}-twin{n}" for n in (1, 2)]
    jobs = [f"twin{n}-{job_id(clock['id'], clock['version'])}" for n in (1, 2)]
    for queue, job in zip(queues, jobs, strict=True):
        Queue(queue, connection=redis_connection()).enqueue(JOB, clock["id"], clock["version"], job_id=job)

    await blocker.hold("row", clock["id"])
    env = os.environ.copy()
    workers = [
        subprocess.Popen([RQ, "worker", "--burst", "--url", settings.redis_url, queue], env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
        for queue in queues
    ]  # fmt: skip
    try:
        # Both jobs have started and wait on the held row (PostgreSQL: both read it at version v).
        await wait_until(lambda: _both_waiting(blocker, workers), 30, "both jobs to wait on the held row")
        await blocker.release()
        for worker in workers:
            out, _ = worker.communicate(timeout=60)
            assert worker.returncode == 0, out.decode()
    finally:
        for worker in workers:
            if worker.poll() is None:
                kill_hard(worker)

    assert [_status(job) for job in jobs] == [JobStatus.FINISHED, JobStatus.FINISHED]  # neither failed: one did nothing
    after = await reloaded(clock["id"])
    assert after["step"] == 1 and after["version"] == clock["version"] + 1
    assert await told(clock["id"]) == [f"follow-up:{clock['id']}:0:{life.id('olga')}"]


async def _both_waiting(blocker: Blocker, workers: list[subprocess.Popen[bytes]]) -> bool:
    return await blocker.waiting(workers) >= 2


async def test_a_follow_up_whose_worker_was_killed_mid_job_is_retried_and_acts_once(
    life: Life, blocker: Blocker
) -> None:
    clock = await due_triage_clock(life)
    assert sweep_follow_ups() == 1
    job = job_id(clock["id"], clock["version"])
    await blocker.hold("inbox", clock["id"])  # PostgreSQL: the job claims its row, then waits to tell
    worker = start_worker("--queues", "light")
    try:
        await wait_until(lambda: _waits(blocker, worker), 30, "the job to wait inside its work")
        assert _status(job) == JobStatus.STARTED
        kill_hard(worker)  # the worker, its work horse and its scheduler: SIGKILL, no goodbye
    finally:
        stop(worker)
    await blocker.release()  # the killed run's transaction is rolled back: its claim is undone

    assert _status(job) == JobStatus.STARTED  # as RQ left it: nobody runs it
    assert await told(clock["id"]) == []
    # What every worker's maintenance does a minute later (LIVE_WITHIN without a heartbeat): forced here.
    later = datetime.now(UTC) + LIVE_WITHIN + timedelta(seconds=5)
    assert recover_abandoned_jobs(redis_connection(), QUEUE_NAMES, now=later) == [job]
    run_worker_until_idle()

    assert _status(job) == JobStatus.FINISHED
    after = await reloaded(clock["id"])
    assert after["step"] == 1 and after["version"] == clock["version"] + 1
    assert await told(clock["id"]) == [f"follow-up:{clock['id']}:0:{life.id('olga')}"]
    # Run again (a second recovery, a duplicate delivery): the version is gone, nothing more happens.
    job_queue().enqueue(JOB, clock["id"], clock["version"], job_id=f"again-{job}")
    run_worker_until_idle()
    assert (await reloaded(clock["id"]))["step"] == 1
    assert len(await told(clock["id"])) == 1


async def _waits(blocker: Blocker, worker: subprocess.Popen[bytes]) -> bool:
    return await blocker.waiting([worker]) >= 1


async def _pending_due(life: Life, count: int, cases: int = 4) -> list[dict[str, Any]]:
    """`count` pending triage clocks due a minute ago, spread over `cases` submitted cases of district A."""
    case_ids = [await life.case() for _ in range(cases)]
    due = datetime.now(UTC) - timedelta(minutes=1)
    await FollowUp.update({FollowUp.due_at: due, FollowUp.version: FollowUp.version + 1}).where(
        FollowUp.case.is_in(case_ids)
    )
    [sample] = await FollowUp.select().where(FollowUp.case == case_ids[0])
    extra = [
        FollowUp(
            case=case_ids[n % cases],
            district=sample["district"],
            kind=K.TRIAGE_DUE,
            key=f"flush:{n}",
            due_at=due,
            version=2,
        )
        for n in range(count - cases)
    ]
    await FollowUp.insert(*extra)
    rows: list[dict[str, Any]] = await FollowUp.select(FollowUp.id, FollowUp.version).where(
        FollowUp.state == FollowUpState.PENDING
    )
    assert len(rows) == count
    return rows


async def test_a_redis_flush_loses_no_due_follow_up_and_duplicates_none(
    life: Life, personas: Personas, own_redis: PrivateRedis
) -> None:
    personas.add("odile", Role.DISTRICT_OFFICER, "500154")  # a second officer of district A: two recipients
    rows = await _pending_due(life, FLUSHED)
    expected = sorted(job_id(r["id"], r["version"]) for r in rows)
    connection = redis.Redis.from_url(own_redis.url)
    queue = job_queue(connection)

    assert sweep_follow_ups(connection=connection) == FLUSHED
    connection.flushall()  # as a Redis restarted without its data
    assert queue.count == 0
    assert sweep_follow_ups(connection=connection) == FLUSHED
    queued = queue.get_job_ids()
    assert sorted(queued) == expected  # none missing, none twice
    assert sweep_follow_ups(connection=connection) == 0

    # Two workers at once, each running jobs in its own process (no fork per job: a fork costs more
    # than the job), take them all; bench/follow_ups_bench.py measures the rates.
    started = time.monotonic()
    worker = [RQ, "worker", "--burst", "--worker-class", "rq.SimpleWorker", "--url", own_redis.url, queue.name]
    env = {**os.environ, "REDIS_URL": own_redis.url}
    workers = [subprocess.Popen(worker, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    for one in workers:
        out, _ = one.communicate(timeout=300)
        assert one.returncode == 0, out.decode()[-2000:]
    print(f"{FLUSHED} follow-ups acted on by two workers in {time.monotonic() - started:.1f} s")

    assert await FollowUp.count().where(FollowUp.step == 1) == FLUSHED
    assert await FollowUp.count().where(FollowUp.step != 1) == 0
    assert await Notification.count().where(Notification.kind == f"follow_up_{K.TRIAGE_DUE}") == 2 * FLUSHED
    assert queue.count == 0 and queue.failed_job_registry.count == 0


async def test_a_sweep_queues_the_next_batch_while_the_first_batch_waits_for_a_worker(
    life: Life, monkeypatch: pytest.MonkeyPatch
) -> None:
    # More due than one sweep's batch (as after a flush with more than SWEEP_BATCH due): each sweep
    # queues the next batch, not nothing because the first batch's jobs are still on the queue.
    monkeypatch.setattr(scheduling, "SWEEP_BATCH", 10)
    monkeypatch.setattr(scheduling, "SWEEP_LOOK_AT", 100)
    rows = await _pending_due(life, 25, cases=1)
    job_queue().empty()  # type: ignore[no-untyped-call]
    assert [sweep_follow_ups() for _ in range(4)] == [10, 10, 5, 0]
    assert sorted(job_queue().get_job_ids()) == sorted(job_id(r["id"], r["version"]) for r in rows)
