"""Dates as brokers write them and as Excel stores them, read by the parser every door shares."""

from __future__ import annotations

from datetime import date

import pytest

from enterprises.intake import (
    DATE_BEFORE_1949,
    DATE_IN_FUTURE,
    DATE_INVALID,
    excel_serial_date,
    parse_date,
)

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("2021-03-15", date(2021, 3, 15)),
        ("2021/3/15", date(2021, 3, 15)),
        ("2021.3.15", date(2021, 3, 15)),
        ("2021年3月15日", date(2021, 3, 15)),
        ("2021 年 3 月 15 日", date(2021, 3, 15)),
        ("２０２１年３月１５日", date(2021, 3, 15)),  # full-width digits
        ("20210315", date(2021, 3, 15)),  # compact
        ("44270", date(2021, 3, 15)),  # an Excel serial, as an unformatted cell holds it
        ("44270.0", date(2021, 3, 15)),  # the same serial from a CSV saved by Excel
        ("44270.75", date(2021, 3, 15)),  # a time of day is dropped
        ("44197", date(2021, 1, 1)),
        ("17899", date(1949, 1, 1)),  # the earliest date accepted
        ("46358", TODAY),  # today is not the future
        ("19490101", date(1949, 1, 1)),
        ("", None),
        ("  ", None),
    ],
)
def test_it_reads_a_date_as_written_or_as_excel_stores_it(written: str, meant: date | None) -> None:
    assert parse_date(written, TODAY) == meant


@pytest.mark.parametrize(
    ("written", "why"),
    [
        ("17898", DATE_BEFORE_1949),  # 1948-12-31
        ("19481231", DATE_BEFORE_1949),
        ("1900年1月1日", DATE_BEFORE_1949),
        ("61", DATE_BEFORE_1949),  # 1900-03-01
        ("60", DATE_BEFORE_1949),  # Excel's 1900-02-29, a day that never was: before 1949 like its neighbours
        ("1", DATE_BEFORE_1949),
        ("46359", DATE_IN_FUTURE),  # tomorrow
        ("20261203", DATE_IN_FUTURE),
        ("2030-01-01", DATE_IN_FUTURE),
        ("0", DATE_INVALID),  # Excel's 1900-01-00
        ("2021-02-29", DATE_INVALID),  # not a leap year
        ("20211345", DATE_INVALID),
        ("2021-13-45", DATE_INVALID),
        ("1234567", DATE_INVALID),  # more digits than a serial, fewer than yyyymmdd
        ("2021-03", DATE_INVALID),
        ("15/03/2021", DATE_INVALID),  # day first is ambiguous (03/04/2021): refused, not guessed
        ("next week", DATE_INVALID),
        ("-44270", DATE_INVALID),
    ],
)
def test_it_refuses_a_date_that_is_not_one_or_out_of_range(written: str, why: str) -> None:
    with pytest.raises(ValueError, match=f"^{why}$"):
        parse_date(written, TODAY)


@pytest.mark.parametrize(
    ("serial", "shown"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (60, None),  # Excel shows 1900-02-29
        (61, date(1900, 3, 1)),  # from here on, one day past a plain count from 1899-12-31
        (25569, date(1970, 1, 1)),
        (36526, date(2000, 1, 1)),
        (44197, date(2021, 1, 1)),
        (0, None),
    ],
)
def test_it_counts_excel_serials_with_its_1900_leap_year_bug(serial: int, shown: date | None) -> None:
    assert excel_serial_date(serial) == shown
