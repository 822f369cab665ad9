"""Spreadsheet imports as users see and drive them: batches, their row reports, upload, confirmation, cancel.

And what the jobs' work (`checking`, `applying`) shares with it: `move_batch`, which writes every
move of a batch by the rules table (`rules.RULES`) as one conditional UPDATE; the uploader as an
actor; the registered enterprises that cleaned rows match.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asyncpg.exceptions import PostgresConnectionError, TransactionRollbackError
from piccolo.columns import Column

from accounts.policy import Actor, Role
from accounts.tables import User
from core.db import write_transaction
from core.errors import Conflict, Invalid, NotFound
from core.jobs import JobKind, dispatch, promise_job
from core.pagination import Page, PageRequest
from enterprises.access import may_reach_import
from enterprises.access_filter import import_filter
from enterprises.heavy_work import check_heavy_work
from enterprises.imports.kinds import ENTERPRISES, RowKind
from enterprises.imports.matching import find_matches as find_matches  # where the jobs' work has long found it
from enterprises.imports.progress import applied_so_far
from enterprises.imports.reading import check_upload
from enterprises.imports.rules import (
    CANNOT_CANCEL,
    IN_PROGRESS,
    NOT_WAITING,
    RULES,
    BatchFacts,
    ImportState,
    OnMatch,
    Outcome,
    Transition,
    check_transition,
)
from enterprises.imports.tables import ImportBatch, ImportRow

CHECK_JOB = "enterprises.imports.jobs.check_import"
APPLY_JOB = "enterprises.imports.jobs.apply_import"
# Heavy jobs, with time for 50,000 rows on a slow disk; reading a file is bounded far below this.
CHECK_TIMEOUT = 600
APPLY_TIMEOUT = 900
# Rows cleaned, matched and stored per transaction of the dry run; the progress bar moves this much.
CHUNK_ROWS = 500
# The dry run's verdicts whose rows the import writes (a warning row is created or matched, with what was assumed).
IMPORTABLE = (Outcome.CREATE, Outcome.MATCH, Outcome.WARNING)


# --- reading batches --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportStatus:
    """A batch as its pages and the API show it (never its content)."""

    id: int
    filename: str
    state: ImportState
    on_match: OnMatch
    uploaded_by: int
    uploader_name: str
    district: str
    total_rows: int
    processed_rows: int
    percent: int
    counts: dict[str, int]
    applied: dict[str, int] | None
    error: str
    error_params: dict[str, Any]
    warnings: list[tuple[str, dict[str, str]]]
    columns: dict[str, dict[str, str]]
    created_at: datetime
    finished_at: datetime | None

    @property
    def in_progress(self) -> bool:
        return self.state in IN_PROGRESS

    @property
    def importable(self) -> int:
        return sum(self.counts.get(outcome, 0) for outcome in IMPORTABLE)

    @property
    def has_rows_to_fix(self) -> bool:
        """Whether the dry run found rows with errors or warnings: what the failed rows' download holds."""
        return bool(self.counts.get(Outcome.ERROR, 0) + self.counts.get(Outcome.WARNING, 0))

    @property
    def facts(self) -> BatchFacts:
        return BatchFacts(state=self.state, uploaded_by=self.uploaded_by, importable=self.importable)

    @property
    def results(self) -> dict[str, int] | None:
        """What the import did, by result (`RESULTS`), once it is done; None before."""
        if self.state is not ImportState.APPLIED or self.applied is None:
            return None
        return {
            "created": int(self.applied.get("created", 0)),
            "updated": int(self.applied.get("updated", 0)),
            "unchanged": int(self.applied.get("unchanged", 0)),
            "left": int(self.applied.get("skipped", 0)),
            "with_warnings": self.counts.get(Outcome.WARNING, 0),
            "skipped": self.counts.get(Outcome.SKIPPED, 0),
            "not_imported": self.counts.get(Outcome.ERROR, 0),
        }


_BATCH_COLUMNS = (
    ImportBatch.id,
    ImportBatch.filename,
    ImportBatch.state,
    ImportBatch.on_match,
    ImportBatch.uploaded_by,
    ImportBatch.uploaded_by.display_name.as_alias("uploader_name"),
    ImportBatch.district,
    ImportBatch.total_rows,
    ImportBatch.processed_rows,
    ImportBatch.error,
    ImportBatch.summary,
    ImportBatch.created_at,
    ImportBatch.finished_at,
)


def _percent(row: dict[str, Any], summary: dict[str, Any]) -> int:
    state = ImportState(row["state"])
    if state in (ImportState.CHECKED, ImportState.APPLIED):
        return 100
    if state is ImportState.APPLYING:
        counts = summary.get("counts", {})
        total = sum(int(counts.get(outcome, 0)) for outcome in IMPORTABLE)
        return min(99, applied_so_far(row["id"]) * 100 // total) if total else 0
    if state is ImportState.CHECKING and row["total_rows"]:
        return min(99, int(row["processed_rows"]) * 100 // int(row["total_rows"]))
    return 0


def _status(row: dict[str, Any]) -> ImportStatus:
    summary: dict[str, Any] = row["summary"] if isinstance(row["summary"], dict) else {}
    return ImportStatus(
        id=row["id"],
        filename=row["filename"],
        state=ImportState(row["state"]),
        on_match=OnMatch(row["on_match"]) if row["on_match"] in OnMatch.__members__.values() else OnMatch.SKIP,
        uploaded_by=row["uploaded_by"],
        uploader_name=row["uploader_name"] or "",
        district=row["district"],
        total_rows=row["total_rows"],
        processed_rows=row["processed_rows"],
        percent=_percent(row, summary),
        counts={outcome.value: int(summary.get("counts", {}).get(outcome, 0)) for outcome in Outcome},
        applied=summary.get("applied"),
        error=row["error"],
        error_params=summary.get("error_params", {}),
        warnings=[(message, params) for message, params in summary.get("warnings", [])],
        columns=summary.get("columns", {}),
        created_at=row["created_at"],
        finished_at=row["finished_at"],
    )


async def list_imports(actor: Actor, request: PageRequest, kind: str = ENTERPRISES) -> Page[ImportStatus]:
    """The batches of a kind (enterprises unless named) the actor may see, newest first."""
    condition = import_filter(actor)
    query = ImportBatch.select(*_BATCH_COLUMNS).order_by(ImportBatch.id, ascending=False).output(load_json=True)
    query = query.where(ImportBatch.kind == kind)
    count = ImportBatch.count().where(ImportBatch.kind == kind)
    if condition is not None:
        query, count = query.where(condition), count.where(condition)
    rows = await query.limit(request.per_page).offset(request.offset)
    return Page(items=[_status(row) for row in rows], request=request, total=await count)


async def get_import(actor: Actor, batch_id: int, kind: str = ENTERPRISES) -> ImportStatus:
    """One batch of the kind the actor may see; `NotFound` for any other (nothing is leaked)."""
    row = await (
        ImportBatch.select(*_BATCH_COLUMNS)
        .where((ImportBatch.id == batch_id) & (ImportBatch.kind == kind))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise NotFound()
    if not may_reach_import(actor, row):
        raise NotFound()
    return _status(row)


@dataclass(frozen=True)
class RowError:
    field: str
    header: str
    letter: str
    message: str
    params: dict[str, Any]


# What the import did with a row, once it is done (a row's `result`; the report's words for each are the pages').
RESULTS = ("created", "updated", "unchanged", "left", "skipped", "not_imported")


def row_result(status: ImportStatus, outcome: Outcome, mark: str) -> str | None:
    """What the import did with a row: `mark` is what `applying` wrote on it; None until the import is done.

    Kinds that mark no row (the expert pool) did with it what the uploader chose for matches.
    """
    if status.state is not ImportState.APPLIED:
        return None
    if outcome is Outcome.ERROR:
        return "not_imported"
    if outcome is Outcome.SKIPPED:
        return "skipped"
    if mark in RESULTS:
        return mark
    if outcome is Outcome.MATCH:
        return "updated" if status.on_match is OnMatch.UPDATE else "left"
    return "created"


@dataclass(frozen=True)
class RowReport:
    row_number: int
    outcome: Outcome
    enterprise_id: int | None
    name: str
    town: str
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    result: str | None = None  # `RESULTS`, once the import is done
    needs_filed: int = 0  # the cases the row's needs became (need_filing.py)


def stored_warnings(data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """A row's warnings as the dry run stored them: (field, message id, params), from dicts or lists."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for item in data.get("warnings") or []:
        if isinstance(item, dict):
            found.append((str(item.get("field", "")), str(item.get("message", "")), dict(item.get("params") or {})))
        elif isinstance(item, list | tuple) and len(item) >= 2:
            params = item[2] if len(item) > 2 and isinstance(item[2], dict) else {}
            found.append((str(item[0]), str(item[1]), dict(params)))
    return found


def _row_error(status: ImportStatus, name: str, message: str, params: dict[str, Any]) -> RowError:
    column = status.columns.get(name, {})
    return RowError(
        field=name, header=column.get("header", ""), letter=column.get("letter", ""), message=message, params=params
    )


async def import_rows(
    actor: Actor, batch_id: int, outcome: Outcome | None, request: PageRequest, kind: str = ENTERPRISES
) -> tuple[ImportStatus, Page[RowReport]]:
    """The dry run's verdict on each row of a batch, in the file's order."""
    status = await get_import(actor, batch_id, kind)
    condition: Any = ImportRow.batch == batch_id
    if outcome is not None:
        condition &= ImportRow.outcome == outcome
    rows = (
        await ImportRow.select(
            ImportRow.row_number, ImportRow.outcome, ImportRow.enterprise, ImportRow.data, ImportRow.errors
        )
        .where(condition)
        .order_by(ImportRow.row_number)
        .limit(request.per_page)
        .offset(request.offset)
        .output(load_json=True)
    )
    total = await ImportRow.count().where(condition)
    reports = []
    for row in rows:
        data = row["data"] or {}
        params = data.get("params", {})
        errors = [_row_error(status, name, message, params) for name, message in (row["errors"] or {}).items()]
        warnings = [
            _row_error(status, name, message, {**params, **own}) for name, message, own in stored_warnings(data)
        ]
        outcome_of_row = Outcome(row["outcome"])
        reports.append(
            RowReport(
                row_number=row["row_number"],
                outcome=outcome_of_row,
                enterprise_id=row["enterprise"],
                name=data.get("name", ""),
                town=data.get("town", ""),
                errors=errors,
                warnings=warnings,
                result=row_result(status, outcome_of_row, str(data.get("applied", ""))),
                needs_filed=int(data.get("needs_filed") or 0),
            )
        )
    return status, Page(items=reports, request=request, total=total)


# --- what users do ----------------------------------------------------------------------------------------------


def _safe_filename(filename: str) -> str:
    """The file's own name (no folders, no control characters), at most 200 characters with its extension."""
    name = unicodedata.normalize("NFKC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    stem, dot, extension = name.rpartition(".")
    if dot and len(name) > 200:
        return stem[: 199 - len(extension)] + "." + extension
    return name[:200]


async def upload_import(actor: Actor, filename: str, content: bytes, kind: RowKind | None = None) -> int:
    """Store an uploaded spreadsheet (of enterprises, or of `kind`) and promise its dry run; returns the batch id."""
    name = _safe_filename(filename)
    if problem := check_upload(name, len(content)):
        raise Invalid({"file": problem})
    async with write_transaction():
        await check_heavy_work(actor)
        rows = await ImportBatch.insert(
            ImportBatch(
                uploaded_by=actor.user_id,
                district=actor.district or "",
                filename=name,
                content=content,
                state=ImportState.UPLOADED,
                kind=kind.name if kind else ENTERPRISES,
            )
        ).returning(ImportBatch.id)
        batch_id: int = rows[0]["id"]
        job_id = f"import-check-{batch_id}"
        job = kind.check_job if kind else CHECK_JOB
        await promise_job(job, [batch_id], job_id, kind=JobKind.HEAVY, timeout_seconds=CHECK_TIMEOUT)
    await dispatch([job_id])
    return batch_id


async def confirm_import(actor: Actor, batch_id: int, on_match: OnMatch, kind: RowKind | None = None) -> None:
    """The uploader's go-ahead after the dry run: promise the import."""
    status = await get_import(actor, batch_id, kind.name if kind else ENTERPRISES)
    check_transition(Transition.CONFIRM, status.facts, actor.user_id)
    job_id = f"import-apply-{batch_id}"
    async with write_transaction():
        if not await move_batch(
            batch_id, Transition.CONFIRM, {ImportBatch.on_match: on_match, ImportBatch.processed_rows: 0}
        ):
            raise Conflict(NOT_WAITING)  # confirmed or cancelled since it was read
        job = kind.apply_job if kind else APPLY_JOB
        await promise_job(job, [batch_id], job_id, kind=JobKind.HEAVY, timeout_seconds=APPLY_TIMEOUT)
    await dispatch([job_id])


async def cancel_import(actor: Actor, batch_id: int, kind: str = ENTERPRISES) -> None:
    """Drop a batch before its import: the file and the dry run's rows are deleted."""
    status = await get_import(actor, batch_id, kind)
    check_transition(Transition.CANCEL, status.facts, actor.user_id)
    async with write_transaction():
        if not await move_batch(
            batch_id, Transition.CANCEL, {ImportBatch.content: b"", ImportBatch.finished_at: datetime.now(UTC)}
        ):
            raise Conflict(CANNOT_CANCEL)  # moved on since it was read
        await ImportRow.delete().where(ImportRow.batch == batch_id)


# --- what the jobs' work shares ---------------------------------------------------------------------------------


async def move_batch(batch_id: int, transition: Transition, values: dict[Column | str, Any] | None = None) -> bool:
    """Write `transition` (and `values`) if the batch is in one of its source states; False if it is not.

    `UPDATE … SET state = target WHERE id = ? AND state IN (sources) RETURNING id`: no row back
    means someone else moved the batch first, so that a job run twice does its work once.
    """
    rule = RULES[transition]
    moved = (
        await ImportBatch.update({ImportBatch.state: rule.target, **(values or {})})
        .where((ImportBatch.id == batch_id) & ImportBatch.state.is_in(sorted(rule.sources)))
        .returning(ImportBatch.id)
    )
    return bool(moved)


def is_transient(exc: BaseException) -> bool:
    """A failure that a later try may not meet: a locked SQLite file, a lost PostgreSQL connection, a deadlock."""
    return isinstance(
        exc, sqlite3.OperationalError | OSError | PostgresConnectionError | TransactionRollbackError | TimeoutError
    )


async def uploader(user_id: int) -> Actor:
    """The uploader as an actor: the jobs check and import with his reach."""
    row = await User.select(User.role, User.district).where(User.id == user_id).first()
    if row is None:
        raise NotFound()
    return Actor(user_id=user_id, role=Role(row["role"]), district=row["district"] or None)
