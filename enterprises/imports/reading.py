"""Reading the spreadsheets brokers keep (XLSX or CSV) into rows of text, below the row of headers found in them.

Pure: bytes in, rows of text out; no framework, database or clock. Error strings are English
message ids; `ImportFileError` refuses a whole file.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl import load_workbook

from core.errors import DomainError
from enterprises.imports.headers import header_field

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# A workbook is a zip: refuse one that would unpack to far more than any list of enterprises.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
EXTENSIONS = (".xlsx", ".csv")
HEADER_SEARCH_ROWS = 10

FILE_TOO_LARGE = "The file is larger than 10 MB. Split it into smaller files."
FILE_EMPTY = "The file is empty."
FILE_WRONG_TYPE = "Only XLSX and CSV files can be imported. Save the list in Excel as .xlsx or .csv."
FILE_OLD_XLS = "This is an old .xls workbook. Open it in Excel and save it as .xlsx, then upload it again."
FILE_NOT_XLSX = "The file is not a readable XLSX workbook. Open it in Excel, save it as .xlsx and upload it again."
FILE_NOT_TEXT = "The file could not be read as CSV text. Save it as CSV (UTF-8 or GBK) or as XLSX."
FILE_NO_ROWS = "The file has column headers but no rows of enterprises."
FILE_TOO_MANY_ROWS = "The file has more than {limit} rows. Split it into smaller files."
FILE_NO_HEADERS = (
    "No column headers we know were found in the first {rows} rows. Use the headers of the template, "
    "such as 企业名称 and 乡镇（街道）; if they are there, save the file as XLSX or as UTF-8 CSV."
)


class ImportFileError(DomainError):
    """The whole file is refused: it cannot be read, or it lacks required columns."""

    message = FILE_NOT_TEXT


@dataclass(frozen=True)
class Sheet:
    """The table found in a file: its header row (as the spreadsheet numbers rows) and the rows below it."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]


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


def _sniff_header(rows: Iterable[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The first of the leading rows with two or more known headers (a title row may come first)."""
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        if sum(1 for cell in cells if header_field(cell)) >= 2:
            return number, cells
    raise ImportFileError(FILE_NO_HEADERS, rows=HEADER_SEARCH_ROWS)


def _table(numbered: Iterator[tuple[int, list[str]]]) -> Sheet:
    header_row, headers = _sniff_header(numbered)
    rows: list[tuple[int, list[str]]] = []
    for number, cells in numbered:
        if any(cell.strip() for cell in cells):
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(FILE_TOO_MANY_ROWS, limit=MAX_ROWS)
    if not rows:
        raise ImportFileError(FILE_NO_ROWS)
    return Sheet(headers=headers, header_row=header_row, rows=rows)


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ImportFileError(FILE_NOT_XLSX)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises whatever its zip and XML parsers raise on a broken file
        raise ImportFileError(FILE_NOT_XLSX) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value).strip() for value in values]
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(FILE_NOT_XLSX) from exc
    finally:
        workbook.close()


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


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode_text(content)
    leading = "\n".join(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    delimiter = max(",\t;", key=leading.count)
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            yield number, [cell.strip() for cell in cells]
    except csv.Error as exc:
        raise ImportFileError(FILE_NOT_TEXT) from exc


def read_rows(filename: str, content: bytes) -> Sheet:
    """The table of an XLSX or CSV file (told apart by content, not name); `ImportFileError` when unreadable.

    Completely empty rows are skipped; row numbers are the spreadsheet's own. The rows are read
    in full, so that an unreadable file is refused before any row is stored.
    """
    if not content:
        raise ImportFileError(FILE_EMPTY)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(FILE_OLD_XLS)
    if content.startswith(b"PK\x03\x04"):
        return _table(_xlsx_rows(content))
    if filename.lower().endswith(".xlsx"):
        raise ImportFileError(FILE_NOT_XLSX)
    return _table(_csv_rows(content))
