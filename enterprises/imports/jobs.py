"""Background jobs of spreadsheet imports (run by `rq worker`; synchronous, given a batch id only)."""

from __future__ import annotations

from piccolo.utils.sync import run_sync

from core.jobs import may_retry
from enterprises.imports.applying import apply_batch
from enterprises.imports.checking import check_batch


def check_import(batch_id: int) -> None:
    """The dry run of an uploaded spreadsheet; running it again leaves the same rows."""
    run_sync(check_batch(batch_id, may_retry=may_retry()))


def apply_import(batch_id: int) -> None:
    """The confirmed import, all rows or none; running it again imports nothing twice."""
    run_sync(apply_batch(batch_id, may_retry=may_retry()))
