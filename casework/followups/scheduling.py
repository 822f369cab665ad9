"""Putting follow-ups on RQ when they are near, and the sweep that puts back whatever Redis lost.

Only a follow-up due within `NEAR` is given to RQ (`enqueue_at` at its due time, or queued at once
when due); far ones live only in the database. The sweep runs every minute from `fuchi scheduler`
and queues each near follow-up that has no live job — after a lost Redis, a flush or a restart,
every due follow-up is back within one sweep. A job's id names the row and its version, so the
same follow-up is never queued twice, and a job queued before a change finds nothing to do.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job, JobStatus

from casework.followups.rules import FollowUpState
from casework.tables import FollowUp
from core.jobs import RETRY, job_queue, redis_connection

log = logging.getLogger(__name__)

NEAR = timedelta(days=1)
SWEEP_BATCH = 5000  # rows read and checked at a time, oldest due first; at most this many queued per sweep
# A sweep reads on past rows whose jobs are all there (queued and waiting for a worker, or failed and
# waiting for an operator) until a batch has rows to queue, up to this many rows: after a flush with
# more than a batch due, each sweep queues the next batch, instead of seeing the first batch's jobs
# again and queuing nothing until workers have done them.
SWEEP_LOOK_AT = 20 * SWEEP_BATCH
JOB = "casework.followups.jobs.act_on_follow_up"
TIMEOUT_SECONDS = 60
# A job that will still run; a failed one waits for an operator's retry (shown on /health and /admin/jobs).
_LIVE = {s.value.encode() for s in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.STARTED, JobStatus.DEFERRED)}
_LIVE.add(JobStatus.FAILED.value.encode())


def job_id(follow_up_id: int, version: int) -> str:
    return f"follow-up-{follow_up_id}-v{version}"


def _queue_rows(connection: Redis, rows: Sequence[dict[str, Any]], now: datetime) -> list[str]:
    """Queue the rows that have no live job, in one round trip to check and one to queue; their job ids."""
    if not rows:
        return []
    ids = [job_id(row["id"], row["version"]) for row in rows]
    check = connection.pipeline(transaction=False)
    for one in ids:
        check.hget(Job.key_for(one), "status")
    statuses = check.execute()
    queue: Queue = job_queue(connection)
    due_now: list[tuple[dict[str, Any], str]] = []
    later: list[tuple[dict[str, Any], str]] = []
    for row, one, status in zip(rows, ids, statuses, strict=True):
        if status in _LIVE:
            continue
        (due_now if row["due_at"] <= now else later).append((row, one))
    with connection.pipeline() as pipe:
        if due_now:
            queue.enqueue_many(
                [
                    Queue.prepare_data(
                        JOB,
                        args=[row["id"], row["version"]],
                        timeout=TIMEOUT_SECONDS,
                        job_id=one,
                        retry=RETRY,
                        result_ttl=3600,
                        failure_ttl=7 * 24 * 3600,
                    )
                    for row, one in due_now
                ],
                pipeline=pipe,
            )
        for row, one in later:
            job = queue.create_job(
                JOB,
                args=[row["id"], row["version"]],
                job_id=one,
                timeout=TIMEOUT_SECONDS,
                retry=RETRY,
                result_ttl=3600,
                failure_ttl=7 * 24 * 3600,
            )
            queue.schedule_job(job, row["due_at"], pipeline=pipe)
        pipe.execute()
    return [one for _row, one in due_now + later]


def _near_rows(now: datetime, after: tuple[datetime, int] | None = None) -> list[dict[str, Any]]:
    """A batch of near pending follow-ups, oldest due first, after (due_at, id) `after` if given."""
    where = (FollowUp.state == FollowUpState.PENDING) & (FollowUp.due_at <= now + NEAR)
    if after is not None:
        due, last = after
        where &= (FollowUp.due_at > due) | ((FollowUp.due_at == due) & (FollowUp.id > last))
    rows: list[dict[str, Any]] = (
        FollowUp.select(FollowUp.id, FollowUp.version, FollowUp.due_at)
        .where(where)
        .order_by(FollowUp.due_at, FollowUp.id)
        .limit(SWEEP_BATCH)
        .run_sync()
    )
    return rows


async def schedule_near(follow_up_ids: Sequence[int], now: datetime | None = None) -> None:
    """After the commit: give RQ the follow-ups among these that are near. Redis down is logged, not raised."""
    if not follow_up_ids:
        return
    now = now or datetime.now(UTC)
    where = (
        FollowUp.id.is_in(list(follow_up_ids))
        & (FollowUp.state == FollowUpState.PENDING)
        & (FollowUp.due_at <= now + NEAR)
    )
    schedule_rows(await FollowUp.select(FollowUp.id, FollowUp.version, FollowUp.due_at).where(where), now)


def schedule_rows(rows: Sequence[dict[str, Any]], now: datetime | None = None) -> None:
    """Give RQ those of these pending rows (id, version, due time) that are near; Redis down is logged."""
    now = now or datetime.now(UTC)
    near = [row for row in rows if row["due_at"] <= now + NEAR]
    if not near:
        return
    try:
        _queue_rows(redis_connection(), near, now)
    except RedisError as exc:
        log.warning("Redis unavailable; %d follow-up(s) left for the sweep: %s", len(near), exc)


def sweep_follow_ups(now: datetime | None = None, connection: Redis | None = None) -> int:
    """Queue every near follow-up that has no live job; returns how many were queued."""
    now = now or datetime.now(UTC)
    connection = connection or redis_connection()
    after: tuple[datetime, int] | None = None
    for _ in range(SWEEP_LOOK_AT // SWEEP_BATCH):
        rows = _near_rows(now, after)
        queued = len(_queue_rows(connection, rows, now))
        if queued or len(rows) < SWEEP_BATCH:
            return queued
        after = (rows[-1]["due_at"], rows[-1]["id"])
    return 0
