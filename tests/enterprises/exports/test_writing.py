"""Writing an export a chunk at a time gives the file that writing it at once gives."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from enterprises.exporting import table_writer, to_file

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

ROWS = [
    {"id": i, "name": f'开州第{i}号农场, "老王"', "district": "500154", "founder_phone": "139****1234", "park": None}
    for i in range(25)
]


def translate(message: str) -> str:
    return f"«{message}»"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_it_writes_in_chunks_what_it_writes_at_once(file_format: str) -> None:
    stream = io.BytesIO()
    writer = table_writer(file_format, stream, translate)
    for start in range(0, len(ROWS), 10):
        writer.write(ROWS[start : start + 10])
    writer.close()

    at_once = to_file(file_format, ROWS, translate)
    if file_format == "csv":
        assert stream.getvalue() == at_once
        assert at_once.startswith("\ufeff".encode()) and b"\r\n" in at_once
    else:
        read = [
            list(load_workbook(io.BytesIO(b)).active.iter_rows(values_only=True)) for b in (stream.getvalue(), at_once)
        ]
        assert read[0] == read[1] and len(read[0]) == len(ROWS) + 1
    assert not stream.closed  # the caller's file, for the caller to close


def test_it_refuses_a_format_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="pdf"):
        table_writer("pdf", io.BytesIO(), translate)
