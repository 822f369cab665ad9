"""The build of a long export: claimed once, the list read in chunks as its requester, the file written.

Run by the job `enterprises.exports.jobs.build_export`, given the export id only. The file is
written under a temporary name and renamed once complete, so that a build cut short never leaves
half a file to download.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import UTC, datetime
from typing import Any

from piccolo.columns import Column

from accounts.policy import Actor, Role
from accounts.tables import User
from enterprises import exporting
from enterprises.exports.rules import ExportFormat, Transition
from enterprises.exports.service import BUILD_FAILED, file_path, move_export, translator
from enterprises.exports.tables import ExportFile
from enterprises.imports.service import is_transient
from enterprises.listing import EnterpriseFilter, count_enterprises, enterprise_chunks

log = logging.getLogger(__name__)

# Rows read, written and counted per step; the progress bar moves this much.
CHUNK_ROWS = 1_000
REQUESTER_INACTIVE = "The account that asked for this export is no longer active."


async def _requester(user_id: int) -> Actor | None:
    """The requester as an actor with his reach as it is now; None once his account is deactivated."""
    row = await User.select(User.role, User.district, User.is_active).where(User.id == user_id).first()
    if row is None or not row["is_active"]:
        return None
    return Actor(user_id=user_id, role=Role(row["role"]), district=row["district"] or None)


async def _fail(export_id: int, message: str) -> None:
    now = datetime.now(UTC)
    await move_export(export_id, Transition.FAIL, now, {ExportFile.error: message, ExportFile.finished_at: now})


async def _claim(export_id: int) -> bool:
    """Take the export for this run: a requested one, or one whose last run stopped making progress."""
    now = datetime.now(UTC)
    started: dict[Column | str, Any] = {
        ExportFile.started_at: now,
        ExportFile.progressed_at: now,
        ExportFile.rows_written: 0,
    }
    return await move_export(export_id, Transition.BUILD, now, started) or await move_export(
        export_id, Transition.RECLAIM, now, started
    )


async def build_export(export_id: int, may_retry: bool = False) -> None:
    """Build the export's file; idempotent: an export built, failed or being built by another run is left alone.

    `may_retry`: a transient failure hands the export back and is raised for RQ to retry, not recorded.
    """
    if not await _claim(export_id):
        return
    try:
        await _build(export_id)
    except Exception as exc:
        log.error("export %s: build failed (%s)", export_id, type(exc).__name__)
        if may_retry and is_transient(exc):
            # If even this fails, the next run takes the export once STALLED_AFTER has passed.
            with contextlib.suppress(Exception):
                await move_export(export_id, Transition.RELEASE, datetime.now(UTC))
        else:
            await _fail(export_id, BUILD_FAILED)
        raise


async def _build(export_id: int) -> None:
    row = (
        await ExportFile.select(
            ExportFile.requested_by, ExportFile.filters, ExportFile.file_format, ExportFile.locale, ExportFile.file_name
        )
        .where(ExportFile.id == export_id)
        .output(load_json=True)
        .first()
    )
    assert row is not None  # claimed above
    actor = await _requester(row["requested_by"])
    if actor is None:
        await _fail(export_id, REQUESTER_INACTIVE)
        return
    filters: dict[str, Any] = row["filters"] if isinstance(row["filters"], dict) else {}
    found = EnterpriseFilter.from_values(filters)
    total = await count_enterprises(actor, found)
    await ExportFile.update({ExportFile.rows_total: total}).where(ExportFile.id == export_id)

    path = file_path(row["file_name"])
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    written = 0
    with part.open("wb") as stream:
        writer = exporting.table_writer(ExportFormat(row["file_format"]), stream, translator(row["locale"]))
        async for chunk in enterprise_chunks(actor, found, CHUNK_ROWS):
            writer.write(chunk)
            written += len(chunk)
            progress: dict[Column | str, Any] = {
                ExportFile.rows_written: written,
                ExportFile.progressed_at: datetime.now(UTC),
            }
            await ExportFile.update(progress).where(ExportFile.id == export_id)
        writer.close()
    part.replace(path)

    now = datetime.now(UTC)
    # The phone fragment searched for was needed to build the file, and is kept no longer.
    kept = {name: value for name, value in filters.items() if name != "phone"}
    finished: dict[Column | str, Any] = {
        ExportFile.rows_written: written,
        ExportFile.finished_at: now,
        ExportFile.filters: kept,
    }
    if not await move_export(export_id, Transition.FINISH, now, finished):
        path.unlink(missing_ok=True)  # failed meanwhile (abandoned by the sweep): nobody may download it
