"""The dry run of an uploaded spreadsheet: every row read, checked and matched, and its verdict stored.

Run by the job `enterprises.imports.jobs.check_import`, given the batch id only. The verdict on
every row is stored in `ImportRow`: the cleaned row, the founder's ID number encrypted, so that
the uploaded file (which holds ID numbers in clear) is deleted as soon as the dry run is done, and
the import applies exactly what the user was shown.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rq.timeouts import JobTimeoutException

from core import crypto
from core.config import settings
from core.db import write_transaction
from core.districts import BY_CODE
from core.errors import Invalid
from enterprises import records
from enterprises.access import may_reach_enterprise, registration_districts
from enterprises.imports.columns import map_columns
from enterprises.imports.failed_rows import finish_check
from enterprises.imports.kinds import CheckedSheet, RowKind
from enterprises.imports.need_columns import sheet_needs
from enterprises.imports.reading import FILE_NO_ROWS, ImportFileError, ReadLimits, Sheet, read_rows
from enterprises.imports.row_kinds import SKIPPED_BECAUSE, KindOfRow, row_kind
from enterprises.imports.rows import DUPLICATE_IN_FILE, SeenRows, draft_data, is_example, row_form
from enterprises.imports.rules import Outcome, Transition
from enterprises.imports.service import CHECK_TIMEOUT, CHUNK_ROWS, find_matches, is_transient, move_batch, uploader
from enterprises.imports.tables import ImportBatch, ImportRow
from enterprises.intake import NOT_YOUR_DISTRICT, EnterpriseDraft, clean_enterprise

log = logging.getLogger(__name__)

# A broker's sheet often holds rows of neighbouring districts: the row says whose they are.
OTHER_DISTRICT = "Belongs to {district}: to be imported by that district's broker or by a city officer."
REGISTERED_BY_OTHERS = "This enterprise is already registered by someone else; ask your district officer to update it."
CHECK_FAILED = "The file could not be checked because of a fault on our side. Upload it again later."
CHECK_TOO_SLOW = "Checking the file took longer than {minutes} minutes; split it into smaller files."
FILE_GONE = "The file of this import is no longer kept. Upload it again."


def read_limits() -> ReadLimits:
    """The configured bounds on reading one file (`FUCHI_IMPORT_MAX_ROWS` and the rest)."""
    limits = settings.limits
    return ReadLimits(
        max_rows=limits.import_max_rows,
        max_columns=limits.import_max_columns,
        max_empty_run=limits.import_max_empty_run,
        max_seconds=limits.import_max_seconds,
        max_unpacked_bytes=limits.import_max_unpacked_bytes,
    )


async def _fail(batch_id: int, message: str, params: dict[str, Any]) -> None:
    """Mark a batch failed with the message its page shows; the file and the dry run's rows are deleted."""
    async with write_transaction():
        await move_batch(
            batch_id,
            Transition.FAIL_CHECK,
            {
                ImportBatch.error: message,
                ImportBatch.summary: {"error_params": {k: str(v) for k, v in params.items()}},
                ImportBatch.content: b"",
                ImportBatch.finished_at: datetime.now(UTC),
            },
        )
        await ImportRow.delete().where(ImportRow.batch == batch_id)


@dataclass
class _Verdict:
    row_number: int
    form: dict[str, str]
    errors: dict[str, str]
    draft: EnterpriseDraft | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def warnings(self) -> list[dict[str, Any]]:
        """What the intake rules assumed, as the report and the failed rows' download read it."""
        found = self.draft.warnings if self.draft is not None else ()
        return [{"field": w.field, "message": w.message, "params": dict(w.params)} for w in found]


def _verdicts(
    chunk: Sequence[tuple[int, dict[str, str], dict[str, str]]],
    allowed: frozenset[str] | None,
    seen: SeenRows,
) -> list[_Verdict]:
    today = records.today()
    verdicts = []
    for row_number, form, cell_errors in chunk:
        verdict = _Verdict(row_number, form, dict(cell_errors))
        verdicts.append(verdict)
        # A repeat is told by the row as written, whether or not the first copy is valid.
        if duplicate := seen.duplicate_of(form):
            column, first_row = duplicate
            verdict.errors = {column: DUPLICATE_IN_FILE}
            verdict.params = {"row": first_row}
            continue
        seen.add(form, row_number)
        draft: EnterpriseDraft | None = None
        try:
            draft = clean_enterprise(form, allowed, today)
        except Invalid as invalid:
            verdict.errors = {**invalid.errors, **cell_errors}
            if verdict.errors.get("district") == NOT_YOUR_DISTRICT and form.get("district") in BY_CODE:
                verdict.errors["district"] = OTHER_DISTRICT
                verdict.params = {"district": BY_CODE[form["district"]].name_zh}
        # A cell error stands even when the intake rules pass the row (they read a mangled ID number as empty).
        if draft is not None and not verdict.errors:
            verdict.draft = draft
    return verdicts


def _row(batch_id: int, verdict: _Verdict, outcome: Outcome, enterprise_id: int | None) -> ImportRow:
    data: dict[str, Any] = {"name": verdict.form.get("name", "")[:200], "town": verdict.form.get("town", "")[:100]}
    if verdict.draft is not None and outcome is not Outcome.ERROR:
        data["draft"] = draft_data(verdict.draft, crypto.encrypt)
        if needs := sheet_needs(verdict.form):  # the row's needs, filed as cases on import (need_filing.py)
            data["needs"] = needs
    if verdict.params:
        data["params"] = verdict.params
    if outcome is Outcome.WARNING:
        data["warnings"] = verdict.warnings
    return ImportRow(
        batch=batch_id,
        row_number=verdict.row_number,
        outcome=outcome,
        enterprise=enterprise_id,
        data=data,
        errors=verdict.errors,
    )


def _blank_rows(sheet: Sheet) -> list[int]:
    """The empty rows inside the table (reading drops them): from under the header to the last row holding something."""
    held = {number for number, _ in sheet.rows}
    last = max(held, default=sheet.header_row)
    return [number for number in range(sheet.header_row + 1, last) if number not in held]


def _skipped_row(batch_id: int, row_number: int, kind: KindOfRow) -> ImportRow:
    """A row that is not data, reported with why it was skipped (a note on the whole row, field "row")."""
    reason = {"field": "row", "message": SKIPPED_BECAUSE[kind], "params": {}}
    return ImportRow(
        batch=batch_id,
        row_number=row_number,
        outcome=Outcome.SKIPPED,
        enterprise=None,
        data={"name": "", "town": "", "skipped": kind.value, "warnings": [reason]},
        errors={},
    )


async def check_batch(batch_id: int, may_retry: bool = False, kind: RowKind | None = None) -> None:
    """The dry run: read the file, check and match every row, store the verdicts; idempotent.

    A batch already checked (or cancelled) is left alone; one whose check was cut short is checked
    again from the start. `may_retry`: a transient failure is raised for RQ to retry, not recorded.
    `kind`: rows of another kind than enterprises (`kinds.RowKind`), checked by it.
    """
    if not await move_batch(batch_id, Transition.CHECK):
        return
    try:
        await _check(batch_id, kind)
    except ImportFileError as error:  # the file passes a limit, or cannot be read: the user is told which
        await _fail(batch_id, error.message, error.params)
    except JobTimeoutException:
        # RQ cut the job short at its timeout; a retry would meet the same end, so the user is told why now.
        log.error("import batch %s: dry run stopped at the job's timeout", batch_id)
        await _fail(batch_id, CHECK_TOO_SLOW, {"minutes": CHECK_TIMEOUT // 60})
        raise
    except Exception as exc:
        log.error("import batch %s: dry run failed (%s)", batch_id, type(exc).__name__)
        if not (may_retry and is_transient(exc)):
            await _fail(batch_id, CHECK_FAILED, {})
        raise


async def _check(batch_id: int, kind: RowKind | None = None) -> None:
    batch = (
        await ImportBatch.select(ImportBatch.filename, ImportBatch.content, ImportBatch.uploaded_by)
        .where(ImportBatch.id == batch_id)
        .first()
    )
    assert batch is not None  # claimed above
    actor = await uploader(batch["uploaded_by"])
    default_district = actor.district or ""
    content = bytes(batch["content"] or b"")
    if not content:
        raise ImportFileError(FILE_GONE)  # a batch whose file is gone (its check ended meanwhile): nothing to read
    # The file holds ID numbers and phones in clear: it goes in the write that ends the check (finish_check,
    # _fail), not before, so that a check cut short by a killed worker is run again from the file, not lost.
    if kind is not None:
        sheet = read_rows(batch["filename"], content, read_limits(), known_header=kind.is_header)
        await _check_kind(batch_id, await kind.check_rows(sheet, actor), sheet)
        return
    sheet = read_rows(batch["filename"], content, read_limits())
    columns = map_columns(sheet.headers, default_district)
    prepared: list[tuple[int, dict[str, str], dict[str, str]]] = []
    skipped = [_skipped_row(batch_id, number, KindOfRow.BLANK) for number in _blank_rows(sheet)]
    for row_number, cells in sheet.rows:
        if (kind_of_row := row_kind(cells, sheet.headers)) is not KindOfRow.DATA:
            skipped.append(_skipped_row(batch_id, row_number, kind_of_row))
            continue
        form, cell_errors = row_form(columns, cells, default_district)
        if not is_example(form):
            prepared.append((row_number, form, cell_errors))
    if not prepared:
        raise ImportFileError(FILE_NO_ROWS)

    summary: dict[str, Any] = {
        "columns": {name: {"header": c.header, "letter": c.letter} for name, c in columns.columns.items()},
        # Where reading stopped comes first: it says which rows the report is about.
        "warnings": [[message, params] for message, params in sheet.notices]
        + [[w.message, w.params] for w in columns.warnings],
        "header_row": sheet.header_row,
    }
    async with write_transaction():
        await ImportRow.delete().where(ImportRow.batch == batch_id)  # a check cut short left some
        await ImportBatch.update(
            {
                ImportBatch.total_rows: len(prepared) + len(skipped),
                ImportBatch.processed_rows: len(skipped),
                ImportBatch.summary: summary,
                ImportBatch.error: "",
            }
        ).where(ImportBatch.id == batch_id)
        if skipped:
            await ImportRow.insert(*skipped)

    allowed = registration_districts(actor)
    seen = SeenRows()
    counts: Counter[str] = Counter({Outcome.SKIPPED: len(skipped)})
    for start in range(0, len(prepared), CHUNK_ROWS):
        chunk = prepared[start : start + CHUNK_ROWS]
        verdicts = _verdicts(chunk, allowed, seen)
        valid = [v for v in verdicts if v.draft is not None]
        async with write_transaction():
            matches = dict(
                zip(
                    (id(v) for v in valid),
                    await find_matches([v.draft for v in valid if v.draft is not None]),
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
                if outcome is not Outcome.ERROR and verdict.warnings:
                    outcome = Outcome.WARNING  # imported as created or matched (`enterprise_id` says which)
                counts[outcome] += 1
                rows.append(_row(batch_id, verdict, outcome, enterprise_id))
            await ImportRow.insert(*rows)
            await ImportBatch.update({ImportBatch.processed_rows: len(skipped) + start + len(chunk)}).where(
                ImportBatch.id == batch_id
            )

    summary["counts"] = {outcome.value: counts[outcome] for outcome in Outcome}
    # The rows now hold all the import needs (ID numbers encrypted): the file, with them in clear, goes.
    # Checked, or failed when no row can be imported; the rows to fix kept in the file's layout (failed_rows.py).
    await finish_check(batch_id, summary, sheet)


async def _check_kind(batch_id: int, checked: CheckedSheet, sheet: Sheet) -> None:
    """Store another kind's verdicts as the enterprises' are stored: in chunks, the progress bar moving."""
    if not checked.rows:
        raise ImportFileError(FILE_NO_ROWS)
    summary: dict[str, Any] = {
        "columns": checked.columns,
        "warnings": [[message, params] for message, params in sheet.notices]
        + [[message, params] for message, params in checked.warnings],
        "header_row": sheet.header_row,
    }
    async with write_transaction():
        await ImportRow.delete().where(ImportRow.batch == batch_id)  # a check cut short left some
        await ImportBatch.update(
            {
                ImportBatch.total_rows: len(checked.rows),
                ImportBatch.processed_rows: 0,
                ImportBatch.summary: summary,
                ImportBatch.error: "",
            }
        ).where(ImportBatch.id == batch_id)
    counts: Counter[str] = Counter(row.outcome.value for row in checked.rows)
    for start in range(0, len(checked.rows), CHUNK_ROWS):
        chunk = checked.rows[start : start + CHUNK_ROWS]
        async with write_transaction():
            await ImportRow.insert(
                *(
                    ImportRow(
                        batch=batch_id, row_number=row.row_number, outcome=row.outcome, data=row.data, errors=row.errors
                    )
                    for row in chunk
                )
            )
            await ImportBatch.update({ImportBatch.processed_rows: start + len(chunk)}).where(ImportBatch.id == batch_id)
    summary["counts"] = {outcome.value: counts[outcome.value] for outcome in Outcome}
    # Checked, or failed when no row can be imported; the rows to fix kept in the file's layout (failed_rows.py).
    await finish_check(batch_id, summary, sheet)
