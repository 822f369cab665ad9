"""Importing enterprises from a spreadsheet: upload, dry run, confirmation, import.

The dry run (`check_batch`) and the import (`apply_batch`) run as background jobs
(`enterprises.import_jobs`), given the batch id only. The dry run stores its verdict on every row in
`ImportRow`: the cleaned row, the founder's ID number encrypted, so that the uploaded file (which
holds ID numbers in clear) is deleted as soon as the dry run is done, and the import applies exactly
what the user was shown. The import runs in one transaction: all of it, or none of it.
"""

from __future__ import annotations

import logging
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from asyncpg.exceptions import PostgresConnectionError, TransactionRollbackError
from piccolo.engine.postgres import PostgresEngine
from redis import Redis
from redis.exceptions import RedisError

from accounts.policy import Actor, Role
from accounts.tables import User
from core import crypto
from core.db import engine, write_transaction
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from core.jobs import dispatch, promise_job, redis_connection
from core.pagination import Page, PageRequest
from enterprises import importing, services
from enterprises.access import may_reach_enterprise, may_reach_import, registration_districts
from enterprises.access_filter import import_filter
from enterprises.classification import ImportState
from enterprises.intake import EnterpriseDraft, clean_enterprise
from enterprises.tables import Enterprise, ImportBatch, ImportRow

log = logging.getLogger(__name__)

CHECK_JOB = "enterprises.import_jobs.check_import"
APPLY_JOB = "enterprises.import_jobs.apply_import"
# Rows cleaned, matched and stored per transaction of the dry run; the progress bar moves this much.
CHUNK_ROWS = 500
APPLY_PROGRESS_EVERY = 100
PROGRESS_TTL_SECONDS = 24 * 3600

ONLY_UPLOADER = "Only the person who uploaded the file can confirm or cancel its import."
NOT_WAITING = "This import is not waiting for confirmation."
CANNOT_CANCEL = "This import can no longer be cancelled."
NOTHING_TO_IMPORT = "No row of this file can be imported. Correct the file and upload it again."
REGISTERED_BY_OTHERS = "This enterprise is already registered by someone else; ask your district officer to update it."
CHECK_FAILED = "The file could not be checked because of a fault on our side. Upload it again later."
APPLY_FAILED = "The import failed and nothing was imported. Try again later by uploading the file again."

IN_PROGRESS = frozenset({ImportState.UPLOADED, ImportState.CHECKING, ImportState.APPLYING})


class Outcome(StrEnum):
    """The dry run's verdict on a row."""

    CREATE = "create"
    MATCH = "match"
    ERROR = "error"


class OnMatch(StrEnum):
    """What the import does with a row that matches an enterprise already registered."""

    UPDATE = "update"
    SKIP = "skip"


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
        return self.counts.get(Outcome.CREATE, 0) + self.counts.get(Outcome.MATCH, 0)


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


def _progress_key(batch_id: int) -> str:
    return f"fuchi:import:{batch_id}:applied"


class _ApplyProgress:
    """How far the import is, told to the progress bar through Redis: the import's transaction hides its own writes.

    One connection for the whole import, and a write at most every `APPLY_PROGRESS_EVERY` rows.
    """

    def __init__(self, batch_id: int) -> None:
        self.key = _progress_key(batch_id)
        self.batch_id = batch_id
        self.reported = -APPLY_PROGRESS_EVERY
        self.connection: Redis | None = None

    def __call__(self, done: int, final: bool = False) -> None:
        if not final and done - self.reported < APPLY_PROGRESS_EVERY:
            return
        self.reported = done
        try:
            self.connection = self.connection or redis_connection()
            self.connection.set(self.key, done, ex=PROGRESS_TTL_SECONDS)
        except RedisError as exc:
            log.warning("import batch %s: progress not shown, no Redis (%s)", self.batch_id, type(exc).__name__)


def _applied_so_far(batch_id: int) -> int:
    try:
        value = redis_connection().get(_progress_key(batch_id))
    except RedisError:
        return 0  # the bar stands still while Redis is down; the import itself does not need it
    return int(value) if value else 0


def _percent(row: dict[str, Any], summary: dict[str, Any]) -> int:
    state = ImportState(row["state"])
    if state in (ImportState.CHECKED, ImportState.APPLIED):
        return 100
    if state is ImportState.APPLYING:
        counts = summary.get("counts", {})
        total = int(counts.get(Outcome.CREATE, 0)) + int(counts.get(Outcome.MATCH, 0))
        return min(99, _applied_so_far(row["id"]) * 100 // total) if total else 0
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


async def list_imports(actor: Actor, request: PageRequest) -> Page[ImportStatus]:
    """The batches the actor may see, newest first."""
    condition = import_filter(actor)
    query = ImportBatch.select(*_BATCH_COLUMNS).order_by(ImportBatch.id, ascending=False).output(load_json=True)
    count = ImportBatch.count()
    if condition is not None:
        query, count = query.where(condition), count.where(condition)
    rows = await query.limit(request.per_page).offset(request.offset)
    return Page(items=[_status(row) for row in rows], request=request, total=await count)


async def get_import(actor: Actor, batch_id: int) -> ImportStatus:
    """One batch the actor may see; `NotFound` for any other (nothing is leaked)."""
    row = await ImportBatch.select(*_BATCH_COLUMNS).where(ImportBatch.id == batch_id).output(load_json=True).first()
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


@dataclass(frozen=True)
class RowReport:
    row_number: int
    outcome: Outcome
    enterprise_id: int | None
    name: str
    town: str
    errors: list[RowError] = field(default_factory=list)


async def import_rows(
    actor: Actor, batch_id: int, outcome: Outcome | None, request: PageRequest
) -> tuple[ImportStatus, Page[RowReport]]:
    """The dry run's verdict on each row of a batch, in the file's order."""
    status = await get_import(actor, batch_id)
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
        errors = [
            RowError(
                field=name,
                header=status.columns.get(name, {}).get("header", ""),
                letter=status.columns.get(name, {}).get("letter", ""),
                message=message,
                params=params,
            )
            for name, message in (row["errors"] or {}).items()
        ]
        reports.append(
            RowReport(
                row_number=row["row_number"],
                outcome=Outcome(row["outcome"]),
                enterprise_id=row["enterprise"],
                name=data.get("name", ""),
                town=data.get("town", ""),
                errors=errors,
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


async def upload_import(actor: Actor, filename: str, content: bytes) -> int:
    """Store an uploaded spreadsheet and promise its dry run; returns the batch id."""
    name = _safe_filename(filename)
    if problem := importing.check_upload(name, len(content)):
        raise Invalid({"file": problem})
    async with write_transaction():
        rows = await ImportBatch.insert(
            ImportBatch(
                uploaded_by=actor.user_id,
                district=actor.district or "",
                filename=name,
                content=content,
                state=ImportState.UPLOADED,
            )
        ).returning(ImportBatch.id)
        batch_id: int = rows[0]["id"]
        job_id = f"import-check-{batch_id}"
        await promise_job(CHECK_JOB, [batch_id], job_id)
    await dispatch([job_id])
    return batch_id


async def _own_batch(actor: Actor, batch_id: int) -> ImportStatus:
    status = await get_import(actor, batch_id)
    if status.uploaded_by != actor.user_id:
        raise NotAllowed(ONLY_UPLOADER)
    return status


async def confirm_import(actor: Actor, batch_id: int, on_match: OnMatch) -> None:
    """The uploader's go-ahead after the dry run: promise the import."""
    status = await _own_batch(actor, batch_id)
    if status.state is ImportState.CHECKED and not status.importable:
        raise Conflict(NOTHING_TO_IMPORT)
    job_id = f"import-apply-{batch_id}"
    async with write_transaction():
        claimed = (
            await ImportBatch.update(
                {ImportBatch.state: ImportState.APPLYING, ImportBatch.on_match: on_match, ImportBatch.processed_rows: 0}
            )
            .where((ImportBatch.id == batch_id) & (ImportBatch.state == ImportState.CHECKED))
            .returning(ImportBatch.id)
        )
        if not claimed:
            raise Conflict(NOT_WAITING)
        await promise_job(APPLY_JOB, [batch_id], job_id)
    await dispatch([job_id])


async def cancel_import(actor: Actor, batch_id: int) -> None:
    """Drop a batch before its import: the file and the dry run's rows are deleted."""
    await _own_batch(actor, batch_id)
    async with write_transaction():
        cancelled = (
            await ImportBatch.update(
                {
                    ImportBatch.state: ImportState.CANCELLED,
                    ImportBatch.content: b"",
                    ImportBatch.finished_at: datetime.now(UTC),
                }
            )
            .where((ImportBatch.id == batch_id) & ImportBatch.state.is_in([ImportState.UPLOADED, ImportState.CHECKED]))
            .returning(ImportBatch.id)
        )
        if not cancelled:
            raise Conflict(CANNOT_CANCEL)
        await ImportRow.delete().where(ImportRow.batch == batch_id)


# --- the jobs' work ---------------------------------------------------------------------------------------------


def _is_transient(exc: BaseException) -> bool:
    """A failure that a later try may not meet: a locked SQLite file, a lost PostgreSQL connection, a deadlock."""
    return isinstance(
        exc, sqlite3.OperationalError | OSError | PostgresConnectionError | TransactionRollbackError | TimeoutError
    )


async def _uploader(user_id: int) -> Actor:
    row = await User.select(User.role, User.district).where(User.id == user_id).first()
    if row is None:
        raise NotFound()
    return Actor(user_id=user_id, role=Role(row["role"]), district=row["district"] or None)


async def _fail(batch_id: int, from_state: ImportState, message: str, params: dict[str, Any]) -> None:
    """Mark a batch failed with the message its page shows; the file and the dry run's rows are deleted."""
    async with write_transaction():
        await ImportBatch.update(
            {
                ImportBatch.state: ImportState.FAILED,
                ImportBatch.error: message,
                ImportBatch.summary: {"error_params": {k: str(v) for k, v in params.items()}},
                ImportBatch.content: b"",
                ImportBatch.finished_at: datetime.now(UTC),
            }
        ).where((ImportBatch.id == batch_id) & (ImportBatch.state == from_state))
        await ImportRow.delete().where(ImportRow.batch == batch_id)


async def _find_matches(drafts: Sequence[EnterpriseDraft]) -> list[dict[str, Any] | None]:
    """For each draft, the enterprise already registered that it is (same credit code, else same name in the town).

    Two queries for the lot, whatever its size: the dry run and the import call this per chunk.
    """
    if not drafts:
        return []
    columns = (Enterprise.id, Enterprise.name, Enterprise.credit_code, Enterprise.district, Enterprise.town)
    by_code: dict[str, dict[str, Any]] = {}
    if codes := sorted({d.credit_code for d in drafts if d.credit_code}):
        for row in (
            await Enterprise.select(*columns, Enterprise.registered_by)
            .where(Enterprise.credit_code.is_in(codes) & Enterprise.merged_into.is_null())
            .order_by(Enterprise.id)
        ):
            by_code.setdefault(row["credit_code"], row)
    by_place: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in (
        await Enterprise.select(*columns, Enterprise.registered_by)
        .where(
            Enterprise.name.is_in(sorted({d.name for d in drafts}))
            & Enterprise.district.is_in(sorted({d.district for d in drafts}))
            & Enterprise.merged_into.is_null()
        )
        .order_by(Enterprise.id)
    ):
        by_place.setdefault((row["district"], row["town"], row["name"]), row)
    return [
        (by_code.get(d.credit_code) if d.credit_code else None) or by_place.get((d.district, d.town, d.name))
        for d in drafts
    ]


@dataclass
class _Verdict:
    row_number: int
    form: dict[str, str]
    errors: dict[str, str]
    draft: EnterpriseDraft | None = None
    params: dict[str, Any] = field(default_factory=dict)


def _verdicts(
    chunk: Sequence[tuple[int, dict[str, str], dict[str, str]]],
    allowed: frozenset[str] | None,
    seen: importing.SeenRows,
) -> list[_Verdict]:
    today = services.today()
    verdicts = []
    for row_number, form, cell_errors in chunk:
        verdict = _Verdict(row_number, form, dict(cell_errors))
        draft: EnterpriseDraft | None = None
        try:
            draft = clean_enterprise(form, allowed, today)
        except Invalid as invalid:
            verdict.errors = {**invalid.errors, **cell_errors}
        # A cell error stands even when the intake rules pass the row (they read a mangled ID number as empty).
        if draft is not None and not verdict.errors:
            if duplicate := seen.duplicate_of(draft):
                column, first_row = duplicate
                verdict.errors = {column: importing.DUPLICATE_IN_FILE}
                verdict.params = {"row": first_row}
            else:
                seen.add(draft, row_number)
                verdict.draft = draft
        verdicts.append(verdict)
    return verdicts


def _row(batch_id: int, verdict: _Verdict, outcome: Outcome, enterprise_id: int | None) -> ImportRow:
    data: dict[str, Any] = {"name": verdict.form.get("name", "")[:200], "town": verdict.form.get("town", "")[:100]}
    if verdict.draft is not None and outcome is not Outcome.ERROR:
        data["draft"] = importing.draft_data(verdict.draft, crypto.encrypt)
    if verdict.params:
        data["params"] = verdict.params
    return ImportRow(
        batch=batch_id,
        row_number=verdict.row_number,
        outcome=outcome,
        enterprise=enterprise_id,
        data=data,
        errors=verdict.errors,
    )


async def check_batch(batch_id: int, may_retry: bool = False) -> None:
    """The dry run: read the file, check and match every row, store the verdicts; idempotent.

    A batch already checked (or cancelled) is left alone; one whose check was cut short is checked
    again from the start. `may_retry`: a transient failure is raised for RQ to retry, not recorded.
    """
    claimed = (
        await ImportBatch.update({ImportBatch.state: ImportState.CHECKING})
        .where((ImportBatch.id == batch_id) & ImportBatch.state.is_in([ImportState.UPLOADED, ImportState.CHECKING]))
        .returning(ImportBatch.id)
    )
    if not claimed:
        return
    try:
        await _check(batch_id)
    except importing.ImportFileError as error:
        await _fail(batch_id, ImportState.CHECKING, error.message, error.params)
    except Exception as exc:
        log.error("import batch %s: dry run failed (%s)", batch_id, type(exc).__name__)
        if not (may_retry and _is_transient(exc)):
            await _fail(batch_id, ImportState.CHECKING, CHECK_FAILED, {})
        raise


async def _check(batch_id: int) -> None:
    batch = (
        await ImportBatch.select(ImportBatch.filename, ImportBatch.content, ImportBatch.uploaded_by)
        .where(ImportBatch.id == batch_id)
        .first()
    )
    assert batch is not None  # claimed above
    actor = await _uploader(batch["uploaded_by"])
    default_district = actor.district or ""
    sheet = importing.read_rows(batch["filename"], bytes(batch["content"] or b""))
    columns = importing.map_columns(sheet.headers, default_district)
    prepared: list[tuple[int, dict[str, str], dict[str, str]]] = []
    for row_number, cells in sheet.rows:
        form, cell_errors = importing.row_form(columns, cells, default_district)
        if not importing.is_example(form):
            prepared.append((row_number, form, cell_errors))
    if not prepared:
        raise importing.ImportFileError(importing.FILE_NO_ROWS)

    summary: dict[str, Any] = {
        "columns": {name: {"header": c.header, "letter": c.letter} for name, c in columns.columns.items()},
        "warnings": [[w.message, w.params] for w in columns.warnings],
        "header_row": sheet.header_row,
    }
    async with write_transaction():
        await ImportRow.delete().where(ImportRow.batch == batch_id)  # a check cut short left some
        await ImportBatch.update(
            {
                ImportBatch.total_rows: len(prepared),
                ImportBatch.processed_rows: 0,
                ImportBatch.summary: summary,
                ImportBatch.error: "",
            }
        ).where(ImportBatch.id == batch_id)

    allowed = registration_districts(actor)
    seen = importing.SeenRows()
    counts: Counter[str] = Counter()
    for start in range(0, len(prepared), CHUNK_ROWS):
        chunk = prepared[start : start + CHUNK_ROWS]
        verdicts = _verdicts(chunk, allowed, seen)
        valid = [v for v in verdicts if v.draft is not None]
        async with write_transaction():
            matches = dict(
                zip(
                    (id(v) for v in valid),
                    await _find_matches([v.draft for v in valid if v.draft is not None]),
                    strict=True,
                )
            )
            rows = []
            for verdict in verdicts:
                match = matches.get(id(verdict))
                if verdict.draft is None:
                    outcome, enterprise_id = Outcome.ERROR, None
                elif match is None:
                    outcome, enterprise_id = Outcome.CREATE, None
                elif may_reach_enterprise(actor, match):
                    outcome, enterprise_id = Outcome.MATCH, match["id"]
                else:
                    outcome, enterprise_id = Outcome.ERROR, None
                    by_code = bool(verdict.draft.credit_code) and match["credit_code"] == verdict.draft.credit_code
                    verdict.errors = {"credit_code" if by_code else "name": REGISTERED_BY_OTHERS}
                counts[outcome] += 1
                rows.append(_row(batch_id, verdict, outcome, enterprise_id))
            await ImportRow.insert(*rows)
            await ImportBatch.update({ImportBatch.processed_rows: start + len(chunk)}).where(ImportBatch.id == batch_id)

    summary["counts"] = {outcome.value: counts[outcome] for outcome in Outcome}
    # The rows now hold all the import needs (ID numbers encrypted): the file, with them in clear, goes.
    await ImportBatch.update(
        {ImportBatch.state: ImportState.CHECKED, ImportBatch.summary: summary, ImportBatch.content: b""}
    ).where((ImportBatch.id == batch_id) & (ImportBatch.state == ImportState.CHECKING))


async def apply_batch(batch_id: int, may_retry: bool = False) -> None:
    """The import the uploader confirmed, in one transaction: every row or none; idempotent.

    Two runs at once are serialised by the conditional update that opens the transaction (a row
    lock on PostgreSQL, the write lock on SQLite): the second finds the batch applied and stops.
    """
    state = await ImportBatch.select(ImportBatch.state).where(ImportBatch.id == batch_id).first()
    if state is None or state["state"] != ImportState.APPLYING:
        return
    _ApplyProgress(batch_id)(0, final=True)
    try:
        async with write_transaction():
            claimed = (
                await ImportBatch.update({ImportBatch.processed_rows: 0})
                .where((ImportBatch.id == batch_id) & (ImportBatch.state == ImportState.APPLYING))
                .returning(ImportBatch.id)
            )
            if not claimed:
                return
            batch = (
                await ImportBatch.select(ImportBatch.uploaded_by, ImportBatch.on_match, ImportBatch.summary)
                .where(ImportBatch.id == batch_id)
                .output(load_json=True)
                .first()
            )
            assert batch is not None  # claimed above
            applied = await _apply_rows(batch_id, await _uploader(batch["uploaded_by"]), OnMatch(batch["on_match"]))
            await _scrub_drafts(batch_id)
            summary = batch["summary"] if isinstance(batch["summary"], dict) else {}
            await ImportBatch.update(
                {
                    ImportBatch.state: ImportState.APPLIED,
                    ImportBatch.processed_rows: sum(applied.values()),
                    ImportBatch.summary: {**summary, "applied": applied},
                    ImportBatch.content: b"",
                    ImportBatch.finished_at: datetime.now(UTC),
                }
            ).where(ImportBatch.id == batch_id)
    except Exception as exc:
        log.error("import batch %s: import failed and was rolled back (%s)", batch_id, type(exc).__name__)
        if not (may_retry and _is_transient(exc)):
            await _fail_apply(batch_id)
        raise


async def _apply_rows(batch_id: int, actor: Actor, on_match: OnMatch) -> dict[str, int]:
    rows = (
        await ImportRow.select(ImportRow.id, ImportRow.outcome, ImportRow.data)
        .where((ImportRow.batch == batch_id) & ImportRow.outcome.is_in([Outcome.CREATE, Outcome.MATCH]))
        .order_by(ImportRow.row_number)
        .output(load_json=True)
    )
    drafts = [importing.draft_from_data(row["data"]["draft"], crypto.decrypt) for row in rows]
    # Matched again: someone may have registered one of these enterprises since the dry run.
    matches: list[dict[str, Any] | None] = []
    for start in range(0, len(drafts), CHUNK_ROWS):
        matches += await _find_matches(drafts[start : start + CHUNK_ROWS])
    progress = _ApplyProgress(batch_id)
    applied = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    links: list[tuple[int, int]] = []
    to_create: list[tuple[int, EnterpriseDraft]] = []
    to_update: list[tuple[int, int, EnterpriseDraft]] = []
    for row, draft, match in zip(rows, drafts, matches, strict=True):
        if match is None and row["outcome"] == Outcome.CREATE:
            to_create.append((row["id"], draft))
        elif match is not None and on_match is OnMatch.UPDATE and may_reach_enterprise(actor, match):
            to_update.append((row["id"], match["id"], draft))
        else:
            # A match to leave alone; or a matched enterprise merged away since the dry run, which
            # nothing safe can be done with.
            applied["skipped"] += 1
    for start in range(0, len(to_update), CHUNK_ROWS):
        chunk = to_update[start : start + CHUNK_ROWS]
        # A handful of statements per chunk; a row that changes nothing (a list imported again) writes nothing.
        changes = await services.apply_drafts(
            [(enterprise_id, draft) for _, enterprise_id, draft in chunk], actor.user_id, kind="imported"
        )
        for (row_id, enterprise_id, _), changed in zip(chunk, changes, strict=True):
            applied["updated" if changed else "unchanged"] += 1
            links.append((row_id, enterprise_id))
        progress(sum(applied.values()))
    for start in range(0, len(to_create), CHUNK_ROWS):
        chunk_to_create = to_create[start : start + CHUNK_ROWS]
        created = await services.create_enterprises([draft for _, draft in chunk_to_create], actor.user_id, "imported")
        links += zip((row_id for row_id, _ in chunk_to_create), created, strict=True)
        applied["created"] += len(created)
        progress(sum(applied.values()))
    await _link_rows(links)
    return applied


async def _link_rows(links: Sequence[tuple[int, int]]) -> None:
    """Point each imported row at its enterprise: one UPDATE per 500 rows, not one per row."""
    for start in range(0, len(links), CHUNK_ROWS):
        chunk = links[start : start + CHUNK_ROWS]
        cases = " ".join("WHEN {} THEN CAST({} AS INTEGER)" for _ in chunk)
        placeholders = ", ".join("{}" for _ in chunk)
        args = [value for pair in chunk for value in pair] + [row_id for row_id, _ in chunk]
        await ImportRow.raw(
            f"UPDATE {ImportRow._meta.tablename} SET enterprise = CASE id {cases} END WHERE id IN ({placeholders})",
            *args,
        )


async def _scrub_drafts(batch_id: int) -> None:
    """Drop the stored drafts (personal data) of a batch's rows; the row report keeps name, town and verdict."""
    table = ImportRow._meta.tablename
    if isinstance(engine(), PostgresEngine):
        sql = f"UPDATE {table} SET data = (data::jsonb - 'draft')::json WHERE batch = {{}}"
    else:
        sql = f"UPDATE {table} SET data = json_remove(data, '$.draft') WHERE batch = {{}}"
    await ImportRow.raw(sql, batch_id)


async def _fail_apply(batch_id: int) -> None:
    async with write_transaction():
        failed = (
            await ImportBatch.update(
                {
                    ImportBatch.state: ImportState.FAILED,
                    ImportBatch.error: APPLY_FAILED,
                    ImportBatch.content: b"",
                    ImportBatch.finished_at: datetime.now(UTC),
                }
            )
            .where((ImportBatch.id == batch_id) & (ImportBatch.state == ImportState.APPLYING))
            .returning(ImportBatch.id)
        )
        if failed:
            await _scrub_drafts(batch_id)
