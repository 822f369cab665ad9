"""Reading the spreadsheets brokers keep (XLSX or CSV) into rows of text, below the row of headers found in them.

Pure: bytes in, rows of text out; no framework or database, and the clock is passed in. Error
strings are English message ids; `ImportFileError` refuses a whole file.

A file is read by counting what is in it, never by what it declares: a workbook's dimension
(A1:XFD1048576), sizes and row numbers are not trusted (`workbook` streams its XML). Reading stops
at the limits of `ReadLimits` (rows, columns, a run of empty rows, characters in a cell, bytes
unpacked, seconds), and a limit reached is refused with a message naming it.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any
from xml.parsers import expat

from core.errors import DomainError
from enterprises.imports.headers import header_field
from enterprises.imports.workbook import worksheet_rows

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
EXTENSIONS = (".xlsx", ".csv")
HEADER_SEARCH_ROWS = 10
MEGABYTE = 1024 * 1024

FILE_TOO_LARGE = "The file is larger than 10 MB. Split it into smaller files."
FILE_EMPTY = "The file is empty."
FILE_WRONG_TYPE = "Only XLSX and CSV files can be imported. Save the list in Excel as .xlsx or .csv."
FILE_OLD_XLS = "This is an old .xls workbook. Open it in Excel and save it as .xlsx, then upload it again."
FILE_NOT_XLSX = "The file is not a readable XLSX workbook. Open it in Excel, save it as .xlsx and upload it again."
FILE_NOT_TEXT = "The file could not be read as CSV text. Save it as CSV (UTF-8 or GBK) or as XLSX."
FILE_NO_ROWS = "The file has column headers but no rows of enterprises."
FILE_NO_HEADERS = (
    "No column headers we know were found in the first {rows} rows. Use the headers of the template, "
    "such as 企业名称 and 乡镇（街道）; if they are there, save the file as XLSX or as UTF-8 CSV."
)
# The limits: each names its number (formatted 50,000 in every language).
FILE_TOO_MANY_ROWS = "The file has more than {limit} rows. Split it into smaller files."
FILE_TOO_MANY_COLUMNS = "The file has more than {limit} columns. Keep the columns of the template and upload it again."
FILE_TOO_SLOW = "Reading the file took longer than {seconds} seconds; split it into smaller files."
FILE_UNPACKS_TOO_LARGE = "The file unpacks to more than {limit} MB. Split it into smaller files."
FILE_CELL_TOO_LONG = "A cell in row {row} holds more than {limit} characters. Shorten it and upload the file again."
FILE_ONLY_EMPTY_ROWS = (
    "After row {row}, {count} rows in a row are empty: reading stopped there, and no rows of enterprises were found."
)
# Not a refusal: the rows above the empty ones are the table (a notice on the batch's report).
READING_STOPPED = "After row {row}, {count} rows in a row are empty: reading stopped there."


class ImportFileError(DomainError):
    """The whole file is refused: it cannot be read, it lacks required columns, or it passes a limit."""

    message = FILE_NOT_TEXT


@dataclass(frozen=True)
class ReadLimits:
    """How much of one file is read; the job passes the configured ones (`core.config.Limits`)."""

    max_rows: int = 50_000  # rows of enterprises
    max_columns: int = 200
    max_empty_run: int = 1_000  # consecutive empty rows after which reading stops
    max_seconds: int = 60
    max_unpacked_bytes: int = 300 * MEGABYTE  # what a workbook (a zip) may unpack to
    max_cell_chars: int = 32_767  # Excel's own limit for one cell


DEFAULT_LIMITS = ReadLimits()
Rows = Generator[tuple[int, list[str]], None, None]  # (row number as the spreadsheet numbers it, cells)


@dataclass(frozen=True)
class Sheet:
    """The table found in a file: its header row (as the spreadsheet numbers rows) and the rows below it.

    `notices`: (message id, params) the report shows, such as where reading stopped.
    """

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]
    notices: list[tuple[str, dict[str, str]]] = field(default_factory=list)


def check_upload(filename: str, size: int) -> str | None:
    """Why an upload is refused before it is read (a message id), or None."""
    if size == 0:
        return FILE_EMPTY
    if size > MAX_UPLOAD_BYTES:
        return FILE_TOO_LARGE
    if not filename.lower().endswith(EXTENSIONS):
        return FILE_OLD_XLS if filename.lower().endswith(".xls") else FILE_WRONG_TYPE
    return None


def cell_text(value: Any) -> str:
    """A cell as the text a broker sees: dates as 2021-03-15, 13800000000.0 as 13800000000.

    Numbers too long for Excel's 15 significant digits keep the scientific form Excel shows
    (5.00154199001011E+17), so that an ID number stored as a number is reported, not mangled.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time | timedelta):
        return str(value)
    if isinstance(value, int):
        return str(value)  # an integer in the file's XML is exact, however long
    if isinstance(value, float):
        if abs(value) >= 1e15:
            return f"{value:.15G}"
        if value.is_integer():
            return str(int(value))
        return f"{value:.15G}"
    return str(value)


def _number(value: int) -> str:
    """A number in a message: 50,000 in Chinese as in English."""
    return f"{value:,}"


class _Budget:
    """The time one file may take to read; `check` refuses the file once it is spent."""

    def __init__(self, limits: ReadLimits, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.seconds = limits.max_seconds
        self.deadline = clock() + limits.max_seconds

    def check(self) -> None:
        if self.clock() > self.deadline:
            raise ImportFileError(FILE_TOO_SLOW, seconds=_number(self.seconds))


def _sniff_header(
    rows: Iterable[tuple[int, list[str]]], known: Callable[[str], object] = header_field
) -> tuple[int, list[str]]:
    """The first of the leading rows with two or more known headers (a title row may come first)."""
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        if sum(1 for cell in cells if known(cell)) >= 2:
            return number, cells
    raise ImportFileError(FILE_NO_HEADERS, rows=HEADER_SEARCH_ROWS)


def _table(
    numbered: Iterator[tuple[int, list[str]]],
    limits: ReadLimits,
    budget: _Budget,
    known: Callable[[str], object] = header_field,
) -> Sheet:
    header_row, cells = _sniff_header(numbered, known)
    headers = cells[: max((i + 1 for i, cell in enumerate(cells) if cell), default=0)]
    if len(headers) > limits.max_columns:
        raise ImportFileError(FILE_TOO_MANY_COLUMNS, limit=_number(limits.max_columns))
    # Cells right of the last column we recognise are never kept: a stray cell at XFD costs nothing.
    width = max(i + 1 for i, header in enumerate(headers) if known(header))
    rows: list[tuple[int, list[str]]] = []
    notices: list[tuple[str, dict[str, str]]] = []
    last = header_row  # the last row that held something, as the spreadsheet numbers it
    for number, row in numbered:
        budget.check()
        cells = row[:width]
        filled = any(cells)
        # Rows a workbook leaves out (row 3, then row 1,048,576) are empty rows as much as written ones.
        empty_run = number - last - (1 if filled else 0)
        if empty_run >= limits.max_empty_run:
            params = {"row": str(last), "count": _number(limits.max_empty_run)}
            if not rows:
                raise ImportFileError(FILE_ONLY_EMPTY_ROWS, **params)
            notices.append((READING_STOPPED, params))
            break
        if filled:
            last = number
            rows.append((number, cells))
            if len(rows) > limits.max_rows:
                raise ImportFileError(FILE_TOO_MANY_ROWS, limit=_number(limits.max_rows))
    if not rows:
        raise ImportFileError(FILE_NO_ROWS)
    return Sheet(headers=headers, header_row=header_row, rows=rows, notices=notices)


# --- XLSX -------------------------------------------------------------------------------------------------------

# What a broken or foreign zip raises (an unknown compression, a password, a missing part, bad XML), no more:
# a job's timeout or a lack of memory is not the file's fault and is not reported as if it were.
_BROKEN = (
    zipfile.BadZipFile,
    zlib.error,
    expat.ExpatError,
    EOFError,
    KeyError,
    IndexError,
    ValueError,
    OverflowError,
    NotImplementedError,
    RuntimeError,
)


def _xlsx_rows(content: bytes, limits: ReadLimits, budget: _Budget) -> Rows:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            # The sizes a zip declares bound what it unpacks: zipfile stops reading an entry at its size.
            if sum(info.file_size for info in archive.infolist()) > limits.max_unpacked_bytes:
                raise ImportFileError(FILE_UNPACKS_TOO_LARGE, limit=_number(limits.max_unpacked_bytes // MEGABYTE))
            # One column past the limit: enough to see that a header row passes it.
            for number, values in worksheet_rows(archive, limits.max_columns + 1, limits.max_cell_chars, budget.check):
                cells = [cell_text(value) for value in values]
                if any(len(cell) > limits.max_cell_chars for cell in cells):
                    raise ImportFileError(FILE_CELL_TOO_LONG, row=str(number), limit=_number(limits.max_cell_chars))
                yield number, [cell.strip() for cell in cells]
    except _BROKEN as exc:
        raise ImportFileError(FILE_NOT_XLSX) from exc


# --- CSV --------------------------------------------------------------------------------------------------------


def decode_text(content: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else GBK/GB18030."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ImportFileError(FILE_NOT_TEXT)


def _csv_rows(content: bytes, limits: ReadLimits) -> Rows:
    text = decode_text(content)
    leading = "\n".join(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    delimiter = max(",\t;", key=leading.count)
    # The csv module's limit is the process's: set for this read, put back after (jobs run one at a time).
    previous = csv.field_size_limit(limits.max_cell_chars)
    number = 0
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            yield number, [cell.strip() for cell in cells[: limits.max_columns + 1]]
    except csv.Error as exc:
        if "field limit" in str(exc):
            limit = _number(limits.max_cell_chars)
            raise ImportFileError(FILE_CELL_TOO_LONG, row=str(number + 1), limit=limit) from exc
        raise ImportFileError(FILE_NOT_TEXT) from exc
    finally:
        csv.field_size_limit(previous)


def read_rows(
    filename: str,
    content: bytes,
    limits: ReadLimits = DEFAULT_LIMITS,
    clock: Callable[[], float] = monotonic,
    *,
    known_header: Callable[[str], object] = header_field,
) -> Sheet:
    """The table of an XLSX or CSV file (told apart by content, not name); `ImportFileError` when unreadable.

    Completely empty rows are skipped; row numbers are the spreadsheet's own. The rows are read
    in full (up to `limits`), so that an unreadable file is refused before any row is stored.
    `clock` (seconds) times the read against `limits.max_seconds`. `known_header` tells the header row
    (a header of the enterprises' form unless another kind of row names its own).
    """
    if not content:
        raise ImportFileError(FILE_EMPTY)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(FILE_OLD_XLS)
    budget = _Budget(limits, clock)
    if content.startswith(b"PK\x03\x04"):
        source = _xlsx_rows(content, limits, budget)
    elif filename.lower().endswith(".xlsx"):
        raise ImportFileError(FILE_NOT_XLSX)
    else:
        source = _csv_rows(content, limits)
    with closing(source):  # closed at once, so that the csv module's limit is put back before this returns
        return _table(source, limits, budget, known_header)
