"""Enterprise lists as CSV and XLSX files, the way the bureau keeps them in Excel.

Pure: rows in (already scoped and masked by the service), bytes out. A small list is built in
memory (`to_csv`, `to_xlsx`); a long one is written a chunk at a time into a file by a
`TableWriter` (`table_writer`), so that 50,000 rows never sit in memory at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any, BinaryIO, Protocol

from openpyxl import Workbook

from core.districts import district_name
from core.spreadsheets import csv_row, xlsx_row
from enterprises.classification import EnterpriseStatus, LegalForm, Stage, industry_name
from enterprises.industry_table import division_name

# (row key, English header message id)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "No."),
    ("name", "Enterprise name"),
    ("credit_code", "Unified social credit code"),
    ("legal_form", "Legal form"),
    ("district", "District"),
    ("town", "Town or township"),
    ("village", "Village or community"),
    ("park", "Entrepreneurship park"),
    ("industry", "Industry"),
    ("status", "Status"),
    ("founder_name", "Founder"),
    ("founder_phone", "Founder's phone"),
    ("founder_id_number", "Founder's ID number"),
)

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Translate = Callable[[str], str]


def _headers(translate: Translate) -> list[str]:
    return [translate(header) for _, header in COLUMNS]


# Columns kept as codes (an enum's value) and shown by their label's message id.
_ENUM_COLUMNS: dict[str, type[LegalForm] | type[EnterpriseStatus] | type[Stage]] = {
    "legal_form": LegalForm,
    "status": EnterpriseStatus,
    "stage": Stage,
}


def export_locale(translate: Translate) -> str:
    """The locale a translator writes in: its own `locale`, else told by how it renders a known id.

    District and industry names come from tables, not the catalog, so the writer needs the locale
    itself; Chinese is the one locale that translates (English is the identity).
    """
    locale = getattr(translate, "locale", None)
    if isinstance(locale, str):
        return locale
    return "en" if translate("Enterprises") == "Enterprises" else "zh_CN"


def label(key: str, value: Any, translate: Translate, locale: str) -> Any:
    """A cell as people read it: 家庭农场, 开州区, 制造业, 营业中, not family_farm, 500154, C, operating."""
    if value is None or value == "":
        return ""
    if key in _ENUM_COLUMNS:
        enum = _ENUM_COLUMNS[key]
        return translate(enum(value).label) if value in enum.__members__.values() else value
    if key == "district":
        return district_name(str(value), locale)
    if key == "industry":
        return industry_name(str(value), locale)
    if key == "industry_division":  # the standard's names are Chinese only
        return f"{value} {division_name(str(value))}"
    return value


def _cells(row: Mapping[str, Any], translate: Translate, locale: str) -> list[Any]:
    return [label(key, row.get(key), translate, locale) for key, _ in COLUMNS]


class TableWriter(Protocol):
    def write(self, rows: Iterable[Mapping[str, Any]]) -> None: ...

    def close(self) -> None:
        """Finish the file; the stream stays open, for its owner to close."""


class CsvWriter:
    """CSV as Excel on Windows opens it: UTF-8 with a byte-order mark (else Chinese text is garbled)."""

    def __init__(self, stream: BinaryIO, translate: Translate) -> None:
        # newline="": the csv module writes its own "\r\n" line ends, which must not be translated again.
        self.text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.text)
        self.translate, self.locale = translate, export_locale(translate)
        self.writer.writerow(csv_row(_headers(translate)))

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        # Text a user typed ("=HYPERLINK(…)") must not run as a formula where the file is opened.
        self.writer.writerows(csv_row(_cells(row, self.translate, self.locale)) for row in rows)

    def close(self) -> None:
        self.text.flush()
        self.text.detach()  # closing the wrapper would close the caller's stream


class XlsxWriter:
    """An XLSX workbook in openpyxl's write-only mode: rows go to a temporary file, not into memory."""

    def __init__(self, stream: BinaryIO, translate: Translate) -> None:
        self.stream = stream
        self.translate, self.locale = translate, export_locale(translate)
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(translate("Enterprises"))
        self.sheet.append(xlsx_row(self.sheet, _headers(translate)))

    def write(self, rows: Iterable[Mapping[str, Any]]) -> None:
        for row in rows:
            cells = _cells(row, self.translate, self.locale)
            values = [value if isinstance(value, (int, float)) else str(value) for value in cells]
            self.sheet.append(xlsx_row(self.sheet, values))  # text stays text, never a formula

    def close(self) -> None:
        self.workbook.save(self.stream)


def table_writer(file_format: str, stream: BinaryIO, translate: Translate) -> TableWriter:
    """A writer of `file_format` ("csv" or "xlsx") into `stream`, its header row written."""
    if file_format == "csv":
        return CsvWriter(stream, translate)
    if file_format == "xlsx":
        return XlsxWriter(stream, translate)
    raise ValueError(f"no writer for {file_format!r}")


def to_file(file_format: str, rows: Iterable[Mapping[str, Any]], translate: Translate) -> bytes:
    """The whole file of `rows` in memory: for lists small enough to answer at once."""
    buffer = io.BytesIO()
    writer = table_writer(file_format, buffer, translate)
    writer.write(rows)
    writer.close()
    return buffer.getvalue()


def to_csv(rows: Iterable[Mapping[str, Any]], translate: Translate) -> bytes:
    return to_file("csv", rows, translate)


def to_xlsx(rows: Iterable[Mapping[str, Any]], translate: Translate) -> bytes:
    return to_file("xlsx", rows, translate)
