"""Enterprise lists as CSV and XLSX files, the way the bureau keeps them in Excel.

Pure: rows in (already scoped and masked by the service), bytes out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from openpyxl import Workbook

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


def _table(rows: Iterable[Mapping[str, Any]], translate: Callable[[str], str]) -> Iterable[list[Any]]:
    yield [translate(header) for _, header in COLUMNS]
    for row in rows:
        yield ["" if row.get(key) is None else row[key] for key, _ in COLUMNS]


def to_csv(rows: Iterable[Mapping[str, Any]], translate: Callable[[str], str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_table(rows, translate))
    # A byte-order mark makes Excel on Windows open UTF-8 Chinese text correctly.
    return "\ufeff".encode() + buffer.getvalue().encode()


def to_xlsx(rows: Iterable[Mapping[str, Any]], translate: Callable[[str], str]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(translate("Enterprises"))
    for line in _table(rows, translate):
        sheet.append([str(value) if not isinstance(value, (int, float)) else value for value in line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
