"""The one list of periodic work that `fuchi scheduler` runs."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from accounts.signin import forget_old_login_attempts
from casework.followups.scheduling import sweep_follow_ups
from core.jobs import QUEUE_NAMES, redis_connection, sweep_outbox
from core.periodic import Periodic
from core.sessions import delete_expired_sessions
from core.worker import recover_abandoned_jobs
from enterprises.exports.service import sweep_exports
from enterprises.imports.purging import purge_rows_to_fix, purge_unconfirmed_imports


def _expire_sessions(now: datetime) -> int:
    return asyncio.run(delete_expired_sessions(now))


def _forget_login_attempts(now: datetime) -> int:
    return asyncio.run(forget_old_login_attempts(now))


def _sweep_exports(now: datetime) -> int:
    return asyncio.run(sweep_exports(now))


def _purge_unconfirmed_imports(now: datetime) -> int:
    return asyncio.run(purge_unconfirmed_imports(now))


def _purge_rows_to_fix(now: datetime) -> int:
    return asyncio.run(purge_rows_to_fix(now))


def _recover_abandoned_jobs(now: datetime) -> list[str]:
    return recover_abandoned_jobs(redis_connection(), QUEUE_NAMES, now)


# In order: jobs of dead workers go back on their queue before the sweep looks for lost ones.
PERIODIC: tuple[Periodic, ...] = (
    Periodic("recover_abandoned_jobs", timedelta(seconds=15), _recover_abandoned_jobs),
    Periodic("sweep_outbox", timedelta(seconds=15), sweep_outbox),
    # Every due follow-up that Redis lost is queued again within a minute.
    Periodic("sweep_follow_ups", timedelta(minutes=1), sweep_follow_ups),
    Periodic("delete_expired_sessions", timedelta(hours=1), _expire_sessions),
    Periodic("forget_old_login_attempts", timedelta(hours=1), _forget_login_attempts),
    Periodic("sweep_exports", timedelta(minutes=10), _sweep_exports),
    # Checked import rows hold personal data: those never confirmed go after `import_draft_days`.
    Periodic("purge_unconfirmed_imports", timedelta(hours=1), _purge_unconfirmed_imports),
    Periodic("purge_rows_to_fix", timedelta(hours=1), _purge_rows_to_fix),
)
