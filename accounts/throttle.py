"""How many failed logins are tolerated before a name is locked for a while."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def locked_for(failures: Iterable[datetime], now: datetime) -> timedelta | None:
    """How long a name stays locked, given the times of its recent failed logins.

    Locked once MAX_FAILURES failures fall within WINDOW; the lock lifts WINDOW after the
    oldest of the last MAX_FAILURES failures.
    """
    recent = sorted(at for at in failures if now - at < WINDOW)
    if len(recent) < MAX_FAILURES:
        return None
    unlock_at = recent[-MAX_FAILURES] + WINDOW
    return unlock_at - now if unlock_at > now else None
