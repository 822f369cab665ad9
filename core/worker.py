"""The `rq worker` Fuchi runs: RQ's own worker, made to outlive Redis and to notice crashed workers.

Run it as `rq worker -w core.worker.FuchiWorker` with the timings below (`fuchi worker` does).
Three things are added to RQ's worker, each because a follow-up must not be lost or late:

- it waits for a lost Redis (with back-off, logged once per outage) and starts again, instead
  of quitting;
- it registers again when Redis lost its data (FLUSHALL, a restart without persistence), so
  `/health` sees it within one heartbeat;
- its maintenance re-queues the jobs of workers that stopped beating (SIGKILL, out of memory, a
  lost machine) within a minute, instead of RQ's 15-minute staleness.

It also imports every `jobs` module of the project once, before its first fork: RQ forks a work
horse per job, and a horse that had to import the app itself spent about a second on it (a
follow-up job took 1 s instead of tens of milliseconds; see bench/follow_ups_bench.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import importlib
import logging
import signal
import sys
import time
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from piccolo.querystring import QueryString
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Worker, worker_registration
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.exceptions import NoSuchJobError, StopRequested
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry
from rq.scheduler import RQScheduler
from rq.scheduler import run as run_scheduler
from rq.utils import as_text, parse_composite_key
from rq.worker import BaseWorker

from core.config import ROOT
from core.db import engine
from core.jobs import redis_connection

log = logging.getLogger(__name__)

# A worker beats every WORKER_TTL - 15 s when idle and every JOB_MONITORING_INTERVAL s while it
# runs a job; one that has not beaten for LIVE_WITHIN is taken for dead. With maintenance every
# MAINTENANCE_INTERVAL s (and the scheduler's sweep every 15 s) a dead worker's job is back on its
# queue in at most LIVE_WITHIN + 15 s. A beat is two Redis commands: cheap at this rate.
WORKER_TTL = 20
JOB_MONITORING_INTERVAL = 5
MAINTENANCE_INTERVAL = 15
LIVE_WITHIN = timedelta(seconds=20)
PR_SET_PDEATHSIG = 1  # prctl(2)
# How long to wait between tries while Redis is away: doubling from the first to the last, which
# is also how late the worker may notice Redis is back.
REDIS_WAIT = (0.5, 4.0)

WORKER_OPTIONS = (
    "--worker-class",
    "core.worker.FuchiWorker",
    "--worker-ttl",
    str(WORKER_TTL),
    "--job-monitoring-interval",
    str(JOB_MONITORING_INTERVAL),
    "--maintenance-interval",
    str(MAINTENANCE_INTERVAL),
)


def rq_time(moment: datetime) -> datetime:
    """A time RQ read back from Redis, made aware: RQ stores UTC and may return it naive."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def last_beat(worker: BaseWorker) -> datetime | None:
    """A worker's last heartbeat, in UTC."""
    beat = worker.last_heartbeat
    return rq_time(beat) if beat is not None else None


def live_workers(workers: Iterable[BaseWorker], now: datetime) -> list[BaseWorker]:
    """Those whose last heartbeat is recent enough to be alive (RQ keeps a dead one's key for minutes)."""
    return [w for w in workers if (beat := last_beat(w)) is not None and now - beat < LIVE_WITHIN]


def live_worker_names(connection: Redis, now: datetime | None = None) -> set[str]:
    return {w.name for w in live_workers(Worker.all(connection=connection), now or datetime.now(UTC))}


def recover_abandoned_jobs(connection: Redis, queue_names: Iterable[str], now: datetime | None = None) -> list[str]:
    """Put back on their queue the started jobs whose worker is no longer alive; returns their ids.

    Any process may call this at any time (the scheduler's sweep, every worker's maintenance):
    removing the registry entry is the claim, so a job is put back by one of them only. The job's
    own claim on its rows keeps a re-run from acting twice if the lost run had got far.
    """
    live = live_worker_names(connection, now)
    recovered = []
    for name in queue_names:
        queue = Queue(name, connection=connection)
        registry = StartedJobRegistry(queue=queue)
        for entry in connection.zrange(registry.key, 0, -1):
            composite = as_text(entry)  # type: ignore[arg-type]  # members are bytes: no scores asked for
            job_id, _ = parse_composite_key(composite)
            worker_name = as_text(connection.hget(f"rq:execution:{composite}", "worker_name") or b"")
            if worker_name in live:
                continue
            if not connection.zrem(registry.key, composite):
                continue  # someone else noticed first
            try:
                job = Job.fetch(job_id, connection=connection)
            except NoSuchJobError:
                continue
            if job.get_status() != JobStatus.STARTED:
                continue
            queue.enqueue_job(job, at_front=True)
            recovered.append(job_id)
            log.warning("job %s on %s was abandoned by worker %s; queued again", job_id, name, worker_name or "?")
    return recovered


# Where the job modules are not: the project's tests, benchmarks and everything that is not a package.
_NOT_JOBS = frozenset({"tests", "bench", "var", "static", "templates", "locale", "scripts"})


def job_modules(root: Path = ROOT) -> list[str]:
    """The dotted names of the project's `jobs` modules (found on disk: core names no domain)."""
    names = []
    packages = [p for p in sorted(root.iterdir()) if p.name not in _NOT_JOBS and (p / "__init__.py").exists()]
    for path in (found for package in packages for found in sorted(package.rglob("jobs.py"))):
        parts = path.relative_to(root).with_suffix("").parts
        if all((root.joinpath(*parts[:n]) / "__init__.py").exists() for n in range(1, len(parts))):
            names.append(".".join(parts))
    return names


def preload_job_modules() -> float:
    """Import the job modules in this process, so that the work horses forked from it inherit them; seconds taken."""
    started = time.monotonic()
    for name in job_modules():
        try:
            importlib.import_module(name)
        except Exception:  # the horse that runs one of its jobs will fail with the full story
            log.warning("could not import job module %s before forking", name, exc_info=True)
    try:
        # The engine (piccolo_conf, the apps' registry, the driver) is found at the first query:
        # one round trip here, its connection closed, so that no horse has to find it again.
        asyncio.run(engine().run_querystring(QueryString("SELECT 1")))
    except Exception:  # a database away now is the jobs' problem, reported by them
        log.warning("could not reach the database before forking", exc_info=True)
    redis_connection()  # the jobs' client, made once: a horse only opens its connection
    return time.monotonic() - started


def wait_for_redis(connection: Redis, stop: Any = None) -> None:
    """Block until Redis answers, trying with back-off; say so once when it is lost and once when back."""
    delay, longest = REDIS_WAIT
    reported = False
    while not (stop and stop()):
        try:
            connection.ping()
        except RedisError as exc:
            if not reported:
                log.warning("Redis is unreachable (%s); waiting for it", type(exc).__name__)
                reported = True
            time.sleep(delay)
            delay = min(delay * 2, longest)
            continue
        if reported:
            log.warning("Redis is back")
        return


def _die_with_parent() -> None:
    """Ask Linux to stop this process when its parent dies (elsewhere, nothing to do)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _run_scheduler_tied_to_worker(scheduler: RQScheduler) -> None:
    _die_with_parent()
    run_scheduler(scheduler)  # type: ignore[no-untyped-call]


class TiedScheduler(RQScheduler):
    """RQ's scheduler, in a process that stops when its worker dies.

    RQ forks it from the worker; a worker killed with SIGKILL left it running for ever, holding
    its queues' scheduler lock, after `make run` had stopped everything else.
    """

    def start(self) -> Any:
        self._status = self.Status.STARTED
        self._connection = None  # a Redis connection cannot cross the fork
        process = get_context("fork").Process(target=_run_scheduler_tied_to_worker, args=(self,), name="Scheduler")
        self._process = process  # type: ignore[assignment]  # RQ declares it None until started
        process.start()
        return process


class _OncePerOutage(logging.Filter):
    """Let RQ's "could not connect to Redis" through once per outage, not at every retry."""

    def __init__(self) -> None:
        super().__init__()
        self.in_outage = False

    def filter(self, record: logging.LogRecord) -> bool:
        lost = "could not connect to Redis" in record.getMessage()
        repeat = lost and self.in_outage
        self.in_outage = lost
        return not repeat


class FuchiWorker(Worker):
    """RQ's worker that outlives Redis, re-registers after a flush and recovers crashed workers' jobs."""

    def work(self, burst: bool = False, *args: Any, **kwargs: Any) -> bool:
        self._asked_to_stop = False
        self.log.info("Worker %s: job modules imported in %.2f s", self.name, preload_job_modules())
        self.log.addFilter(_OncePerOutage())
        worked = False
        while True:
            try:
                worked = super().work(burst, *args, **kwargs) or worked
            except RedisError:
                # RQ's loop ended on a lost Redis and its teardown could not reach Redis either.
                self.log.debug("Worker %s: Redis lost during teardown", self.name, exc_info=True)
            if burst or self._asked_to_stop:
                return worked
            # RQ quits on a lost Redis: wait for it, then start again.
            try:
                time.sleep(1)  # no busy loop should the loop keep ending for another reason
                wait_for_redis(self.connection, stop=lambda: self._asked_to_stop)
            except StopRequested:  # Ctrl-C or SIGTERM while waiting
                return worked
            if self._asked_to_stop:
                return worked
            self._start_again_under_a_new_name()

    def _start_again_under_a_new_name(self) -> None:
        # Under its old name the worker would look alive to `recover_abandoned_jobs` while the job
        # it was running when Redis went away is lost: a new name leaves that job to be recovered
        # (by this worker's first maintenance), and no key of the old life is in the way.
        with contextlib.suppress(Exception):
            self.unsubscribe()  # type: ignore[no-untyped-call]
        if self.scheduler is not None:
            # Its process stopped with the loop, but its lock outlived the outage in Redis: left
            # there, no scheduler could take it for a minute and every timed job would wait.
            with contextlib.suppress(Exception):
                self.scheduler.release_locks()  # type: ignore[no-untyped-call]
            self.scheduler = None
        old = self.name
        self.name = uuid.uuid4().hex
        self.log.warning("Worker %s: starting again as %s", old, self.name)

    def request_stop(self, signum: Any, frame: Any) -> None:
        # RQ marks a stop only when it comes during a job; an idle stop just ends the loop, which
        # `work` must not take for a lost Redis.
        self._asked_to_stop = True
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]

    def _shutdown(self) -> None:
        # A stop asked for while Redis is away cannot ask Redis whether a job is running; no job
        # can be either (the loop has ended), so it is an idle stop.
        try:
            super()._shutdown()  # type: ignore[no-untyped-call]
        except RedisError as exc:
            raise StopRequested() from exc

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        super().heartbeat(timeout, pipeline)
        if pipeline is None:
            self._register_again_if_forgotten(timeout)

    def maintain_heartbeats(self, job: Job, execution: Any) -> None:
        super().maintain_heartbeats(job, execution)
        self._register_again_if_forgotten(self.job_monitoring_interval + 60)

    def _register_again_if_forgotten(self, timeout: int | None) -> None:
        if self.connection.sismember(self.redis_workers_keys, self.key):
            return
        self.log.warning(
            "Worker %s: Redis has forgotten this worker (flushed or restarted); registering again", self.name
        )
        with self.connection.pipeline() as pipeline:
            pipeline.hset(self.key, mapping=self.serialize())
            worker_registration.register(self, pipeline)
            pipeline.expire(self.key, timeout or self.worker_ttl + 60)
            pipeline.execute()

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ) -> None:
        # RQ's own, but with the scheduler tied to this worker's life.
        self.scheduler = TiedScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()  # type: ignore[no-untyped-call]
        if not self.scheduler.acquired_locks:
            return
        if burst:
            try:
                self.scheduler.register_birth()
                self.scheduler.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]
            finally:
                self.scheduler.release_locks()  # type: ignore[no-untyped-call]
                self.scheduler.register_death()
        else:
            self.scheduler.start()

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]
        recover_abandoned_jobs(self.connection, self.queue_names())
