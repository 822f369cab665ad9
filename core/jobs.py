"""Background jobs: the database outbox that promises them and RQ that runs them.

A service records a job with `promise_job` inside its transaction and calls `dispatch` after
the commit. If Redis is down the promise stays in `core_outbox_job`, and `sweep_outbox` (run by
the scheduler) queues it again once Redis is back. A job's success marks its row done.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from core.config import settings
from core.tables import OutboxJob

log = logging.getLogger(__name__)

JOB_TIMEOUT_SECONDS = 300
RETRY = Retry(max=5, interval=[10, 30, 60, 300, 900])
# A queued job that has not finished in this time is presumed lost (Redis flushed, worker killed).
REQUEUE_AFTER = timedelta(minutes=15)
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")

Primitive = int | str | float | bool | None


def redis_connection(url: str | None = None) -> Redis:
    """A Redis client that gives up fast, so a page never hangs on a dead Redis."""
    return Redis.from_url(url or settings.redis_url, socket_connect_timeout=1, socket_timeout=3)


def job_queue(connection: Redis | None = None) -> Queue:
    return Queue(settings.queue_name, connection=connection or redis_connection())


async def promise_job(func: str, args: Sequence[Primitive], job_id: str) -> None:
    """Record, inside the caller's transaction, that `func(*args)` must run once."""
    if not _JOB_ID.match(job_id):
        raise ValueError(f"job id {job_id!r} must be letters, digits, '_' or '-'")
    await OutboxJob.insert(OutboxJob(job_id=job_id, func=func, args=list(args))).on_conflict(
        target=OutboxJob.job_id, action="DO NOTHING"
    )


async def dispatch(job_ids: Sequence[str]) -> None:
    """Queue promised jobs now (after the commit); Redis being down is logged, not raised."""
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
    job_queue(connection).enqueue(
        row["func"],
        *row["args"],
        job_id=row["job_id"],
        job_timeout=JOB_TIMEOUT_SECONDS,
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
