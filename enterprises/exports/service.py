"""Exports as users see and drive them: start one, list theirs, read one, download its file.

And what the job's work (`building`) shares with it: `move_export`, which writes every move of an
export by the rules table (`rules.RULES`) as one conditional UPDATE, and where the files live.

An export is its requester's alone: the file holds what he reached when it was built, so nobody
else (not his district officer, who may ask for his own) sees its page or downloads it.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from piccolo.columns import Column

from accounts.policy import Actor
from core.audit import AuditKind, record_event
from core.config import settings
from core.db import write_transaction
from core.errors import NotFound
from core.i18n import gettext
from core.jobs import JobKind, dispatch, promise_job
from core.pagination import Page, PageRequest
from enterprises import exporting
from enterprises.exports.rules import (
    BUILD_TIMEOUT,
    IN_PROGRESS,
    RULES,
    ExportFormat,
    ExportState,
    Rule,
    Transition,
    percent,
)
from enterprises.exports.tables import ExportFile
from enterprises.heavy_work import check_heavy_work
from enterprises.listing import EXPORT_LIMIT, EnterpriseFilter, count_enterprises, export_enterprises

BUILD_JOB = "enterprises.exports.jobs.build_export"
BUILD_FAILED = "The file could not be built because of a fault on our side. Export the list again later."
BUILD_ABANDONED = "The file was not built in time. Export the list again."
FILE_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")


def exports_dir() -> Path:
    """Where export files are written: under the var folder, outside the web root (static/)."""
    return settings.var_dir / "exports"


def file_path(file_name: str) -> Path:
    """The file of an export; only names the service made (random hex) are ever opened."""
    if not FILE_NAME.match(file_name):
        raise NotFound()
    return exports_dir() / file_name


# --- starting an export -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileToSend:
    content: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class ExportStarted:
    """A small export's file, answered at once; or the id of the long export a job will build."""

    file: FileToSend | None = None
    export_id: int | None = None


@dataclass(frozen=True)
class _Translator:
    """Messages in one locale, which it names: the writer reads district and industry names in it too."""

    locale: str

    def __call__(self, message: str) -> str:
        return gettext(self.locale, message)


def translator(locale: str) -> exporting.Translate:
    return _Translator(locale)


async def start_export(
    actor: Actor, filters: EnterpriseFilter, file_format: ExportFormat, locale: str
) -> ExportStarted:
    """The list as a file: at once when it is short, else promised to a background job.

    Counted first: up to `settings.limits.export_inline_rows` rows the file is built in this
    request, its CPU work in a thread so that the event loop keeps answering others; more
    becomes an `ExportFile` built by a heavy job (`request_export`).
    """
    if await count_enterprises(actor, filters) > settings.limits.export_inline_rows:
        return ExportStarted(export_id=await _record_export(actor, filters, file_format, locale))
    rows = await export_enterprises(actor, filters)
    content = await asyncio.to_thread(exporting.to_file, file_format, rows, translator(locale))
    await _audit_export(actor, "enterprises", filters, file_format, rows=len(rows))
    return ExportStarted(
        file=FileToSend(content, exporting.MEDIA_TYPES[file_format], f"enterprises.{file_format.value}")
    )


async def request_export(actor: Actor, filters: EnterpriseFilter, file_format: ExportFormat, locale: str) -> int:
    """Promise the build of an export, whatever its size; returns its id. `TooMuchHeavyWork` past the cap."""
    await count_enterprises(actor, filters)  # checks the filters (Invalid) before anything is written
    return await _record_export(actor, filters, file_format, locale)


async def _audit_export(
    actor: Actor, target: str, filters: EnterpriseFilter, file_format: ExportFormat, rows: int | None = None
) -> None:
    """An export in the audit trail: the names of its filters only, for their values may be a phone or a name."""
    used = sorted(name for name, value in asdict(filters).items() if value)
    detail: dict[str, Any] = {"format": file_format.value, "filters": used}
    if rows is not None:
        detail["rows"] = rows
    await record_event(AuditKind.EXPORT, actor_id=actor.user_id, target=target, detail=detail)


async def _record_export(actor: Actor, filters: EnterpriseFilter, file_format: ExportFormat, locale: str) -> int:
    # Before the cap is counted, and outside its transaction (a refusal rolls back, files once deleted stay so).
    await sweep_exports(datetime.now(UTC), requested_by=actor.user_id)
    async with write_transaction():
        await check_heavy_work(actor)
        rows = await ExportFile.insert(
            ExportFile(
                requested_by=actor.user_id,
                district=actor.district or "",
                filters={name: value for name, value in asdict(filters).items() if value},
                file_format=file_format,
                locale=locale,
                state=ExportState.REQUESTED,
                file_name=f"{secrets.token_hex(16)}.{file_format.value}",
            )
        ).returning(ExportFile.id)
        export_id: int = rows[0]["id"]
        await _audit_export(actor, f"export:{export_id}", filters, file_format)
        job_id = f"export-build-{export_id}"
        await promise_job(
            BUILD_JOB, [export_id], job_id, kind=JobKind.HEAVY, timeout_seconds=int(BUILD_TIMEOUT.total_seconds())
        )
    await dispatch([job_id])
    return export_id


# --- reading exports --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportStatus:
    """An export as its pages show it (never its file's name on disk)."""

    id: int
    file_format: ExportFormat
    state: ExportState
    rows_total: int
    rows_written: int
    percent: int
    error: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def in_progress(self) -> bool:
        return self.state in IN_PROGRESS

    @property
    def rows_to_write(self) -> int:
        return min(self.rows_total, EXPORT_LIMIT)

    @property
    def cut_short(self) -> bool:
        """More enterprises matched than one file holds: the file has the first EXPORT_LIMIT."""
        return self.rows_total > EXPORT_LIMIT


_COLUMNS = (
    ExportFile.id,
    ExportFile.file_format,
    ExportFile.state,
    ExportFile.rows_total,
    ExportFile.rows_written,
    ExportFile.error,
    ExportFile.created_at,
    ExportFile.finished_at,
)


def _status(row: dict[str, Any]) -> ExportStatus:
    state = ExportState(row["state"])
    rows_total, rows_written = int(row["rows_total"]), int(row["rows_written"])
    return ExportStatus(
        id=row["id"],
        file_format=ExportFormat(row["file_format"]),
        state=state,
        rows_total=rows_total,
        rows_written=rows_written,
        percent=percent(state, rows_written, min(rows_total, EXPORT_LIMIT)),
        error=row["error"],
        created_at=row["created_at"],
        finished_at=row["finished_at"],
    )


def _mine(actor: Actor) -> Any:
    return ExportFile.requested_by == actor.user_id


async def list_exports(actor: Actor, request: PageRequest) -> Page[ExportStatus]:
    """The actor's own exports, newest first."""
    rows = (
        await ExportFile.select(*_COLUMNS)
        .where(_mine(actor))
        .order_by(ExportFile.id, ascending=False)
        .limit(request.per_page)
        .offset(request.offset)
    )
    total = await ExportFile.count().where(_mine(actor))
    return Page(items=[_status(row) for row in rows], request=request, total=total)


async def get_export(actor: Actor, export_id: int) -> ExportStatus:
    """One of the actor's exports; `NotFound` for anyone else's (nothing is leaked)."""
    row = await ExportFile.select(*_COLUMNS).where((ExportFile.id == export_id) & _mine(actor)).first()
    if row is None:
        raise NotFound()
    return _status(row)


@dataclass(frozen=True)
class Download:
    path: Path
    media_type: str
    filename: str


async def export_download(actor: Actor, export_id: int) -> Download:
    """The file of one of the actor's ready exports; `NotFound` for anyone else's, or before it is ready."""
    row = (
        await ExportFile.select(ExportFile.file_format, ExportFile.file_name)
        .where((ExportFile.id == export_id) & _mine(actor) & (ExportFile.state == ExportState.READY))
        .first()
    )
    if row is None:
        raise NotFound()
    path = file_path(row["file_name"])
    if not path.is_file():
        raise NotFound()  # deleted from the disk by hand: the page offers to export again
    file_format = ExportFormat(row["file_format"])
    await record_event(
        AuditKind.EXPORT, actor_id=actor.user_id, target=f"export:{export_id}", detail={"downloaded": True}
    )
    return Download(path, exporting.MEDIA_TYPES[file_format], f"enterprises-{export_id}.{file_format.value}")


# --- what the job's work shares ---------------------------------------------------------------------------------


def _rule_condition(rule: Rule, now: datetime) -> Any:
    """Where an export must be for `rule` to move it: in one of its sources, and past its wait if it has one."""
    condition: Any = ExportFile.state.is_in(sorted(rule.sources))
    if rule.since is not None:
        since = getattr(ExportFile, rule.since.value)
        condition &= since < now - rule.wait
    return condition


async def move_export(
    export_id: int, transition: Transition, now: datetime, values: Mapping[Column | str, Any] | None = None
) -> bool:
    """Write `transition` (and `values`) if the export is where the rule starts (and has waited); False if not.

    `UPDATE … SET state = target WHERE id = ? AND state IN (sources) [AND since < now - wait] RETURNING id`:
    no row back means someone else moved the export first, so that a job run twice builds once.
    """
    rule = RULES[transition]
    moved = (
        await ExportFile.update({ExportFile.state: rule.target, **(values or {})})
        .where((ExportFile.id == export_id) & _rule_condition(rule, now))
        .returning(ExportFile.id)
    )
    return bool(moved)


async def sweep_exports(now: datetime, requested_by: int | None = None) -> int:
    """Expire the files kept past `rules.KEEP_FOR` and fail the builds abandoned past `rules.ABANDONED_AFTER`.

    For the periodic schedule (every user), and for a new request (its requester's own only: his
    abandoned builds must not count against his cap). Returns how many exports moved.
    """
    moved = 0
    for transition in (Transition.EXPIRE, Transition.ABANDON):
        condition = _rule_condition(RULES[transition], now)
        if requested_by is not None:
            condition &= ExportFile.requested_by == requested_by
        for row in await ExportFile.select(ExportFile.id, ExportFile.file_name).where(condition):
            values: dict[Column | str, Any] = (
                {ExportFile.error: BUILD_ABANDONED, ExportFile.finished_at: now}
                if transition is Transition.ABANDON
                else {}
            )
            if await move_export(row["id"], transition, now, values):
                path = file_path(row["file_name"])
                path.unlink(missing_ok=True)
                path.with_name(path.name + ".part").unlink(missing_ok=True)
                moved += 1
    return moved
