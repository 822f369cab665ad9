"""Background jobs through a real Redis and a real `rq worker`: run once, survive a lost Redis."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import core.jobs
from accounts.services import NewUser, create_user
from accounts.tables import Notification
from core.config import settings
from core.jobs import job_queue, redis_connection, sweep_outbox
from core.tables import OutboxJob
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


async def welcome_count(user_id: int) -> int:
    return await Notification.count().where((Notification.user == user_id) & (Notification.kind == "welcome"))


async def test_it_welcomes_a_new_user_through_a_real_worker(personas: Any) -> None:
    user_id = await create_user(NewUser("wendy", "Wendy", "a-long-password", "broker", "500154"))
    assert len(job_queue()) == 1
    run_worker_until_idle()
    assert await welcome_count(user_id) == 1
    outbox = await OutboxJob.select().where(OutboxJob.job_id == f"welcome-{user_id}").first()
    assert outbox["done_at"] is not None


async def test_it_welcomes_once_however_often_the_job_runs(personas: Any) -> None:
    user_id = await create_user(NewUser("wendy", "Wendy", "a-long-password", "broker", "500154"))
    run_worker_until_idle()
    job_queue().enqueue("accounts.jobs.send_welcome_notification", user_id, job_id=f"again-{user_id}")
    run_worker_until_idle()
    assert await welcome_count(user_id) == 1


async def test_it_keeps_the_promise_while_redis_is_down_and_runs_it_once_back(
    personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core.jobs, "settings", dataclasses.replace(settings, redis_url=DEAD_REDIS))
    user_id = await create_user(NewUser("wendy", "Wendy", "a-long-password", "broker", "500154"))
    pending = await OutboxJob.select().where(OutboxJob.job_id == f"welcome-{user_id}").first()
    assert pending["enqueued_at"] is None and pending["done_at"] is None
    monkeypatch.undo()

    assert sweep_outbox() == 1  # Redis is back: the scheduler's sweep queues it
    assert sweep_outbox() == 0  # and does not queue it twice
    run_worker_until_idle()
    assert await welcome_count(user_id) == 1


async def test_it_queues_again_a_job_lost_with_redis(personas: Any) -> None:
    user_id = await create_user(NewUser("wendy", "Wendy", "a-long-password", "broker", "500154"))
    redis_connection().flushdb()  # Redis lost its data before any worker ran the job
    assert sweep_outbox() == 1
    run_worker_until_idle()
    assert await welcome_count(user_id) == 1
    assert sweep_outbox() == 0  # done jobs are left alone
