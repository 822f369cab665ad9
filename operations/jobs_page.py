"""`/admin/jobs`: the job queues, the live workers and the failed jobs, with retry, for administrators.

What rq-dashboard would show, in the app's own pages, language and access policy: queues with
their waiting, scheduled, started and failed counts; workers that beat lately; failed jobs, newest
first, with the last line of their error. An error may quote data (an ID number, a phone, a
credit code): long digit runs and ID-like tokens are masked before anything is shown. Retrying
is RQ's `job.requeue()`: the job goes back on its queue as it was, and its own claim on its rows
keeps a job that had half acted from acting twice.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, StartedJobRegistry

from accounts.policy import Action
from core.errors import NotFound
from core.jobs import JOB_ID, QUEUE_NAMES, redis_connection
from core.pagination import Page, PageRequest
from core.web import page
from core.worker import last_beat, live_workers, rq_time

# An 18-character token of capitals and digits with a digit in it (an ID number ending in X, a
# unified social credit code), then any run of 11 or more digits (a phone, an ID, an account).
_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(?=[A-Z]*[0-9])[0-9A-Z]{17}[0-9A-Zx](?![0-9A-Za-z])")
_DIGIT_RUN = re.compile(r"[0-9]{11,}")
MASK = "***"
FAILED_PER_PAGE = 20


def mask_personal_data(text: str) -> str:
    """`text` with every long digit run and 18-character ID-like token replaced by ***."""
    return _DIGIT_RUN.sub(MASK, _ID_LIKE.sub(MASK, text))


def last_line(text: str | None) -> str:
    """The last non-blank line of a traceback: the exception and its message."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


@dataclass(frozen=True)
class QueueRow:
    name: str
    waiting: int
    scheduled: int
    started: int
    failed: int


@dataclass(frozen=True)
class WorkerRow:
    name: str
    queues: list[str]
    state: str
    last_heartbeat: datetime | None


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    function: str
    failed_at: datetime | None
    error: str  # masked


@dataclass(frozen=True)
class Overview:
    queues: list[QueueRow]
    workers: list[WorkerRow]
    failed: Page[FailedJob]


def _queue_row(connection: Redis, name: str) -> QueueRow:
    queue = Queue(name, connection=connection)
    return QueueRow(
        name=name,
        waiting=queue.count,
        scheduled=int(queue.scheduled_job_registry.count),
        started=StartedJobRegistry(queue=queue).count,
        failed=FailedJobRegistry(queue=queue).count,
    )


def _failed_ids(connection: Redis) -> list[tuple[str, str]]:
    """(queue, job id) of every failed job, newest failure first.

    The registries are sorted by expiry, which differs with each job's failure TTL; the jobs'
    own `ended_at` (one pipelined read) gives the true order.
    """
    entries = [
        (name, job_id)
        for name in QUEUE_NAMES
        for job_id in FailedJobRegistry(queue=Queue(name, connection=connection)).get_job_ids()
    ]
    pipe = connection.pipeline(transaction=False)
    for _, job_id in entries:
        pipe.hget(Job.key_for(job_id), "ended_at")
    ended = [raw.decode() if isinstance(raw, bytes) else "" for raw in pipe.execute()]
    order = sorted(range(len(entries)), key=lambda i: ended[i], reverse=True)
    return [entries[i] for i in order]


def _failed_job(queue: str, job: Job) -> FailedJob:
    try:
        function = job.func_name or "?"
    except Exception:  # a job whose payload no longer loads is still listed, and can be retried
        function = "?"
    result = job.latest_result()
    error = result.exc_string if result is not None and result.exc_string else None
    return FailedJob(
        id=job.id,
        queue=queue,
        function=function,
        failed_at=rq_time(job.ended_at) if job.ended_at else None,
        error=mask_personal_data(last_line(error)),
    )


def jobs_overview(connection: Redis, now: datetime, paging: PageRequest) -> Overview:
    """Queues, live workers and one page of failed jobs, read from Redis."""
    queues = [_queue_row(connection, name) for name in QUEUE_NAMES]
    workers = [
        WorkerRow(
            name=w.name,
            queues=w.queue_names(),
            state=w.get_state(),
            last_heartbeat=last_beat(w),
        )
        for w in live_workers(Worker.all(connection=connection), now)
    ]
    failed_ids = _failed_ids(connection)
    shown = failed_ids[paging.offset : paging.offset + paging.per_page]
    jobs = Job.fetch_many([job_id for _, job_id in shown], connection=connection)
    failed = [_failed_job(queue, job) for (queue, _), job in zip(shown, jobs, strict=True) if job]
    return Overview(queues=queues, workers=workers, failed=Page(items=failed, request=paging, total=len(failed_ids)))


def count_failed_jobs(connection: Redis) -> int:
    return sum(FailedJobRegistry(queue=Queue(name, connection=connection)).count for name in QUEUE_NAMES)


def retry_failed_job(connection: Redis, job_id: str) -> None:
    """Put one failed job back on its queue; NotFound if there is no such failed job."""
    if not JOB_ID.match(job_id):
        raise NotFound()
    try:
        job = Job.fetch(job_id, connection=connection)
        if job.origin not in QUEUE_NAMES:
            raise NotFound()
        job.requeue()
    except (NoSuchJobError, InvalidJobOperation) as exc:  # gone, or no longer failed (retried already)
        raise NotFound() from exc


def retry_all_failed_jobs(connection: Redis) -> int:
    """Put every failed job back on its queue; returns how many went back."""
    retried = 0
    for name in QUEUE_NAMES:
        registry = FailedJobRegistry(queue=Queue(name, connection=connection))
        for job_id in registry.get_job_ids():
            try:
                registry.requeue(job_id)
            except (NoSuchJobError, InvalidJobOperation):
                continue  # expired meanwhile, or retried by someone else at the same time
            retried += 1
    return retried


PageNumber = Annotated[int, QueryParameter(name="page", ge=1)]


class JobsController(Controller):
    """The operator's page of queues, workers and failed jobs."""

    include_in_schema = False  # pages, not API
    path = "/admin/jobs"
    opt = {"action": Action.OPERATE_JOBS}

    @get("/")
    async def jobs(
        self, request: Request[Any, Any, Any], page_number: PageNumber = 1, retried: FromQuery[int] = -1
    ) -> Template:
        paging = PageRequest(page=page_number, per_page=FAILED_PER_PAGE)
        try:
            overview = await asyncio.to_thread(jobs_overview, redis_connection(), datetime.now(UTC), paging)
        except RedisError:
            return page(request, "operations/jobs.html", status_code=503, overview=None, retried=retried)
        return page(request, "operations/jobs.html", overview=overview, retried=retried)

    # While Redis is away the actions below go back to the page, which says so.

    @post("/failed/{job_id:str}/retry")
    async def retry(self, job_id: FromPath[str]) -> Redirect:
        try:
            await asyncio.to_thread(retry_failed_job, redis_connection(), job_id)
        except RedisError:
            return Redirect("/admin/jobs")
        return Redirect("/admin/jobs?retried=1")

    @get("/failed/retry-all")
    async def confirm_retry_all(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        try:
            count = await asyncio.to_thread(count_failed_jobs, redis_connection())
        except RedisError:
            return Redirect("/admin/jobs")
        return page(request, "operations/jobs_retry_all.html", count=count)

    @post("/failed/retry-all")
    async def retry_all(self, data: URLEncodedBody[dict[str, str]]) -> Redirect:
        if data.get("confirmed") != "yes":  # not sent from the confirmation page: show it first
            return Redirect("/admin/jobs/failed/retry-all")
        try:
            retried = await asyncio.to_thread(retry_all_failed_jobs, redis_connection())
        except RedisError:
            return Redirect("/admin/jobs")
        return Redirect(f"/admin/jobs?retried={retried}")
