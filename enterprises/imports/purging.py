"""Imports never confirmed: after `import_draft_days` their checked rows (personal data) are purged;
finished imports keep the rows to fix (their original cells, personal data) as long, then lose them.

Run by the scheduler (`operations.schedule`). Each batch is expired by the rules table's
conditional move, so a purge racing the uploader's confirmation (or another purge) acts once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.config import settings
from core.db import write_transaction
from enterprises.imports.applying import scrub_row_data
from enterprises.imports.failed_rows import CELLS_KEY, CELLS_PURGED
from enterprises.imports.rules import ImportState, Transition
from enterprises.imports.service import move_batch
from enterprises.imports.tables import ImportBatch, ImportRow

EXPIRED = "This import was not confirmed in time and its rows were deleted. Upload the file again to import it."


async def purge_unconfirmed_imports(now: datetime) -> int:
    """Expire batches uploaded more than `import_draft_days` ago and never confirmed; returns how many."""
    cutoff = now - timedelta(days=settings.limits.import_draft_days)
    stale = await ImportBatch.select(ImportBatch.id).where(
        ImportBatch.state.is_in([ImportState.UPLOADED, ImportState.CHECKED]) & (ImportBatch.created_at < cutoff)
    )
    purged = 0
    for row in stale:
        async with write_transaction():
            expired = await move_batch(
                row["id"],
                Transition.EXPIRE,
                {ImportBatch.error: EXPIRED, ImportBatch.content: b"", ImportBatch.finished_at: now},
            )
            if expired:
                await ImportRow.delete().where(ImportRow.batch == row["id"])
                purged += 1
    return purged


FINISHED = (ImportState.APPLIED, ImportState.FAILED, ImportState.CANCELLED)


async def purge_rows_to_fix(now: datetime) -> int:
    """Drop the original cells kept for the rows-to-fix download of imports finished more than
    `import_draft_days` ago (the report stays); returns how many batches lost them."""
    cutoff = now - timedelta(days=settings.limits.import_draft_days)
    old = (
        await ImportBatch.select(ImportBatch.id, ImportBatch.summary)
        .where(ImportBatch.state.is_in(list(FINISHED)) & (ImportBatch.finished_at < cutoff))
        .output(load_json=True)
    )
    purged = 0
    for row in old:
        summary = row["summary"] if isinstance(row["summary"], dict) else {}
        if summary.get(CELLS_PURGED):
            continue
        async with write_transaction():
            await scrub_row_data(row["id"], CELLS_KEY)
            await ImportBatch.update({ImportBatch.summary: {**summary, CELLS_PURGED: True}}).where(
                ImportBatch.id == row["id"]
            )
        purged += 1
    return purged
