"""`GET /health`: the state of the database, Redis, the workers, the job queues and the follow-ups.

Follow-ups due for more than ten minutes and still pending make it fail: a promise was not kept.
A working-day calendar whose data ends within a year is a warning only: deadlines then count
Monday to Friday until the `chinesecalendar` package is upgraded.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from litestar import get
from litestar.openapi import ResponseSpec
from litestar.response import Response
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.registry import FailedJobRegistry

from accounts.policy import Action
from casework.followups.health import count_overdue_follow_ups
from core.config import settings
from core.db import engine
from core.jobs import QUEUE_NAMES, redis_connection
from core.worker import last_beat, live_workers, rq_time
from core.working_days import covers

# How long a follow-up may stay pending past its due time before it counts as missed: the sweep
# runs every minute, so ten minutes is several chances to have run it.
OVERDUE_GRACE = timedelta(minutes=10)
CALENDAR_AHEAD = timedelta(days=365)


@dataclass
class Component:
    ok: bool
    detail: str


@dataclass
class QueueState:
    name: str
    waiting: int
    oldest_waiting_seconds: float | None  # how long the job at the head of the queue has waited
    failed: int


@dataclass
class FollowUps:
    ok: bool
    overdue: int | None  # pending and due more than ten minutes ago; None when the database cannot say
    detail: str


@dataclass
class Calendar:
    """The working-day calendar's data: a warning only, never a failure."""

    covers_today: bool
    covers_next_year: bool  # today + 365 days
    warning: str | None


@dataclass
class Health:
    ok: bool
    database: Component
    redis: Component
    worker: Component
    last_worker_heartbeat: datetime | None
    queues: list[QueueState]
    follow_ups: FollowUps
    calendar: Calendar


async def _database() -> Component:
    try:
        await engine().run_ddl("SELECT 1")
    except Exception as exc:  # any driver error means "down"; the detail says which
        return Component(ok=False, detail=type(exc).__name__)
    return Component(ok=True, detail="ok")


async def _follow_ups(database: Component, now: datetime) -> FollowUps:
    if not database.ok:
        return FollowUps(ok=False, overdue=None, detail="unknown while the database is down")
    try:
        overdue = await count_overdue_follow_ups(now, OVERDUE_GRACE)
    except Exception as exc:  # any driver error means "cannot say"; the detail says which
        return FollowUps(ok=False, overdue=None, detail=type(exc).__name__)
    if overdue:
        return FollowUps(ok=False, overdue=overdue, detail=f"{overdue} follow-up(s) overdue by more than 10 minutes")
    return FollowUps(ok=True, overdue=0, detail="ok")


def calendar_state(now: datetime) -> Calendar:
    """Whether the holiday data covers today and the same day next year, in the bureau's time zone."""
    today = now.astimezone(settings.display_timezone).date()
    now_covered, next_year_covered = covers(today), covers(today + CALENDAR_AHEAD)
    warning = None
    if not now_covered:
        warning = "no holiday data for today: working days count Monday to Friday; upgrade chinesecalendar"
    elif not next_year_covered:
        warning = "holiday data ends within a year: upgrade chinesecalendar when the State Council's notice is out"
    return Calendar(covers_today=now_covered, covers_next_year=next_year_covered, warning=warning)


def _queue_state(connection: Redis, name: str, now: datetime) -> QueueState:
    queue = Queue(name, connection=connection)
    oldest = None
    head = queue.get_job_ids(0, 1)
    if head and (job := queue.fetch_job(head[0])) is not None and job.enqueued_at is not None:
        oldest = round((now - rq_time(job.enqueued_at)).total_seconds(), 1)
    failed = FailedJobRegistry(queue=queue).count
    return QueueState(name=name, waiting=queue.count, oldest_waiting_seconds=oldest, failed=failed)


def _redis_and_workers() -> tuple[Component, Component, datetime | None, list[QueueState]]:
    now = datetime.now(UTC)
    try:
        connection = redis_connection()
        connection.ping()
        workers = Worker.all(connection=connection)
        # Only workers that beat lately count: a killed worker's key outlives it by minutes.
        live = len(live_workers(workers, now))
        queues = [_queue_state(connection, name, now) for name in QUEUE_NAMES]
    except RedisError as exc:
        down = Component(ok=False, detail=type(exc).__name__)
        return down, Component(ok=False, detail="unknown while Redis is down"), None, []
    last = max((beat for w in workers if (beat := last_beat(w)) is not None), default=None)
    worker = Component(ok=live > 0, detail=f"{live} worker(s)" if live else "no worker heartbeat")
    return Component(ok=True, detail="ok"), worker, last, queues


@get(
    "/health",
    opt={"action": Action.PUBLIC},
    tags=["health"],
    responses={503: ResponseSpec(data_container=Health, description="A component is down", generate_examples=False)},
    summary="State of the database, Redis, workers, job queues, overdue follow-ups and the holiday calendar",
    description=(
        "503 when the database, Redis or every worker is down, or when a follow-up is pending more than "
        "10 minutes past its due time. A holiday calendar that does not cover the next 365 days is a "
        "warning only (`calendar.warning`)."
    ),
)
async def health() -> Response[Health]:
    now = datetime.now(UTC)
    database = await _database()
    follow_ups = await _follow_ups(database, now)
    redis_state, worker, last, queues = await asyncio.to_thread(_redis_and_workers)
    ok = database.ok and redis_state.ok and worker.ok and follow_ups.ok
    body = Health(
        ok=ok,
        database=database,
        redis=redis_state,
        worker=worker,
        last_worker_heartbeat=last,
        queues=queues,
        follow_ups=follow_ups,
        calendar=calendar_state(now),
    )
    return Response(body, status_code=200 if ok else 503)
