"""The rows a broker has to fix: kept as the file had them, and given back as a workbook in the file's own layout.

The upload is dropped as soon as the dry run has read it (it holds ID numbers and phones in clear).
So that the broker can fix the failed and warned rows in the layout he knows and import them again,
the end of the dry run (`finish_check`) keeps the file's header row on the batch and each such row's
own cells on the row, encrypted (`data.cells_cipher`, which `fuchi rotate-key` re-encrypts with the
rest). The download (`failed_rows_workbook`) writes them back, with a last column saying what to fix.

`finish_check` also ends a batch with nothing to import: it fails with a message, its row report kept,
instead of waiting for a confirmation that would be refused.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import column_index_from_string
from piccolo.engine.postgres import PostgresEngine

from accounts.policy import Actor
from core import crypto
from core.db import engine, write_transaction
from core.errors import Conflict
from core.i18n import gettext
from core.spreadsheets import write_text_cell
from enterprises.imports.kinds import ENTERPRISES
from enterprises.imports.reading import Sheet
from enterprises.imports.rules import Outcome, Transition
from enterprises.imports.service import CHUNK_ROWS, IMPORTABLE, get_import, move_batch, stored_warnings
from enterprises.imports.tables import ImportBatch, ImportRow
from enterprises.presentation import field_label

# Rows given back to fix: refused, or imported with an assumption the broker should check.
TO_FIX = (Outcome.ERROR, Outcome.WARNING)
NOTHING_IMPORTABLE = (
    "No row of this file can be imported: every row has errors or is not data. "
    "Download the rows to fix, correct them and upload that file again."
)
WHAT_TO_FIX = "What to fix"
FIX_WITH_VALUE = "{column}: {problem} (given: {value})"
FIX_WITHOUT_VALUE = "{column}: {problem}"
FIX_ROW = "Row {row} of the uploaded file."
SHEET_TITLE = "Rows to fix"
FILENAME = "{stem}-rows-to-fix.xlsx"
CELLS_KEY = "cells_cipher"  # on a row: its original cells, encrypted
CELLS_PURGED = "cells_purged"  # on a batch's summary: those cells were deleted (enterprises.imports.purging)
ROWS_TO_FIX_GONE = (
    "The rows to fix of this import were deleted a while after it finished (they held personal data). "
    "Upload your file again to check it."
)


# --- at the end of the dry run ------------------------------------------------------------------------------------


async def finish_check(batch_id: int, summary: dict[str, Any], sheet: Sheet) -> None:
    """End the dry run: keep the layout and the rows to fix, then checked, or failed when nothing can be imported.

    `summary` is the batch's, with its `counts` by outcome. Idempotent like the rest of the dry run:
    the move is conditional, and a re-run rewrites the same cells.
    """
    summary = {**summary, "layout": {"headers": list(sheet.headers), "header_row": sheet.header_row}}
    await _keep_cells(batch_id, sheet)
    counts = summary.get("counts", {})
    if any(int(counts.get(outcome, 0)) for outcome in IMPORTABLE):
        await move_batch(batch_id, Transition.FINISH_CHECK, {ImportBatch.summary: summary, ImportBatch.content: b""})
        return
    # The rows stay: the report says what is wrong with each, and the download gives them back to fix.
    await move_batch(
        batch_id,
        Transition.FAIL_CHECK,
        {
            ImportBatch.summary: summary,
            ImportBatch.error: NOTHING_IMPORTABLE,
            ImportBatch.content: b"",
            ImportBatch.finished_at: datetime.now(UTC),
        },
    )


async def _keep_cells(batch_id: int, sheet: Sheet) -> None:
    """Store each error or warning row's own cells on its row, encrypted: one UPDATE per 500 rows."""
    cells_of = dict(sheet.rows)
    rows = await ImportRow.select(ImportRow.id, ImportRow.row_number).where(
        (ImportRow.batch == batch_id) & ImportRow.outcome.is_in(list(TO_FIX))
    )
    sealed = [
        (row["id"], crypto.encrypt(json.dumps(cells_of[row["row_number"]], ensure_ascii=False)))
        for row in rows
        if row["row_number"] in cells_of
    ]
    table = ImportRow._meta.tablename
    for start in range(0, len(sealed), CHUNK_ROWS):
        chunk = sealed[start : start + CHUNK_ROWS]
        cases = " ".join("WHEN {} THEN CAST({} AS TEXT)" for _ in chunk)
        if isinstance(engine(), PostgresEngine):
            value = f"(data::jsonb || jsonb_build_object('cells_cipher', CASE id {cases} END))::json"
        else:
            value = f"json_set(data, '$.cells_cipher', CASE id {cases} END)"
        placeholders = ", ".join("{}" for _ in chunk)
        args = [item for pair in chunk for item in pair] + [row_id for row_id, _ in chunk]
        async with write_transaction():
            await ImportRow.raw(f"UPDATE {table} SET data = {value} WHERE id IN ({placeholders})", *args)


# --- the download -------------------------------------------------------------------------------------------------


def what_to_fix(
    locale: str,
    row_number: int,
    problems: Sequence[tuple[str, str, Mapping[str, Any]]],
    columns: Mapping[str, Mapping[str, str]],
    cells: Sequence[str],
) -> str:
    """The last column's text: each problem (field, message id, params) with its column and the value given."""
    lines = []
    for name, message, params in problems:
        column = columns.get(name, {})
        letter = column.get("letter", "")
        header = column.get("header") or gettext(locale, field_label(name))
        index = column_index_from_string(letter) - 1 if letter else -1
        value = cells[index] if 0 <= index < len(cells) else ""
        text = gettext(locale, message, **params)
        if value:
            lines.append(gettext(locale, FIX_WITH_VALUE, column=header, problem=text, value=value))
        else:
            lines.append(gettext(locale, FIX_WITHOUT_VALUE, column=header, problem=text))
    lines.append(gettext(locale, FIX_ROW, row=row_number))
    return "\n".join(lines)


async def failed_rows_workbook(actor: Actor, batch_id: int, locale: str, kind: str = ENTERPRISES) -> tuple[str, bytes]:
    """The batch's failed and warned rows as an XLSX in the uploaded file's layout, with a last column saying
    what to fix; its file name too. `NotFound` for a batch the actor may not see."""
    status = await get_import(actor, batch_id, kind)
    batch = (
        await ImportBatch.select(ImportBatch.summary).where(ImportBatch.id == batch_id).output(load_json=True).first()
    )
    summary = batch["summary"] if batch and isinstance(batch["summary"], dict) else {}
    if summary.get(CELLS_PURGED):
        raise Conflict(ROWS_TO_FIX_GONE)
    headers = [str(header) for header in (summary.get("layout") or {}).get("headers") or []]
    rows = (
        await ImportRow.select(ImportRow.row_number, ImportRow.outcome, ImportRow.data, ImportRow.errors)
        .where((ImportRow.batch == batch_id) & ImportRow.outcome.is_in(list(TO_FIX)))
        .order_by(ImportRow.row_number)
        .output(load_json=True)
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext(locale, SHEET_TITLE)[:31])
    written: list[tuple[list[str], str]] = []
    for row in rows:
        data = row["data"] or {}
        cipher = str(data.get(CELLS_KEY) or "")
        cells: list[str] = [str(cell) for cell in json.loads(crypto.decrypt(cipher))] if cipher else []
        params = data.get("params", {})
        problems: list[tuple[str, str, Mapping[str, Any]]] = [
            (name, message, params) for name, message in (row["errors"] or {}).items()
        ]
        problems += [(name, message, {**params, **own}) for name, message, own in stored_warnings(data)]
        written.append((cells, what_to_fix(locale, row["row_number"], problems, status.columns, cells)))
    width = max([len(headers), *(len(cells) for cells, _ in written)])
    header_row = [*headers, *([""] * (width - len(headers))), gettext(locale, WHAT_TO_FIX)]
    sheet.append(_text_cells(sheet, header_row, bold_last=True))
    for cells, fix in written:
        sheet.append(_text_cells(sheet, [*cells, *([""] * (width - len(cells))), fix]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    stem = status.filename.rsplit(".", 1)[0] or "import"
    return gettext(locale, FILENAME, stem=stem), buffer.getvalue()


def _text_cells(sheet: Any, values: Sequence[str], bold_last: bool = False) -> list[Any]:
    """Cells of text, formula-safe (`core.spreadsheets`): the file's identifiers stay as written."""
    cells = []
    for position, value in enumerate(values):
        cell = WriteOnlyCell(sheet)
        write_text_cell(cell, value if value != "" else None)
        if position == len(values) - 1:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if bold_last:
                cell.font = Font(bold=True)
        cells.append(cell)
    return cells
