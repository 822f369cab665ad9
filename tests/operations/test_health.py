"""`GET /health` tells the truth about the database, Redis and the workers."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from rq.job import JobStatus
from rq.registry import FailedJobRegistry

import core.jobs
from core.config import settings
from tests.conftest import worker_command

pytestmark = pytest.mark.anyio
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def worker() -> Iterator[subprocess.Popen[bytes]]:
    """A real `rq worker` with its scheduler, stopped cleanly afterwards."""
    process = subprocess.Popen(
        worker_command("--with-scheduler"),
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


async def test_it_reports_a_missing_worker(client: Any) -> None:
    response = await client.http.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert not body["worker"]["ok"] and body["last_worker_heartbeat"] is None


async def test_it_is_green_with_a_live_worker(client: Any, worker: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        response = await client.http.get("/health")
        if response.status_code == 200 or time.monotonic() > deadline or worker.poll() is not None:
            break
        await anyio.sleep(0.2)
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True
    assert response.json()["last_worker_heartbeat"] is not None


async def test_it_reports_redis_down_while_pages_still_work(
    client: Any, personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = dataclasses.replace(settings, redis_url=DEAD_REDIS)
    monkeypatch.setattr(core.jobs, "settings", down)
    response = await client.http.get("/health")
    assert response.status_code == 503
    assert response.json()["redis"]["ok"] is False
    # Sessions live in the database: signing in and reading pages do not need Redis.
    assert (await client.login("olga")).status_code == 302
    assert (await client.http.get("/cases/queue")).status_code == 200


async def test_it_reports_each_queue_its_depth_oldest_wait_and_failures(client: Any) -> None:
    heavy = core.jobs.job_queue(kind=core.jobs.JobKind.HEAVY)
    heavy.enqueue("accounts.jobs.send_welcome_notification", 1, job_id="waiting-1")
    failed = core.jobs.job_queue().enqueue("accounts.jobs.send_welcome_notification", 2, job_id="failed-2")
    failed.set_status(JobStatus.FAILED)
    FailedJobRegistry(queue=core.jobs.job_queue()).add(failed, ttl=600)
    await anyio.sleep(0.2)
    body = (await client.http.get("/health")).json()
    queues = {queue["name"]: queue for queue in body["queues"]}
    assert set(queues) == set(core.jobs.QUEUE_NAMES)
    assert queues[core.jobs.queue_name(core.jobs.JobKind.HEAVY)]["waiting"] == 1
    assert queues[core.jobs.queue_name(core.jobs.JobKind.HEAVY)]["oldest_waiting_seconds"] >= 0.1
    assert queues[core.jobs.queue_name(core.jobs.JobKind.LIGHT)]["failed"] == 1
