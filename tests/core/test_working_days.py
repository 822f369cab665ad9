"""Working days across the Spring Festivals and National Days of 2025 and 2026, and past the calendar's data.

Where the expected values come from: the State Council's notices on the public holidays,
国务院办公厅关于2025年部分节假日安排的通知 (国办发明电〔2024〕12号) and
关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号), checked day by day against the data of
`chinesecalendar` 1.11 (`chinese_calendar.constants.holidays` / `.workdays`), which agree:

- 2025 Spring Festival: 1月28日至2月4日 off; 1月26日 (Sun) and 2月8日 (Sat) worked.
- 2025 National Day and Mid-autumn: 10月1日至8日 off; 9月28日 (Sun) and 10月11日 (Sat) worked.
- 2026 New Year: 1月1日至3日 off; 1月4日 (Sun) worked.
- 2026 Spring Festival: 2月15日至23日 off; 2月14日 (Sat) and 2月28日 (Sat) worked.
- 2026 Mid-autumn: 9月25日至27日 off. National Day: 10月1日至7日 off; 9月20日 (Sun) and 10月10日 (Sat) worked.

The package knows no year after 2026 (its next release will): 2027 falls back to Monday-Friday.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from core import working_days
from core.working_days import (
    add_working_days,
    covers,
    deadline_after,
    is_working_day,
    working_days_before,
)

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def d(text: str) -> date:
    return date.fromisoformat(text)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # 2025 Spring Festival
        ("2025-01-24", True),  # Friday before
        ("2025-01-25", False),  # an ordinary Saturday
        ("2025-01-26", True),  # Sunday worked (调休)
        ("2025-01-27", True),  # Monday, the last day before the holiday
        ("2025-01-28", False),  # 除夕, first day off
        ("2025-01-31", False),
        ("2025-02-03", False),  # a Monday inside the holiday
        ("2025-02-04", False),  # last day off
        ("2025-02-05", True),  # back to work
        ("2025-02-08", True),  # Saturday worked (调休)
        ("2025-02-09", False),  # an ordinary Sunday
        # 2025 National Day and Mid-autumn
        ("2025-09-27", False),  # an ordinary Saturday
        ("2025-09-28", True),  # Sunday worked (调休)
        ("2025-09-30", True),
        ("2025-10-01", False),
        ("2025-10-06", False),  # Mid-autumn, a Monday
        ("2025-10-08", False),  # last day off, a Wednesday
        ("2025-10-09", True),
        ("2025-10-11", True),  # Saturday worked (调休)
        ("2025-10-12", False),
        # 2026 New Year
        ("2026-01-02", False),  # a Friday off
        ("2026-01-04", True),  # Sunday worked (调休)
        # 2026 Spring Festival
        ("2026-02-13", True),  # Friday before
        ("2026-02-14", True),  # Saturday worked (调休)
        ("2026-02-15", False),  # first day off, a Sunday
        ("2026-02-16", False),  # a Monday off (除夕)
        ("2026-02-20", False),
        ("2026-02-23", False),  # last day off, a Monday
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday worked (调休)
        ("2026-03-01", False),  # an ordinary Sunday
        # 2026 Mid-autumn and National Day
        ("2026-09-20", True),  # Sunday worked (调休)
        ("2026-09-24", True),
        ("2026-09-25", False),  # Mid-autumn, a Friday
        ("2026-09-28", True),
        ("2026-10-01", False),
        ("2026-10-05", False),  # a Monday off
        ("2026-10-07", False),  # last day off, a Wednesday
        ("2026-10-08", True),
        ("2026-10-10", True),  # Saturday worked (调休)
        ("2026-10-11", False),
        # An ordinary week
        ("2026-03-09", True),
        ("2026-03-14", False),
    ],
)
def test_it_knows_holidays_and_swapped_working_weekends(day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        ("2026-02-13", 1, "2026-02-14"),  # an offer on the Friday before Spring Festival: the worked Saturday
        ("2026-02-13", 2, "2026-02-24"),
        ("2026-02-13", 3, "2026-02-25"),
        ("2026-02-14", 1, "2026-02-24"),
        ("2026-02-16", 0, "2026-02-24"),  # zero days from a holiday: the next working day
        ("2026-02-16", 1, "2026-02-24"),  # from a holiday, the first working day after it is day 1
        ("2026-02-16", 3, "2026-02-26"),
        ("2026-02-24", 0, "2026-02-24"),
        ("2026-02-27", 1, "2026-02-28"),  # into the worked Saturday
        ("2026-02-28", 1, "2026-03-02"),
        ("2025-01-24", 1, "2025-01-26"),  # into the worked Sunday
        ("2025-01-24", 2, "2025-01-27"),
        ("2025-01-24", 3, "2025-02-05"),
        ("2025-01-27", 1, "2025-02-05"),
        ("2025-02-05", 3, "2025-02-08"),
        ("2025-09-26", 1, "2025-09-28"),
        ("2025-09-30", 1, "2025-10-09"),
        ("2025-09-30", 3, "2025-10-11"),
        ("2026-09-24", 1, "2026-09-28"),  # over Mid-autumn
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 3, "2026-10-10"),
        ("2026-03-06", 3, "2026-03-11"),  # an ordinary Friday: Wednesday
    ],
)
def test_it_adds_working_days_over_holidays(start: str, count: int, expected: str) -> None:
    assert add_working_days(d(start), count) == d(expected)


def test_it_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError):
        add_working_days(d("2026-02-13"), -1)


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        ("2026-02-25", 0, "2026-02-25"),
        ("2026-02-25", 1, "2026-02-24"),
        ("2026-02-25", 2, "2026-02-14"),  # a reminder two working days ahead lands on the worked Saturday
        ("2026-02-25", 3, "2026-02-13"),
        ("2026-03-02", 1, "2026-02-28"),
        ("2025-02-05", 1, "2025-01-27"),
        ("2025-02-05", 2, "2025-01-26"),
        ("2025-02-05", 3, "2025-01-24"),
        ("2025-10-09", 1, "2025-09-30"),
        ("2025-10-13", 1, "2025-10-11"),
        ("2026-10-08", 1, "2026-09-30"),
        ("2026-09-28", 1, "2026-09-24"),
        ("2026-10-12", 2, "2026-10-09"),
    ],
)
def test_it_counts_working_days_before_a_due_date(day: str, count: int, expected: str) -> None:
    assert working_days_before(d(day), count) == d(expected)


@pytest.mark.parametrize(
    ("moment", "count", "expected"),
    [
        # A working day: the same local time of day, `count` working days on.
        (local("2026-02-13T16:00"), 3, local("2026-02-25T16:00")),
        (local("2026-03-06T16:00"), 3, local("2026-03-11T16:00")),
        (local("2025-09-30T09:15"), 1, local("2025-10-09T09:15")),
        (local("2026-02-14T11:00"), 1, local("2026-02-24T11:00")),  # from the worked Saturday
        # Given in UTC: the local day and time count (08:00Z is 16:00 in Shanghai).
        (datetime(2026, 2, 13, 8, 0, tzinfo=UTC), 3, local("2026-02-25T16:00")),
        # 17:00Z on Friday is 01:00 on the worked Saturday in Shanghai.
        (datetime(2026, 2, 13, 17, 0, tzinfo=UTC), 1, local("2026-02-24T01:00")),
        # On a holiday: counted from the start of the next working day (24 Feb 00:00), i.e. due at the end
        # of the third working day.
        (local("2026-02-18T10:30"), 3, local("2026-02-27T00:00")),
        (local("2026-02-18T10:30"), 1, local("2026-02-25T00:00")),
        (local("2025-10-03T09:00"), 1, local("2025-10-10T00:00")),
        (local("2025-01-25T15:00"), 1, local("2025-01-27T00:00")),  # an ordinary Saturday: from the worked Sunday
    ],
)
def test_it_sets_deadlines_at_the_same_local_time(moment: datetime, count: int, expected: datetime) -> None:
    due = deadline_after(moment, count, SHANGHAI)
    assert due == expected
    assert due.utcoffset() == expected.utcoffset()
    assert (due.date(), due.timetz().replace(tzinfo=None)) == (expected.date(), expected.time())


@pytest.mark.parametrize(
    ("day", "covered"),
    [("2004-01-01", True), ("2003-12-31", False), ("2026-12-31", True), ("2027-01-01", False)],
)
def test_it_says_which_days_its_data_covers(day: str, covered: bool) -> None:
    assert covers(d(day)) is covered


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which years were already warned about, so a test sees the first warning."""
    monkeypatch.setattr(working_days, "_warned_years", set())


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2027-01-01", True),  # New Year 2027 is not known: a Friday counts as working
        ("2027-01-02", False),
        ("2027-01-03", False),
        ("2027-02-08", True),  # inside what will be Spring Festival 2027: a Monday counts as working
        ("2030-10-01", True),
        ("2003-01-04", False),  # before the data too
    ],
)
def test_it_falls_back_to_weekdays_outside_its_data(fresh_warnings: None, day: str, working: bool) -> None:
    assert is_working_day(d(day)) is working


def test_it_counts_across_the_end_of_its_data_without_crashing(fresh_warnings: None) -> None:
    assert add_working_days(d("2026-12-31"), 2) == d("2027-01-04")
    assert working_days_before(d("2027-01-04"), 2) == d("2026-12-31")
    assert deadline_after(local("2027-01-08T16:00"), 3, SHANGHAI) == local("2027-01-13T16:00")
    assert deadline_after(local("2027-01-09T16:00"), 1, SHANGHAI) == local("2027-01-12T00:00")


def test_it_warns_once_per_year_outside_its_data(fresh_warnings: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=working_days.__name__):
        add_working_days(d("2027-03-01"), 40)
        add_working_days(d("2027-06-01"), 10)
        is_working_day(d("2026-06-01"))  # covered: no warning
    warnings = [r for r in caplog.records if r.name == working_days.__name__]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "2027" in warnings[0].getMessage()
    with caplog.at_level(logging.WARNING, logger=working_days.__name__):
        is_working_day(d("2028-01-03"))
    assert sum("2028" in r.getMessage() for r in caplog.records) == 1
