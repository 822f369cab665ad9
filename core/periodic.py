"""The scheduler loop that runs periodic work; the list of that work is handed to it.

The outbox sweep runs in this loop rather than as an RQ job because it is what recovers from a
lost Redis: it must keep trying while Redis is down.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

log = logging.getLogger("fuchi.scheduler")


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    run: Callable[[datetime], object]


def run_due(tasks: Sequence[Periodic], last_run: dict[str, datetime], now: datetime) -> None:
    """Run each periodic task whose interval has passed; a failure is logged and retried next tick."""
    for task in tasks:
        previous = last_run.get(task.name)
        if previous is not None and now - previous < task.every:
            continue
        try:
            result = task.run(now)
            log.debug("%s: %s", task.name, result)
            last_run[task.name] = now
        except Exception:
            log.exception("periodic task %s failed; will retry", task.name)


def run_scheduler(tasks: Sequence[Periodic], tick_seconds: float = 5.0) -> None:
    """Run `tasks` as they fall due until SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    last_run: dict[str, datetime] = {}
    log.info("scheduler started")
    while not stop.is_set():
        run_due(tasks, last_run, datetime.now(UTC))
        stop.wait(tick_seconds)
    log.info("scheduler stopped")
