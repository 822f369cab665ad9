"""`/admin/jobs`: an administrator sees the queues, the workers and the failed jobs, and retries them.

Jobs really fail here: a job that raises runs through a real RQ worker on the test Redis.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import anyio
import pytest
from rq import Queue, SimpleWorker, Worker
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry

import core.jobs
from core.config import settings
from operations.jobs_page import last_line, mask_personal_data
from tests.conftest import worker_command

pytestmark = pytest.mark.anyio
FAILING = "tests.operations.test_jobs_page.explode"


def explode() -> None:
    """A job that always fails, quoting what looks like an account number and a credit code."""
    raise ValueError("no enterprise 20000000001 under 91350100M000100Y43")


def _queue() -> Queue:
    return core.jobs.job_queue()


def _fail(*job_ids: str) -> None:
    """Queue jobs that raise and let a real worker run them: each ends in the failed registry."""
    queue = _queue()
    for job_id in job_ids:
        queue.enqueue(FAILING, job_id=job_id, failure_ttl=600)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert FailedJobRegistry(queue=queue).count >= len(job_ids)


def _failed_ids() -> list[str]:
    return FailedJobRegistry(queue=_queue()).get_job_ids()


async def _as_admin(client: Any, personas: Any) -> None:
    assert (await client.login("adam")).status_code == 302


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("KeyError: 110101199003071234", "KeyError: ***"),  # an ID number
        ("no founder 11010119900307123X here", "no founder *** here"),  # one ending in X
        ("no founder 11010119900307123x", "no founder ***"),
        ("phone 13800138000 refused", "phone *** refused"),
        ("code 91350100M000100Y43 unknown", "code *** unknown"),  # a unified social credit code
        ("account 6222020200112233445566", "account ***"),
        ("case 12345 in 500154", "case 12345 in 500154"),  # case numbers and district codes stay
        ("UnicodeDecodeError: bad byte", "UnicodeDecodeError: bad byte"),  # an 18-letter word stays
        ("job fu-12-3 timed out after 30 s", "job fu-12-3 timed out after 30 s"),
    ],
)
def test_it_masks_personal_data_in_errors(text: str, shown: str) -> None:
    assert mask_personal_data(text) == shown


def test_it_shows_the_last_line_of_a_traceback() -> None:
    traceback = 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: bad\n\n'
    assert last_line(traceback) == "ValueError: bad"
    assert last_line(None) == ""


async def test_it_lists_a_failed_job_with_its_error_masked_and_retries_it(client: Any, personas: Any) -> None:
    _fail("explode-1")
    await _as_admin(client, personas)
    response = await client.http.get("/admin/jobs")
    assert response.status_code == 200, response.text
    assert "explode-1" in response.text
    assert FAILING in response.text
    assert "ValueError: no enterprise *** under ***" in response.text
    assert "20000000001" not in response.text and "91350100M000100Y43" not in response.text

    retried = await client.post_form("/admin/jobs/failed/explode-1/retry", {}, csrf_from="/admin/jobs")
    assert retried.status_code in (302, 303)
    assert retried.headers["location"] == "/admin/jobs?retried=1"
    job = Job.fetch("explode-1", connection=_queue().connection)
    assert job.get_status() == JobStatus.QUEUED
    assert "explode-1" in _queue().get_job_ids()
    assert _failed_ids() == []
    page = await client.http.get("/admin/jobs?retried=1")
    assert "explode-1" not in page.text
    assert re.search(rf"<td>{re.escape(core.jobs.QUEUE_NAMES[0])}</td><td>1</td>", page.text)

    # Queued again, it runs again (and fails again, being what it is): the retry is a real one.
    SimpleWorker([_queue()], connection=_queue().connection).work(burst=True)
    assert _failed_ids() == ["explode-1"]


async def test_it_refuses_to_retry_a_job_that_has_not_failed(client: Any, personas: Any) -> None:
    _queue().enqueue(FAILING, job_id="waiting-1")
    await _as_admin(client, personas)
    for job_id in ("waiting-1", "no-such-job"):
        response = await client.post_form(f"/admin/jobs/failed/{job_id}/retry", {}, csrf_from="/admin/jobs")
        assert response.status_code == 404
    assert _queue().get_job_ids() == ["waiting-1"]


async def test_it_retries_all_only_after_a_confirmation(client: Any, personas: Any) -> None:
    _fail("explode-a", "explode-b")
    await _as_admin(client, personas)
    assert 'href="/admin/jobs/failed/retry-all"' in (await client.http.get("/admin/jobs")).text

    confirm = await client.http.get("/admin/jobs/failed/retry-all")
    assert confirm.status_code == 200
    assert 'name="confirmed" value="yes"' in confirm.text
    assert ">2 " in confirm.text or "2 failed" in confirm.text

    # A POST that did not come from the confirmation page only shows it.
    unconfirmed = await client.post_form("/admin/jobs/failed/retry-all", {}, csrf_from="/admin/jobs")
    assert unconfirmed.headers["location"] == "/admin/jobs/failed/retry-all"
    assert sorted(_failed_ids()) == ["explode-a", "explode-b"]

    done = await client.post_form(
        "/admin/jobs/failed/retry-all", {"confirmed": "yes"}, csrf_from="/admin/jobs/failed/retry-all"
    )
    assert done.headers["location"] == "/admin/jobs?retried=2"
    assert _failed_ids() == []
    assert sorted(_queue().get_job_ids()) == ["explode-a", "explode-b"]


async def test_it_needs_the_csrf_token_to_retry(client: Any, personas: Any) -> None:
    _fail("explode-1")
    await _as_admin(client, personas)
    response = await client.http.post("/admin/jobs/failed/explode-1/retry", data={})
    assert response.status_code == 403
    assert _failed_ids() == ["explode-1"]


async def test_it_pages_failed_jobs_newest_first(client: Any, personas: Any) -> None:
    _fail(*(f"explode-{n:02d}" for n in range(21)))
    await _as_admin(client, personas)
    first = (await client.http.get("/admin/jobs")).text
    second = (await client.http.get("/admin/jobs?page=2")).text
    shown_first = re.findall(r"<code>(explode-\d\d)</code>", first)
    shown_second = re.findall(r"<code>(explode-\d\d)</code>", second)
    assert len(shown_first) == 20 and shown_second == ["explode-00"]  # the first to fail is the oldest
    assert shown_first[0] == "explode-20"
    assert "21" in first


async def test_it_counts_waiting_and_scheduled_jobs_per_queue(client: Any, personas: Any) -> None:
    heavy = core.jobs.job_queue(kind=core.jobs.JobKind.HEAVY)
    heavy.enqueue(FAILING, job_id="heavy-1")
    heavy.enqueue(FAILING, job_id="heavy-2")
    _queue().enqueue_in(timedelta(hours=1), FAILING, job_id="later-1")
    await _as_admin(client, personas)
    text = (await client.http.get("/admin/jobs")).text
    light, heavy_name = core.jobs.QUEUE_NAMES
    # Queue, waiting, scheduled, running, failed.
    assert f"<td>{heavy_name}</td><td>2</td><td>0</td><td>0</td><td>0</td>" in text
    assert f"<td>{light}</td><td>0</td><td>1</td><td>0</td><td>0</td>" in text


@contextlib.contextmanager
def running_worker() -> Iterator[subprocess.Popen[bytes]]:
    """A real `rq worker`, stopped cleanly afterwards."""
    process = subprocess.Popen(
        worker_command(), env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


async def test_it_shows_live_workers_with_their_heartbeat(client: Any, personas: Any) -> None:
    await _as_admin(client, personas)
    assert 'role="alert"' in (await client.http.get("/admin/jobs")).text  # no worker has beaten
    with running_worker() as process:
        deadline = time.monotonic() + 30
        while not Worker.all(connection=_queue().connection) and time.monotonic() < deadline:
            assert process.poll() is None
            await anyio.sleep(0.2)
        (live,) = Worker.all(connection=_queue().connection)
        text = (await client.http.get("/admin/jobs")).text
    assert live.name in text
    assert 'role="alert"' not in text


async def test_it_says_so_when_redis_is_down(client: Any, personas: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    await _as_admin(client, personas)
    monkeypatch.setattr(core.jobs, "settings", dataclasses.replace(settings, redis_url="redis://127.0.0.1:1/0"))
    response = await client.http.get("/admin/jobs")
    assert response.status_code == 503
    assert 'role="alert"' in response.text
    assert (await client.http.get("/admin/jobs/failed/retry-all")).status_code == 302


async def test_it_is_for_administrators_only(client: Any, new_client: Any, personas: Any) -> None:
    _fail("explode-1")
    await _as_admin(client, personas)
    assert 'href="/admin/jobs"' in (await client.http.get("/admin/users")).text
    for username in ("alice", "olga", "carl", "eve"):
        other = new_client()
        assert (await other.login(username)).status_code == 302
        home = await other.http.get("/", follow_redirects=True)
        assert 'href="/admin/jobs"' not in home.text
        assert (await other.http.get("/admin/jobs")).status_code in (403, 404)
        assert (await other.http.get("/admin/jobs/failed/retry-all")).status_code in (403, 404)
        token = await other.csrf("/notifications")
        for path in ("/admin/jobs/failed/explode-1/retry", "/admin/jobs/failed/retry-all"):
            response = await other.http.post(path, data={"_csrf_token": token, "confirmed": "yes"})
            assert response.status_code in (403, 404)
    signed_out = new_client()
    assert (await signed_out.http.get("/admin/jobs")).status_code in (302, 401, 403)
    assert _failed_ids() == ["explode-1"]
