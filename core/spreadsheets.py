"""Cells of the spreadsheets we write, made so that no text in them can run as a formula.

A value typed by a user ("=HYPERLINK(…)", "+1", "@SUM(A1)") is text; Excel and other spreadsheet
programs would run it as a formula when it begins with `=`, `+`, `-`, `@`, a tab or a carriage
return (OWASP, "CSV Injection"). Every XLSX and CSV writer passes its cells through here:

- XLSX: such text is written with the string type and Excel's quote prefix, so it is shown, and
  stays text when the cell is edited;
- CSV: such text is prefixed with `'`, which the spreadsheet shows as the start of a text cell.

Numbers stay numbers: -5 is a number, not text beginning with "-". Pure: openpyxl only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def may_run_as_formula(value: object) -> bool:
    """Whether `value` is text a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: Any) -> Any:
    """A CSV cell's value: text that could run as a formula prefixed with `'`, anything else as it is."""
    return "'" + value if may_run_as_formula(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row, each cell through `csv_text`."""
    return [csv_text(value) for value in values]


def write_text_cell(cell: Cell | WriteOnlyCell, value: Any) -> None:
    """Put `value` into an XLSX cell; text that could run as a formula is kept as text."""
    cell.value = value
    if may_run_as_formula(value):
        # openpyxl types "=…" as a formula; the string type shows it instead, and the quote
        # prefix keeps it text if someone edits the cell in Excel.
        cell.data_type = "s"
        cell.quotePrefix = True


def xlsx_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append`: text that could run as a formula in a cell typed as text, the rest as it is."""
    row: list[Any] = []
    for value in values:
        if may_run_as_formula(value):
            cell: Cell | WriteOnlyCell = WriteOnlyCell(sheet) if isinstance(sheet, WriteOnlyWorksheet) else Cell(sheet)
            write_text_cell(cell, value)
            row.append(cell)
        else:
            row.append(value)
    return row
