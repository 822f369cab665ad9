"""Reading a spreadsheet within bounds: files built to make a reader work without end are read or refused at once.

Each bomb is read under `tracemalloc` and a clock: the memory bound has a wide margin over what
was measured (stated beside each, under tracemalloc, which slows the reading), the time bound is
only a sanity check; the speed figures are the benchmark's (`python -m bench.import_bench readers`).
"""

from __future__ import annotations

import csv
import io
import itertools
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from enterprises.imports.reading import (
    DEFAULT_LIMITS,
    FILE_CELL_TOO_LONG,
    FILE_NOT_XLSX,
    FILE_ONLY_EMPTY_ROWS,
    FILE_TOO_MANY_COLUMNS,
    FILE_TOO_MANY_ROWS,
    FILE_TOO_SLOW,
    FILE_UNPACKS_TOO_LARGE,
    READING_STOPPED,
    ImportFileError,
    ReadLimits,
    Sheet,
    read_rows,
)
from tests.enterprises.imports import bombs

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

MB = 1024 * 1024
SECONDS = 20.0  # a sanity bound only: each of these takes well under a second or two


@dataclass
class Reading:
    sheet: Sheet | None
    error: ImportFileError | None
    seconds: float
    peak_mb: float


def measured(filename: str, content: bytes, limits: ReadLimits | None = None) -> Reading:
    """`read_rows` on `content`, with the memory it allocated at its peak and the time it took."""
    tracemalloc.start()
    started = time.perf_counter()
    sheet, error = None, None
    try:
        sheet = read_rows(filename, content, limits or DEFAULT_LIMITS)
    except ImportFileError as refused:
        error = refused
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    return Reading(sheet, error, seconds, peak)


def refused(reading: Reading) -> ImportFileError:
    assert reading.error is not None, "the file was read, not refused"
    return reading.error


def test_it_refuses_a_grid_sized_dimension_with_one_cell_in_the_last_row_at_once() -> None:
    reading = measured("bomb.xlsx", bombs.far_cell_bomb())

    error = refused(reading)
    assert error.message == FILE_ONLY_EMPTY_ROWS and error.params == {"row": "1", "count": "1,000"}
    assert reading.peak_mb < 20 and reading.seconds < SECONDS  # measured: 0.1 MB, 0.01 s


def test_it_stops_after_a_run_of_empty_rows_and_keeps_the_rows_above() -> None:
    # 5,000,000 empty <row r="…"/> elements (12.5 MB zipped, 89 MB of XML) after two rows of enterprises:
    # enough to show that reading stops after 1,000 of them (50 million took openpyxl 300 s and 4.6 GB).
    content = bombs.empty_rows_bomb(empty_rows=5_000_000)

    reading = measured("bomb.xlsx", content)

    assert reading.sheet is not None and [number for number, _ in reading.sheet.rows] == [2, 3]
    assert reading.sheet.notices == [(READING_STOPPED, {"row": "3", "count": "1,000"})]
    assert reading.peak_mb < 20 and reading.seconds < SECONDS  # measured: 0.9 MB, 0.1 s


def test_it_reads_rows_under_a_grid_wide_dimension_without_padding_them() -> None:
    reading = measured("wide.xlsx", bombs.wide_dimension_rows(20_000))

    assert reading.sheet is not None and len(reading.sheet.rows) == 20_000
    assert {len(cells) for _, cells in reading.sheet.rows} == {1}  # not 16,384 cells a row
    assert reading.peak_mb < 60 and reading.seconds < SECONDS  # measured: 5 MB, 2 s (before: 49 s, 3 GB)


def test_it_refuses_a_csv_of_a_million_columns() -> None:
    reading = measured("wide.csv", bombs.wide_csv(1_000_000))

    error = refused(reading)
    assert error.message == FILE_TOO_MANY_COLUMNS and error.params == {"limit": "200"}
    assert reading.peak_mb < 300 and reading.seconds < SECONDS  # measured: 111 MB (the csv module's row), 1.4 s


def test_it_refuses_a_csv_over_the_row_limit() -> None:
    reading = measured("long.csv", bombs.long_csv(50_001))

    error = refused(reading)
    assert error.message == FILE_TOO_MANY_ROWS and error.params == {"limit": "50,000"}
    assert reading.peak_mb < 150 and reading.seconds < SECONDS  # measured: 35 MB, 1 s


def test_it_reads_a_csv_at_the_row_limit() -> None:
    sheet = read_rows("long.csv", bombs.long_csv(50_000))

    assert len(sheet.rows) == 50_000


def test_it_refuses_a_workbook_that_declares_it_unpacks_past_the_limit() -> None:
    content = bombs.declaring(bombs.realistic_workbook(10), bombs.SHEET, 400 * MB)

    reading = measured("bomb.xlsx", content)

    error = refused(reading)
    assert error.message == FILE_UNPACKS_TOO_LARGE and error.params == {"limit": "300"}
    assert reading.peak_mb < 5 and reading.seconds < SECONDS  # measured: 0.0 MB, 0.00 s


def test_it_refuses_a_workbook_that_unpacks_past_a_lower_limit() -> None:
    content = bombs.empty_rows_bomb(empty_rows=200_000)  # 3.5 MB of XML

    error = refused(measured("bomb.xlsx", content, ReadLimits(max_unpacked_bytes=2 * MB)))

    assert error.message == FILE_UNPACKS_TOO_LARGE and error.params == {"limit": "2"}


def test_it_can_trust_a_zips_declared_sizes_because_zipfile_stops_there() -> None:
    # A zip that declares less than it holds: zipfile unpacks no more than declared, then finds the
    # checksum wrong. So the sum of declared sizes bounds what reading the file can unpack.
    lying = bombs.declaring(bombs.realistic_workbook(1_000), bombs.SHEET, 1_000)
    unpacked = 0

    with (
        zipfile.ZipFile(io.BytesIO(lying)) as archive,
        archive.open(bombs.SHEET) as stream,
        pytest.raises(zipfile.BadZipFile),
    ):
        while chunk := stream.read(100):
            unpacked += len(chunk)

    assert unpacked <= 1_000
    assert refused(measured("lying.xlsx", lying)).message == FILE_NOT_XLSX


def ticking(step: float) -> Callable[[], float]:
    """A clock that moves `step` seconds each time it is read."""
    return itertools.count(0.0, step).__next__


@pytest.mark.parametrize(
    ("filename", "content"),
    [("slow.csv", bombs.long_csv(100)), ("slow.xlsx", bombs.realistic_workbook(100))],
)
def test_it_refuses_a_file_that_takes_too_long_to_read(filename: str, content: bytes) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_rows(filename, content, ReadLimits(max_seconds=60), clock=ticking(10))

    assert caught.value.message == FILE_TOO_SLOW and caught.value.params == {"seconds": "60"}


def test_it_reads_the_time_within_a_row_of_a_million_cells() -> None:
    row = "".join("<c/>" for _ in range(1_000_000))
    content = bombs.workbook([bombs.row_xml(1, bombs.HEADERS), f'<row r="2">{row}</row>'])

    with pytest.raises(ImportFileError) as caught:
        read_rows("slow.xlsx", content, ReadLimits(max_seconds=60), clock=ticking(1))

    assert caught.value.message == FILE_TOO_SLOW


def test_it_stops_a_csv_at_a_run_of_empty_lines_but_not_before() -> None:
    header, row = ",".join(bombs.HEADERS), ",".join(bombs.ROW)
    limits = ReadLimits(max_empty_run=1_000)

    stopped = read_rows("gap.csv", "\n".join([header, row, *[""] * 1_000, row, ""]).encode(), limits)
    read_on = read_rows("gap.csv", "\n".join([header, row, *[""] * 999, row, ""]).encode(), limits)

    assert [number for number, _ in stopped.rows] == [2]
    assert stopped.notices == [(READING_STOPPED, {"row": "2", "count": "1,000"})]
    assert [number for number, _ in read_on.rows] == [2, 1_002] and not read_on.notices


def test_it_ignores_cells_right_of_the_last_known_column() -> None:
    headers = bombs.row_xml(1, [*bombs.HEADERS, "备注"])
    content = bombs.workbook([headers, bombs.row_xml(2, bombs.ROW), bombs.row_xml(3, ["x"], first_column=16_384)])

    sheet = read_rows("stray.xlsx", content)

    assert sheet.headers == [*bombs.HEADERS, "备注"]  # its warning is still given
    assert sheet.rows == [(2, bombs.ROW)]  # row 3 holds nothing under a known column


def test_it_refuses_a_workbook_whose_header_row_passes_the_column_limit() -> None:
    content = bombs.workbook([bombs.row_xml(1, bombs.HEADERS), bombs.row_xml(2, bombs.ROW)])

    with pytest.raises(ImportFileError) as caught:
        read_rows("wide.xlsx", content, ReadLimits(max_columns=3))

    assert caught.value.message == FILE_TOO_MANY_COLUMNS and caught.value.params == {"limit": "3"}


@pytest.mark.parametrize("filename", ["long.csv", "long.xlsx"])
def test_it_refuses_a_cell_longer_than_excel_allows(filename: str) -> None:
    cells = ["春华农场", "汉丰街道", "周" * 40_000, "13983451234"]
    if filename.endswith(".csv"):
        content = "\n".join([",".join(bombs.HEADERS), ",".join(bombs.ROW), ",".join(cells)]).encode()
    else:
        content = bombs.workbook([bombs.row_xml(n, row) for n, row in enumerate([bombs.HEADERS, bombs.ROW, cells], 1)])
    before = csv.field_size_limit()

    with pytest.raises(ImportFileError) as caught:
        read_rows(filename, content)

    assert caught.value.message == FILE_CELL_TOO_LONG and caught.value.params == {"row": "3", "limit": "32,767"}
    assert csv.field_size_limit() == before  # the csv module's limit is the process's: put back


def test_it_refuses_a_workbook_part_with_a_dtd() -> None:
    content = bombs.workbook([bombs.row_xml(1, bombs.HEADERS), bombs.row_xml(2, bombs.ROW)])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    laughs = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    parts[bombs.SHEET] = laughs + parts[bombs.SHEET].replace(b"\xe5\x91\xa8\xe6\x98\xa5\xe5\x8d\x8e", b"&b;")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    with pytest.raises(ImportFileError) as caught:
        read_rows("laughs.xlsx", buffer.getvalue())

    assert caught.value.message == FILE_NOT_XLSX
