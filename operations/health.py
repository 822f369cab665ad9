"""`GET /health`: the state of the database, Redis and the workers."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from litestar import get
from litestar.openapi import ResponseSpec
from litestar.response import Response
from redis.exceptions import RedisError
from rq import Worker

from accounts.policy import Action
from core.db import engine
from core.jobs import redis_connection

# rq workers beat every ~worker_ttl/… seconds; a beat older than this means no live worker.
WORKER_SILENCE = timedelta(seconds=120)


@dataclass
class Component:
    ok: bool
    detail: str


@dataclass
class Health:
    ok: bool
    database: Component
    redis: Component
    worker: Component
    last_worker_heartbeat: datetime | None


async def _database() -> Component:
    try:
        await engine().run_ddl("SELECT 1")
    except Exception as exc:  # any driver error means "down"; the detail says which
        return Component(ok=False, detail=type(exc).__name__)
    return Component(ok=True, detail="ok")


def _redis_and_workers() -> tuple[Component, Component, datetime | None]:
    try:
        connection = redis_connection()
        connection.ping()
        beats = [w.last_heartbeat for w in Worker.all(connection=connection) if w.last_heartbeat]
    except RedisError as exc:
        down = Component(ok=False, detail=type(exc).__name__)
        return down, Component(ok=False, detail="unknown while Redis is down"), None
    last = max(beats, default=None)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    alive = last is not None and datetime.now(UTC) - last < WORKER_SILENCE
    worker = Component(ok=alive, detail=f"{len(beats)} worker(s)" if alive else "no worker heartbeat")
    return Component(ok=True, detail="ok"), worker, last


@get(
    "/health",
    opt={"action": Action.PUBLIC},
    tags=["health"],
    responses={503: ResponseSpec(data_container=Health, description="A component is down", generate_examples=False)},
    summary="State of the database, Redis and workers",
)
async def health() -> Response[Health]:
    database = await _database()
    redis_state, worker, last = await asyncio.to_thread(_redis_and_workers)
    ok = database.ok and redis_state.ok and worker.ok
    body = Health(ok=ok, database=database, redis=redis_state, worker=worker, last_worker_heartbeat=last)
    return Response(body, status_code=200 if ok else 503)
