"""Background jobs of long exports (run by `rq worker`; synchronous, given an export id only)."""

from __future__ import annotations

from datetime import UTC, datetime

from piccolo.utils.sync import run_sync
from rq import get_current_job

from enterprises.exports.building import build_export as build
from enterprises.exports.service import sweep_exports as sweep


def _may_retry() -> bool:
    """Whether RQ will run this job again if it fails now (so a passing fault need not fail the export)."""
    job = get_current_job()
    return job is not None and bool(job.retries_left)


def build_export(export_id: int) -> None:
    """Write an export's file; running it again builds nothing twice."""
    run_sync(build(export_id, may_retry=_may_retry()))


def sweep_exports() -> None:
    """Delete the files kept past their time and fail the builds abandoned (for the periodic schedule)."""
    run_sync(sweep(datetime.now(UTC)))
