"""The one list of periodic work that `fuchi scheduler` runs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from core.jobs import sweep_outbox
from core.periodic import Periodic
from core.sessions import delete_expired_sessions


def _expire_sessions(now: datetime) -> int:
    return asyncio.run(delete_expired_sessions(now))


PERIODIC: tuple[Periodic, ...] = (
    Periodic("sweep_outbox", timedelta(seconds=15), sweep_outbox),
    Periodic("delete_expired_sessions", timedelta(hours=1), _expire_sessions),
)
