"""How follow-ups are listed and shown: the list's filters, state and rung labels, "overdue by …".

Pure: no web, database or queue; `now` is given. `casework.followups.reading` turns a `Due`
filter into a query condition with `due_window`, and the pages and the API show a row through
`presented`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from casework.followups.rules import RULES, FirstAct, FollowUpKind, FollowUpState, Rung

# "Due soon" looks a working week ahead: far-off visits and surveys are not yet anyone's concern.
SOON = timedelta(days=7)


class Due(StrEnum):
    """The list's filter by when a follow-up is due and whether it is still open."""

    UPCOMING = "upcoming"  # due soon or overdue: what needs attention
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    DONE = "done"
    ALL = "all"

    @property
    def label(self) -> str:
        return _DUE_LABELS[self]


_DUE_LABELS = {
    Due.UPCOMING: "Due soon and overdue",
    Due.DUE_SOON: "Due soon",
    Due.OVERDUE: "Overdue",
    Due.DONE: "Done",
    Due.ALL: "All follow-ups",
}

# Still waiting on someone: pending ones fall due; escalated ones climbed their ladder and stay
# until what they follow is done.
OUTSTANDING = (FollowUpState.PENDING, FollowUpState.ESCALATED)

_STATE_LABELS = {
    FollowUpState.PENDING: "Pending",
    FollowUpState.PAUSED: "Paused",
    FollowUpState.DONE: "Done",
    FollowUpState.ESCALATED: "Escalated",
    FollowUpState.CANCELLED: "Cancelled",
}

_RUNG_LABELS = {
    Rung.ASSIGNEE: "The assignee was told",
    Rung.DISTRICT_OFFICERS: "The district officers were told",
    Rung.CITY_OFFICERS: "The city officers were told",
}
NOT_YET = "Not yet due"
TASK_OPENED = "The broker's task was opened"


def state_label(state: str) -> str:
    return _STATE_LABELS[FollowUpState(state)] if state in FollowUpState.__members__.values() else state


def kind_label(kind: str) -> str:
    return FollowUpKind(kind).label if kind in FollowUpKind.__members__.values() else kind


def kind_options() -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in FollowUpKind]


def due_options() -> list[tuple[str, str]]:
    return [(due.value, due.label) for due in Due]


def parse_due(value: str) -> Due | None:
    """The `due` filter's value, or None for one that is not a filter (refused by the caller)."""
    if not value:
        return Due.UPCOMING
    return Due(value) if value in Due.__members__.values() else None


def parse_kind(value: str) -> FollowUpKind | None:
    return FollowUpKind(value) if value in FollowUpKind.__members__.values() else None


@dataclass(frozen=True)
class Window:
    """What a `Due` filter keeps: these states, due before `before` and not before `after` (None: no bound).

    `or_escalated`: escalated ones are kept whatever their due time (they are overdue by nature).
    """

    states: tuple[FollowUpState, ...]
    after: datetime | None = None
    before: datetime | None = None
    or_escalated: bool = False


def due_window(due: Due, now: datetime) -> Window:
    if due is Due.UPCOMING:
        return Window(OUTSTANDING, before=now + SOON, or_escalated=True)
    if due is Due.DUE_SOON:
        return Window((FollowUpState.PENDING,), after=now, before=now + SOON)
    if due is Due.OVERDUE:
        return Window((FollowUpState.PENDING,), before=now, or_escalated=True)
    if due is Due.DONE:
        return Window((FollowUpState.DONE,))
    return Window(tuple(FollowUpState))


def rung_reached(kind: FollowUpKind, step: int) -> str:
    """What its last act did, as a label: whom it told, that it opened a task, or that it has not acted yet."""
    if step <= 0:
        return NOT_YET
    rule = RULES[kind]
    last = step - 1
    if rule.first is FirstAct.OPEN_TASK:
        if last == 0:
            return TASK_OPENED
        last -= 1
    return _RUNG_LABELS[rule.ladder[min(last, len(rule.ladder) - 1)]]


def due_phrase(due_at: datetime, state: str, now: datetime) -> tuple[str, dict[str, int]]:
    """ "Overdue by 3 days", "Due in 5 hours" …: a message id and its count; ("", {}) once it is closed."""
    if state not in OUTSTANDING:
        return "", {}
    late = now >= due_at
    span = now - due_at if late else due_at - now
    if span >= timedelta(days=1):
        unit, count = "days", span.days
    elif span >= timedelta(hours=1):
        unit, count = "hours", span.seconds // 3600
    else:
        unit, count = "minutes", max(1, span.seconds // 60)
    return _PHRASES[(late, unit)], {"n": count}


_PHRASES = {
    (True, "days"): "Overdue by {n} days",
    (True, "hours"): "Overdue by {n} hours",
    (True, "minutes"): "Overdue by {n} minutes",
    (False, "days"): "Due in {n} days",
    (False, "hours"): "Due in {n} hours",
    (False, "minutes"): "Due in {n} minutes",
}


def presented(row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A follow-up row with its labels (message ids), how late or near it is and the rung it reached."""
    kind = FollowUpKind(row["kind"])
    phrase, params = due_phrase(row["due_at"], row["state"], now)
    return {
        **row,
        "kind_label": kind.label,
        "state_label": state_label(row["state"]),
        "overdue": row["state"] in OUTSTANDING and row["due_at"] <= now,
        "due_phrase": phrase,
        "due_params": params,
        "reached": rung_reached(kind, row["step"]),
    }
