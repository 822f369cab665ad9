"""The cap on heavy work: how many imports and exports one user may have running or waiting at once.

Heavy jobs share a queue and its workers; without a cap one user could queue enough of them to
keep everyone else's waiting for hours. Every service that promises a heavy job on a user's
behalf calls `check_heavy_work` inside the transaction that promises it.
"""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine

from accounts.policy import Actor
from accounts.tables import User
from core.config import settings
from core.db import engine
from core.errors import TooManyAttempts
from enterprises.exports.rules import IN_PROGRESS as EXPORTS_IN_PROGRESS
from enterprises.exports.tables import ExportFile
from enterprises.imports.rules import IN_PROGRESS as IMPORTS_IN_PROGRESS
from enterprises.imports.tables import ImportBatch


class TooMuchHeavyWork(TooManyAttempts):
    """The user has as many imports and exports in progress as he may: 429, like other limits on a user."""

    message = "You already have {count} imports or exports in progress. Wait for one to finish, then try again."


async def heavy_work_in_progress(user_id: int) -> int:
    """The user's imports and exports that a job has still to finish."""
    imports = await ImportBatch.count().where(
        (ImportBatch.uploaded_by == user_id) & ImportBatch.state.is_in(sorted(IMPORTS_IN_PROGRESS))
    )
    exports = await ExportFile.count().where(
        (ExportFile.requested_by == user_id) & ExportFile.state.is_in(sorted(EXPORTS_IN_PROGRESS))
    )
    return int(imports) + int(exports)


async def check_heavy_work(actor: Actor) -> None:
    """Refuse one more heavy job if the actor has `settings.limits.heavy_jobs_per_user` in progress.

    Call it inside the write transaction that then promises the job, so that two requests at once
    cannot both pass: on SQLite that transaction holds the write lock already; on PostgreSQL the
    user's row is locked until it ends.
    """
    if isinstance(engine(), PostgresEngine):
        await User.select(User.id).where(User.id == actor.user_id).lock_rows()
    count = await heavy_work_in_progress(actor.user_id)
    if count >= settings.limits.heavy_jobs_per_user:
        raise TooMuchHeavyWork(count=count)
