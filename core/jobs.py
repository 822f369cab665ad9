"""Background jobs: the database outbox that promises them and RQ that runs them.

A service records a job with `promise_job` inside its transaction and calls `dispatch` after
the commit. If Redis is down the promise stays in `core_outbox_job`, and `sweep_outbox` (run by
the scheduler) queues it again once Redis is back. A job's success marks its row done.

Jobs come in two kinds, each on its own RQ queue: light work (notifications, follow-ups, offer
lapses) that must never wait behind heavy work (imports, exports, reports). Workers take light
jobs first; `make run` also runs a worker for light jobs alone.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from core.config import settings
from core.tables import OutboxJob

log = logging.getLogger(__name__)

RETRY = Retry(max=5, interval=[10, 30, 60, 300, 900])
# A queued job that has not finished in this time is presumed lost (Redis flushed, worker killed).
REQUEUE_AFTER = timedelta(minutes=15)
JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")  # what RQ accepts as a job id

Primitive = int | str | float | bool | None


def redis_connection(url: str | None = None) -> Redis:
    """A Redis client that gives up fast, so a page never hangs on a dead Redis.

    One client per URL and process: a new client costs milliseconds (redis-py looks up its own
    version for every new connection), which a job paid on every call. Its pool reconnects after
    an outage and starts afresh in a forked work horse.
    """
    return _client(url or settings.redis_url)


@cache
def _client(url: str) -> Redis:
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=3)


class JobKind(StrEnum):
    LIGHT = "light"  # seconds of work someone waits for: notifications, follow-ups, offer lapses
    HEAVY = "heavy"  # minutes of work: imports, exports, report building


def queue_name(kind: JobKind) -> str:
    """The RQ queue of a kind of job; light jobs keep the plain queue name."""
    return settings.queue_name if kind is JobKind.LIGHT else f"{settings.queue_name}-heavy"


# The order a worker listens in: light first, so a reminder never waits for an import to be taken.
QUEUE_NAMES = tuple(queue_name(kind) for kind in (JobKind.LIGHT, JobKind.HEAVY))


def job_queue(connection: Redis | None = None, kind: JobKind = JobKind.LIGHT) -> Queue:
    return Queue(queue_name(kind), connection=connection or redis_connection())


async def promise_job(
    func: str,
    args: Sequence[Primitive],
    job_id: str,
    *,
    kind: JobKind = JobKind.LIGHT,
    timeout_seconds: int = 60,
) -> None:
    """Record, inside the caller's transaction, that `func(*args)` must run once, on `kind`'s queue.

    `timeout_seconds` bounds one run; a run cut short is retried (RETRY), so it must fit the work.
    """
    if not JOB_ID.match(job_id):
        raise ValueError(f"job id {job_id!r} must be letters, digits, '_' or '-'")
    job = OutboxJob(job_id=job_id, func=func, args=list(args), kind=kind, timeout_seconds=timeout_seconds)
    await OutboxJob.insert(job).on_conflict(target=OutboxJob.job_id, action="DO NOTHING")


async def dispatch(job_ids: Sequence[str]) -> None:
    """Queue promised jobs now (after the commit); Redis being down is logged, not raised."""
    if not job_ids:
        return
    rows = (
        await OutboxJob.select()
        .where(OutboxJob.job_id.is_in(list(job_ids)) & OutboxJob.done_at.is_null())
        .output(load_json=True)
    )
    try:
        connection = redis_connection()
        for row in rows:
            _enqueue(connection, row)
    except RedisError as exc:
        log.warning("Redis unavailable; %d job(s) left for the sweep: %s", len(rows), exc)
        return
    await _mark_enqueued([row["job_id"] for row in rows])


def _enqueue(connection: Redis, row: dict[str, Any]) -> None:
    job_queue(connection, JobKind(row["kind"])).enqueue(
        row["func"],
        *row["args"],
        job_id=row["job_id"],
        job_timeout=row["timeout_seconds"],
        retry=RETRY,
        on_success=Callback(mark_job_done),
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )


async def _mark_enqueued(job_ids: list[str]) -> None:
    if job_ids:
        await OutboxJob.update(
            {
                OutboxJob.enqueued_at: datetime.now(UTC),
                OutboxJob.enqueue_count: OutboxJob.enqueue_count + 1,
            }
        ).where(OutboxJob.job_id.is_in(job_ids))


def mark_job_done(job: Job, connection: Redis, result: Any, *args: Any, **kwargs: Any) -> None:
    """RQ success callback: the promise is kept."""
    OutboxJob.update({OutboxJob.done_at: datetime.now(UTC)}).where(
        (OutboxJob.job_id == job.id) & OutboxJob.done_at.is_null()
    ).run_sync()


def _is_live(connection: Redis, job_id: str) -> bool:
    """Whether RQ still holds the job in a state that will run it."""
    try:
        status = Job.fetch(job_id, connection=connection).get_status()
    except NoSuchJobError:
        return False
    return status in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def sweep_outbox(now: datetime | None = None, connection: Redis | None = None) -> int:
    """Queue every promised job that is not done and not live in RQ; returns how many.

    Safe to run at any time and from several schedulers: a job id is deterministic, so a job
    already queued is not queued twice.
    """
    now = now or datetime.now(UTC)
    connection = connection or redis_connection()
    stale = now - REQUEUE_AFTER
    rows = (
        OutboxJob.select()
        .where(OutboxJob.done_at.is_null())
        .order_by(OutboxJob.id)
        .limit(1000)
        .output(load_json=True)
        .run_sync()
    )
    queued = []
    for row in rows:
        recent = row["enqueued_at"] is not None and row["enqueued_at"] > stale
        if _is_live(connection, row["job_id"]) or (recent and _job_exists(connection, row["job_id"])):
            continue
        _enqueue(connection, row)
        queued.append(row["job_id"])
    if queued:
        OutboxJob.update({OutboxJob.enqueued_at: now, OutboxJob.enqueue_count: OutboxJob.enqueue_count + 1}).where(
            OutboxJob.job_id.is_in(queued)
        ).run_sync()
    return len(queued)


def _job_exists(connection: Redis, job_id: str) -> bool:
    return bool(Job.exists(job_id, connection=connection))


def may_retry() -> bool:
    """Whether RQ will run the current job again if it fails now (so a passing fault need not fail
    the batch or export it works on)."""
    job = get_current_job()
    return job is not None and bool(job.retries_left)
