"""Background work survives what operators meet: a killed worker, Redis stopped or flushed, a busy queue.

Every test runs real `fuchi worker` processes (RQ's worker with Fuchi's class) on a real Redis.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import anyio
import pytest
import redis

import core.jobs
from accounts.services import NewUser, create_user
from accounts.tables import Notification
from core.config import settings
from core.jobs import QUEUE_NAMES, sweep_outbox
from core.tables import OutboxJob
from core.worker import LIVE_WITHIN, recover_abandoned_jobs
from enterprises.imports.tables import ImportRow
from tests.conftest import Client, Personas
from tests.core.resilience import (
    PrivateRedis,
    batch_state,
    enterprises_csv,
    kill_hard,
    private_redis,
    start_worker,
    stop,
    wait_until,
)
from tests.enterprises.imports.uploads import upload

pytestmark = pytest.mark.anyio

ROWS = 6_000  # enough for the dry run to take a few seconds, so it can be interrupted half way


@pytest.fixture
def own_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateRedis]:
    """A Redis this test may stop and flush; the app in the test process uses it too."""
    with private_redis() as server:
        monkeypatch.setattr(core.jobs, "settings", dataclasses.replace(settings, redis_url=server.url))
        yield server


async def _upload_large_import(client: Client) -> int:
    token = await client.api_token("alice")
    response = await upload(client, token, enterprises_csv(ROWS), "名单.csv")
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


async def _checking_half_way(batch_id: int) -> bool:
    state = await batch_state(batch_id)
    return state["state"] == "checking" and state["processed_rows"] > 0


async def _checked(batch_id: int) -> bool:
    return (await batch_state(batch_id))["state"] == "checked"


async def _rows_of(batch_id: int) -> int:
    return await ImportRow.count().where(ImportRow.batch == batch_id)


async def test_it_recovers_an_import_from_a_killed_worker_within_a_minute(client: Client, personas: Personas) -> None:
    batch_id = await _upload_large_import(client)
    first = start_worker()
    second = None
    try:
        await wait_until(lambda: _checking_half_way(batch_id), 60, "the dry run to start")
        kill_hard(first)  # the worker, its work horse and its scheduler: SIGKILL, no goodbye
        second = start_worker()
        took = await wait_until(lambda: _checked(batch_id), 60, "another worker to finish the dry run")
    finally:
        stop(first)
        if second is not None:
            stop(second)
    print(f"recovered {took:.1f} s after the kill")
    assert took < 60
    assert await _rows_of(batch_id) == ROWS  # checked once: the re-run replaced the half-done rows


async def test_it_outlives_redis_stopped_in_the_middle_of_a_job(
    client: Client, personas: Personas, own_redis: PrivateRedis
) -> None:
    batch_id = await _upload_large_import(client)
    worker = start_worker(redis_url=own_redis.url)
    try:
        await wait_until(lambda: _checking_half_way(batch_id), 60, "the dry run to start")
        own_redis.stop()
        await anyio.sleep(20)  # the outage itself
        assert worker.poll() is None, "the worker quit while Redis was away"
        own_redis.start()
        await wait_until(lambda: _checked(batch_id), 90, "the dry run to finish after Redis came back")
        assert worker.poll() is None
        # RQ's scheduler is back too: a job due in 2 s runs on time, not at the next maintenance.
        olga = personas.ids["olga"]
        core.jobs.job_queue().enqueue_in(timedelta(seconds=2), "accounts.jobs.send_welcome_notification", olga)
        late = await wait_until(lambda: _notified(olga), 90, "the scheduled job")
    finally:
        stop(worker)
    assert await _rows_of(batch_id) == ROWS
    print(f"a job due in 2 s ran after {late:.1f} s")
    assert late < 20


async def test_it_is_healthy_again_within_a_heartbeat_of_a_flush_and_loses_no_job(
    client: Client, personas: Personas, own_redis: PrivateRedis
) -> None:
    heavy_only = start_worker("--queues", "heavy", redis_url=own_redis.url)  # leaves the welcome jobs waiting
    light = None
    try:
        await wait_until(lambda: _healthy(client), 30, "a live worker")
        user_ids = [
            await create_user(NewUser(f"newcomer{n}", f"Newcomer {n}", "correct-horse-battery", "expert"))
            for n in range(8)
        ]
        redis.Redis.from_url(own_redis.url).flushall()  # as a Redis restarted without its data
        took = await wait_until(lambda: _healthy(client), 15, "health after FLUSHALL")
        print(f"healthy again {took:.1f} s after FLUSHALL")
        # What Redis forgot, the database still promises: the scheduler's sweep queues it again.
        assert sweep_outbox(connection=core.jobs.redis_connection()) == len(user_ids)
        light = start_worker("--queues", "light", redis_url=own_redis.url)
        await wait_until(_all_done, 60, "every promised job")
    finally:
        stop(heavy_only)
        if light is not None:
            stop(light)
    assert took < 15
    for user_id in user_ids:
        assert await Notification.count().where(Notification.user == user_id) == 1


async def test_it_runs_a_notification_while_an_import_is_running(client: Client, personas: Personas) -> None:
    # As `make run` does: a worker for light jobs alone beside one that takes both.
    workers = [start_worker("--queues", "light"), start_worker()]
    try:
        batch_id = await _upload_large_import(client)
        await wait_until(lambda: _checking_half_way(batch_id), 60, "the dry run to start")
        user_id = await create_user(NewUser("newcomer", "Newcomer", "correct-horse-battery", "expert"))
        took = await wait_until(lambda: _notified(user_id), 10, "the welcome notification")
        print(f"notification done {took:.1f} s after it was promised, during an import")
        assert not await _checked(batch_id), "the import finished first: the test proves nothing"
    finally:
        for worker in workers:
            stop(worker)
    assert took < 10


async def test_it_counts_only_live_workers(client: Client) -> None:
    worker = start_worker()
    try:
        await wait_until(lambda: _healthy(client), 30, "a live worker")
        kill_hard(worker)  # its key stays in Redis for a while; its heartbeat stops
        took = await wait_until(lambda: _unhealthy(client), LIVE_WITHIN.total_seconds() + 10, "health to notice")
        print(f"a killed worker no longer counted {took:.1f} s after the kill")
    finally:
        stop(worker)
    assert took <= LIVE_WITHIN.total_seconds() + 10


def test_it_leaves_the_jobs_of_live_workers_alone() -> None:
    connection = core.jobs.redis_connection()
    assert recover_abandoned_jobs(connection, QUEUE_NAMES) == []


async def _healthy(client: Client) -> bool:
    response = await client.http.get("/health")
    return bool(response.status_code == 200)


async def _unhealthy(client: Client) -> bool:
    return not await _healthy(client)


async def _notified(user_id: int) -> bool:
    return bool(await Notification.count().where(Notification.user == user_id))


async def _all_done() -> bool:
    return not await OutboxJob.count().where(OutboxJob.done_at.is_null())
