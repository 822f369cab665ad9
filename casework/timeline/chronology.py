"""Which reveals of a founder's personal data belong to a case's timeline, and where they fall in it.

Pure: no web, database or queue. A reveal is logged by the registry against the founder, not the
case; the case shows those made while it was open: from its filing until it ended (closed,
declined, withdrawn or merged), and again from a reopening.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from casework.states import ENDED

Row = TypeVar("Row", bound=Mapping[str, Any])


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime | None = None  # None: still open

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment and (self.end is None or moment <= self.end)


def _ended(state: str) -> bool:
    return state in {s.value for s in ENDED}


def open_periods(events: Sequence[Mapping[str, Any]], open_now: bool) -> list[Period]:
    """When the case was open, from its events oldest first (`created_at`, `from_state`, `to_state`).

    `open_now`: whether the case is open today. A merge moves the duplicate's events, its ending
    among them, into the surviving case; the survivor's own state has the last word.
    """
    periods: list[Period] = []
    start: datetime | None = None
    for event in events:
        moment: datetime = event["created_at"]
        to_state = event.get("to_state") or ""
        if start is None and not _ended(to_state) and (not periods or _ended(event.get("from_state") or "")):
            start = moment  # filed, or reopened
        elif start is not None and _ended(to_state):
            periods.append(Period(start, moment))
            start = None
    if start is not None:
        periods.append(Period(start))
    elif open_now and periods:
        periods[-1] = Period(periods[-1].start)
    return periods


def while_open(periods: Sequence[Period], moment: datetime) -> bool:
    return any(period.holds(moment) for period in periods)


def merge_in(events: Sequence[Row], others: Sequence[Row]) -> list[Row]:
    """`events` in their own order, each of `others` (by time) placed before the first event later than it.

    Events keep their recorded order even if two web servers' clocks disagree by a little; the
    others are slotted in by time.
    """
    merged: list[Row] = []
    pending = sorted(others, key=lambda row: row["created_at"])
    index = 0
    for event in events:
        while index < len(pending) and pending[index]["created_at"] < event["created_at"]:
            merged.append(pending[index])
            index += 1
        merged.append(event)
    merged.extend(pending[index:])
    return merged
