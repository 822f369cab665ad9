"""Mainland Chinese working days: weekends, statutory holidays and the swapped working weekends (调休).

Pure: no web, database or queue. Every deadline of the product (offer acceptance, triage, measure
reminders, escalation) is counted here, in the bureau's time zone. The `chinese_calendar` package
knows each year's State Council notice only up to its last release: a day outside what it covers
falls back to Monday-Friday, and `covers` lets the log and `/health` say so instead of crashing.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, tzinfo

import chinese_calendar

log = logging.getLogger(__name__)

_HOLIDAYS, _SWAPPED = chinese_calendar.constants.holidays, chinese_calendar.constants.workdays
# The span of days the package has data for: holidays and swapped working days alike.
_KNOWN = sorted(set(_HOLIDAYS) | set(_SWAPPED))
FIRST_COVERED = date(min(_KNOWN).year, 1, 1)
LAST_COVERED = date(max(_KNOWN).year, 12, 31)
_warned_years: set[int] = set()


def covers(day: date) -> bool:
    """Whether the calendar's data covers `day` (outside it, working days are Monday to Friday)."""
    return FIRST_COVERED <= day <= LAST_COVERED


def is_working_day(day: date) -> bool:
    """A working day in mainland China: a weekday that is no holiday, or a swapped working weekend."""
    if covers(day):
        return bool(chinese_calendar.is_workday(day))
    if day.year not in _warned_years:
        _warned_years.add(day.year)
        log.warning("no holiday data for %d: counting Monday to Friday as working days", day.year)
    return day.weekday() < 5


def next_working_day(day: date) -> date:
    """The first working day after `day`."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_day_on_or_after(day: date) -> date:
    return day if is_working_day(day) else next_working_day(day)


def working_day_on_or_before(day: date) -> date:
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, count: int) -> date:
    """The working day `count` working days after `day` (a holiday counts from the next working day)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = working_day_on_or_after(day) if count == 0 else day
    for _ in range(count):
        day = next_working_day(day)
    return day


def working_days_before(day: date, count: int) -> date:
    """The working day `count` working days before `day` (for a reminder ahead of a due date)."""
    for _ in range(count):
        day -= timedelta(days=1)
        day = working_day_on_or_before(day)
    return day


def deadline_after(moment: datetime, count: int, zone: tzinfo) -> datetime:
    """`count` working days after `moment`, at the same local time of day, as an aware datetime.

    An offer made on Friday at 16:00 with 3 working days falls due on Wednesday at 16:00; one made
    on a holiday counts from the first working day's start.
    """
    local = moment.astimezone(zone)
    start = local.date()
    if not is_working_day(start):
        start, clock = working_day_on_or_after(start), time(0, 0)
        local = datetime.combine(start, clock, tzinfo=zone)
    due = add_working_days(start, count)
    return datetime.combine(due, local.timetz().replace(tzinfo=None), tzinfo=zone)


def at_local(day: date, clock: time, zone: tzinfo) -> datetime:
    """`day` at a local clock time, as an aware datetime (e.g. a reminder at 09:00 Beijing time)."""
    return datetime.combine(day, clock, tzinfo=zone)
