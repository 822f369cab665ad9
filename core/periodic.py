"""The one list of periodic work, and the scheduler loop that runs it.

The sweep runs here rather than as an RQ job because it is what recovers from a lost Redis: it
must keep trying while Redis is down.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core.jobs import sweep_outbox
from core.sessions import delete_expired_sessions

log = logging.getLogger("fuchi.scheduler")


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    run: Callable[[datetime], object]


def _expire_sessions(now: datetime) -> int:
    return asyncio.run(delete_expired_sessions(now))


PERIODIC: tuple[Periodic, ...] = (
    Periodic("sweep_outbox", timedelta(seconds=15), lambda now: sweep_outbox(now)),
    Periodic("delete_expired_sessions", timedelta(hours=1), _expire_sessions),
)


def run_due(last_run: dict[str, datetime], now: datetime) -> None:
    """Run each periodic task whose interval has passed; a failure is logged and retried next tick."""
    for task in PERIODIC:
        previous = last_run.get(task.name)
        if previous is not None and now - previous < task.every:
            continue
        try:
            result = task.run(now)
            log.debug("%s: %s", task.name, result)
            last_run[task.name] = now
        except Exception:
            log.exception("periodic task %s failed; will retry", task.name)


def run_scheduler(tick_seconds: float = 5.0) -> None:
    """Run periodic work until SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    last_run: dict[str, datetime] = {}
    log.info("scheduler started")
    while not stop.is_set():
        run_due(last_run, datetime.now(UTC))
        stop.wait(tick_seconds)
    log.info("scheduler stopped")
