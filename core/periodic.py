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


def run_due(
    tasks: Sequence[Periodic], last_run: dict[str, datetime], now: datetime, failing: set[str] | None = None
) -> None:
    """Run each periodic task whose interval has passed; a failure is retried at the next tick.

    `failing` remembers which tasks failed last time, so an outage (Redis away for an hour) is
    logged when it starts and when it ends, not at every tick.
    """
    failing = set() if failing is None else failing
    for task in tasks:
        previous = last_run.get(task.name)
        if previous is not None and now - previous < task.every:
            continue
        try:
            result = task.run(now)
        except Exception:
            if task.name not in failing:
                log.exception("periodic task %s failed; retrying at every tick until it works", task.name)
                failing.add(task.name)
            continue
        if task.name in failing:
            log.warning("periodic task %s works again", task.name)
            failing.discard(task.name)
        log.debug("%s: %s", task.name, result)
        last_run[task.name] = now


def run_scheduler(tasks: Sequence[Periodic], tick_seconds: float = 5.0) -> None:
    """Run `tasks` as they fall due until SIGINT or SIGTERM."""
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    last_run: dict[str, datetime] = {}
    failing: set[str] = set()
    log.info("scheduler started")
    while not stop.is_set():
        run_due(tasks, last_run, datetime.now(UTC), failing)
        stop.wait(tick_seconds)
    log.info("scheduler stopped")
