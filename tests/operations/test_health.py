"""`GET /health` tells the truth about the database, Redis and the workers."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
import pytest
from rq.job import JobStatus
from rq.registry import FailedJobRegistry

import core.jobs
from casework.followups.health import count_overdue_follow_ups
from casework.tables import FollowUp
from core.config import settings
from core.working_days import covers
from operations.health import OVERDUE_GRACE, calendar_state
from tests.casework.life import Life
from tests.conftest import Personas, worker_command

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


async def _with_worker(client: Any, worker: subprocess.Popen[bytes]) -> Any:
    """/health once the worker has beaten (it needs a second or two to start)."""
    deadline = time.monotonic() + 30
    while True:
        response = await client.http.get("/health")
        if response.json()["worker"]["ok"] or time.monotonic() > deadline or worker.poll() is not None:
            return response
        await anyio.sleep(0.2)


async def _follow_ups(personas: Personas, **due_in_state: tuple[str, timedelta]) -> dict[str, int]:
    """Follow-ups of one fresh case, by name: (state, how long ago it fell due); none other exists."""
    case_id = await Life(personas).case()
    await FollowUp.delete(force=True)  # only the rows this test writes
    now = datetime.now(UTC)
    ids = {}
    for name, (state, ago) in due_in_state.items():
        rows = await FollowUp.insert(
            FollowUp(case=case_id, district="A", kind="triage", key=f"test-{name}", state=state, due_at=now - ago)
        ).returning(FollowUp.id)
        ids[name] = rows[0]["id"]
    return ids


async def test_it_reports_a_missing_worker(client: Any) -> None:
    response = await client.http.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert not body["worker"]["ok"] and body["last_worker_heartbeat"] is None


async def test_it_is_green_with_a_live_worker(client: Any, worker: subprocess.Popen[bytes]) -> None:
    response = await _with_worker(client, worker)
    assert response.status_code == 200, response.text
    assert response.json()["ok"] is True
    assert response.json()["last_worker_heartbeat"] is not None
    assert response.json()["follow_ups"] == {"ok": True, "overdue": 0, "detail": "ok"}


async def test_it_is_green_while_the_calendar_only_warns(client: Any, worker: subprocess.Popen[bytes]) -> None:
    response = await _with_worker(client, worker)
    assert response.status_code == 200, response.text
    calendar = response.json()["calendar"]
    today = datetime.now(settings.display_timezone).date()
    # chinesecalendar 1.11 knows 2026 only: from 2026 on this is a real warning, and still a 200.
    assert calendar["covers_today"] is covers(today)
    assert calendar["covers_next_year"] is covers(today + timedelta(days=365))
    assert (calendar["warning"] is None) is (calendar["covers_today"] and calendar["covers_next_year"])


@pytest.mark.parametrize(
    ("today", "covers_today", "covers_next_year", "warned"),
    [
        (date(2025, 6, 1), True, True, False),
        (date(2026, 1, 1), True, False, True),  # next year's notice is not in the package yet
        (date(2026, 12, 2), True, False, True),
        (date(2027, 3, 1), False, False, True),  # past the data: weekdays only
    ],
)
def test_it_warns_when_the_calendar_ends_within_a_year(
    today: date, covers_today: bool, covers_next_year: bool, warned: bool
) -> None:
    noon = datetime(today.year, today.month, today.day, 12, tzinfo=settings.display_timezone)
    state = calendar_state(noon)
    assert (state.covers_today, state.covers_next_year) == (covers_today, covers_next_year)
    assert (state.warning is not None) is warned


async def test_it_counts_only_pending_follow_ups_due_more_than_ten_minutes_ago(client: Any, personas: Personas) -> None:
    ten = OVERDUE_GRACE
    await _follow_ups(
        personas,
        late=("pending", ten + timedelta(minutes=1)),
        very_late=("pending", timedelta(days=3)),
        just_due=("pending", ten - timedelta(minutes=1)),
        not_yet=("pending", -timedelta(hours=1)),
        paused=("paused", timedelta(days=1)),
        done=("done", timedelta(days=1)),
        escalated=("escalated", timedelta(days=1)),
        cancelled=("cancelled", timedelta(days=1)),
    )
    assert await count_overdue_follow_ups(datetime.now(UTC), ten) == 2
    response = await client.http.get("/health")
    assert response.status_code == 503
    assert response.json()["follow_ups"]["ok"] is False
    assert response.json()["follow_ups"]["overdue"] == 2


async def test_it_fails_while_a_follow_up_is_overdue_and_recovers_once_it_is_done(
    client: Any, personas: Personas, worker: subprocess.Popen[bytes]
) -> None:
    ids = await _follow_ups(personas, late=("pending", timedelta(minutes=11)))
    response = await _with_worker(client, worker)
    body = response.json()
    assert response.status_code == 503, response.text
    assert body["worker"]["ok"] and body["database"]["ok"] and body["redis"]["ok"]
    assert body["follow_ups"] == {
        "ok": False,
        "overdue": 1,
        "detail": "1 follow-up(s) overdue by more than 10 minutes",
    }
    await FollowUp.update({FollowUp.state: "done"}).where(FollowUp.id == ids["late"])
    response = await client.http.get("/health")
    assert response.status_code == 200, response.text
    assert response.json()["follow_ups"]["overdue"] == 0


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
