"""Background jobs of long exports (run by `rq worker`; synchronous, given an export id only)."""

from __future__ import annotations

from datetime import UTC, datetime

from piccolo.utils.sync import run_sync

from core.jobs import may_retry
from enterprises.exports.building import build_export as build
from enterprises.exports.service import sweep_exports as sweep


def build_export(export_id: int) -> None:
    """Write an export's file; running it again builds nothing twice."""
    run_sync(build(export_id, may_retry=may_retry()))


def sweep_exports() -> None:
    """Delete the files kept past their time and fail the builds abandoned (for the periodic schedule)."""
    run_sync(sweep(datetime.now(UTC)))
