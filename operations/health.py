"""`GET /health`: the state of the database, Redis, the workers and the job queues."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime

from litestar import get
from litestar.openapi import ResponseSpec
from litestar.response import Response
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.registry import FailedJobRegistry

from accounts.policy import Action
from core.db import engine
from core.jobs import QUEUE_NAMES, redis_connection
from core.worker import last_beat, live_workers, rq_time


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
class Health:
    ok: bool
    database: Component
    redis: Component
    worker: Component
    last_worker_heartbeat: datetime | None
    queues: list[QueueState]


async def _database() -> Component:
    try:
        await engine().run_ddl("SELECT 1")
    except Exception as exc:  # any driver error means "down"; the detail says which
        return Component(ok=False, detail=type(exc).__name__)
    return Component(ok=True, detail="ok")


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
    summary="State of the database, Redis, workers and job queues",
)
async def health() -> Response[Health]:
    database = await _database()
    redis_state, worker, last, queues = await asyncio.to_thread(_redis_and_workers)
    ok = database.ok and redis_state.ok and worker.ok
    body = Health(ok=ok, database=database, redis=redis_state, worker=worker, last_worker_heartbeat=last, queues=queues)
    return Response(body, status_code=200 if ok else 503)
