"""Spreadsheets built to make a reader work without end: huge declared sizes, millions of empty rows, a million columns.

Written by hand as the few XML parts a workbook needs, the sheet streamed into its zip entry, so
that building a file of millions of rows costs little memory. Shared by the bounds tests and the
benchmark (`bench.import_bench`), which times readers on them.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

HEADERS = ["企业名称", "乡镇（街道）", "创业者姓名", "联系电话"]
ROW = ["开州春华柑橘家庭农场", "汉丰街道", "周春华", "13983451234"]
LAST_ROW = 1_048_576  # Excel's last row; XFD is its last column
SHEET = "xl/worksheets/sheet1.xml"

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
        '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def row_xml(number: int, cells: Iterable[str], first_column: int = 1) -> str:
    """A row of inline strings (no shared strings part needed)."""
    return (
        f'<row r="{number}">'
        + "".join(
            f'<c r="{column_letter(column)}{number}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'
            for column, text in enumerate(cells, start=first_column)
        )
        + "</row>"
    )


def workbook(sheet_data: Iterable[str], dimension: str = "") -> bytes:
    """A one-sheet XLSX whose sheetData is `sheet_data`, written in chunks as it is produced."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in _PARTS.items():
            archive.writestr(name, xml)
        with archive.open(SHEET, "w") as sheet:
            head = f'<worksheet xmlns="{_MAIN}">' + (f'<dimension ref="{dimension}"/>' if dimension else "")
            sheet.write((head + "<sheetData>").encode())
            chunk: list[str] = []
            for part in sheet_data:
                chunk.append(part)
                if len(chunk) >= 10_000:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return buffer.getvalue()


def _rows(data_rows: int) -> Iterator[str]:
    yield row_xml(1, HEADERS)
    for number in range(2, data_rows + 2):
        yield row_xml(number, [f"{ROW[0]}{number}", *ROW[1:]])


def far_cell_bomb() -> bytes:
    """(1) The headers, a dimension of the whole grid (A1:XFD1048576) and one cell in its very last row."""
    return workbook([row_xml(1, HEADERS), row_xml(LAST_ROW, ["x"], first_column=16_384)], "A1:XFD1048576")


def empty_rows_bomb(empty_rows: int = 5_000_000, data_rows: int = 2) -> bytes:
    """(2) A few rows of enterprises, then `empty_rows` empty `<row r="…"/>` elements."""
    start = data_rows + 2

    def rows() -> Iterator[str]:
        yield from _rows(data_rows)
        for number in range(start, start + empty_rows):
            yield f'<row r="{number}"/>'

    return workbook(rows())


def wide_dimension_rows(rows: int = 20_000) -> bytes:
    """(3) `rows` rows of one cell each, under a dimension as wide as the grid."""

    def sheet_rows() -> Iterator[str]:
        yield row_xml(1, HEADERS)
        for number in range(2, rows + 2):
            yield row_xml(number, [f"{ROW[0]}{number}"])

    return workbook(sheet_rows(), f"A1:XFD{rows + 1}")


def realistic_workbook(rows: int = 20_000) -> bytes:
    """`rows` ordinary rows of four filled columns, under the dimension they fill."""
    return workbook(_rows(rows), f"A1:D{rows + 1}")


def wide_csv(columns: int = 1_000_000) -> bytes:
    """(4) A CSV whose header row goes on for `columns` columns."""
    header = ",".join([*HEADERS, *("备注" for _ in range(columns - len(HEADERS)))])
    return (header + "\n" + ",".join(ROW) + "\n").encode()


def long_csv(rows: int) -> bytes:
    """(5) A CSV of `rows` rows of enterprises."""
    lines = [",".join(HEADERS)] + [f"{ROW[0]}{number},{','.join(ROW[1:])}" for number in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def declaring(content: bytes, name: str, file_size: int) -> bytes:
    """`content` (a zip) with the central directory claiming that `name` unpacks to `file_size` bytes."""
    data = bytearray(content)
    # Each central directory entry: its signature, the uncompressed size at offset 24, the name at 46.
    position = data.find(b"PK\x01\x02")
    while position != -1:
        (name_length,) = struct.unpack_from("<H", data, position + 28)
        if data[position + 46 : position + 46 + name_length] == name.encode():
            struct.pack_into("<I", data, position + 24, file_size)
            return bytes(data)
        position = data.find(b"PK\x01\x02", position + 4)
    raise ValueError(f"{name} is not in the central directory")
