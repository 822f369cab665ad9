"""A `notified` event reads as part of the line of the event it tells of, not as a line of its own."""

from __future__ import annotations

from typing import Any

import pytest

from casework.timeline.lines import TOLD, fold_notices, told_line

pytestmark = pytest.mark.pure


def event(id: int, kind: str, **data: Any) -> dict[str, Any]:
    return {"id": id, "kind": kind, "data": data}


def told(id: int, of: int | None = None, kind: str | None = None, count: int | None = 2) -> dict[str, Any]:
    """The notification job's event: how many were told (`count`), of which event (`event`, `transition`)."""
    data: dict[str, Any] = {} if count is None else {"count": count, "users": list(range(count))}
    if of is not None:
        data["event"] = of
    if kind is not None:
        data["transition"] = kind
    return event(id, "notified", **data)


def shown(rows: list[dict[str, Any]]) -> list[tuple[int, str, Any]]:
    """Each line left: its id, kind and what it says of who was told ('-' when nothing is appended)."""
    return [(r["id"], r["kind"], r.get(TOLD, "-")) for r in rows]


# events, oldest first -> the lines left (id, kind, how many told)
TABLE: list[tuple[str, list[dict[str, Any]], list[tuple[int, str, Any]]]] = [
    (
        "each notice into the event it names",
        [event(1, "filed"), told(2, of=1, kind="filed"), event(3, "triage"), told(4, of=3, kind="triage", count=1)],
        [(1, "filed", 2), (3, "triage", 1)],
    ),
    (
        "a notice written after a later event still joins its own",
        [event(1, "triage"), event(2, "note"), told(3, of=1, kind="triage")],
        [(1, "triage", 2), (2, "note", "-")],
    ),
    (
        "a notice naming only the kind joins the event just before it",
        [event(1, "hold"), told(2, kind="hold", count=3)],
        [(1, "hold", 3)],
    ),
    (
        "… if that one is of the kind it names",
        [event(1, "hold"), event(2, "note"), told(3, kind="hold")],
        [(1, "hold", "-"), (2, "note", "-"), (3, "notified", "-")],
    ),
    (
        "a notice without a count: told, number unknown",
        [event(1, "close"), told(2, of=1, count=None)],
        [(1, "close", None)],
    ),
    (
        "two notices of one event add up",
        [event(1, "assign"), told(2, of=1), told(3, of=1, count=1)],
        [(1, "assign", 3)],
    ),
    (
        "a notice of an event not on the timeline stays a line",
        [event(5, "triage"), told(6, of=4, kind="triage")],
        [(5, "triage", "-"), (6, "notified", "-")],
    ),
    (
        "a reveal (its id of another table) is never the event told of",
        [event(7, "submit"), event(7, "reveal"), told(8, of=7, kind="submit")],
        [(7, "submit", 2), (7, "reveal", "-")],
    ),
    (
        "… even by a notice that names no kind",
        [event(6, "note"), event(7, "reveal"), told(8, of=7)],
        [(6, "note", "-"), (7, "reveal", "-"), (8, "notified", "-")],
    ),
    (
        "nor is a reveal just before a notice naming only the kind",
        [event(1, "triage"), event(1, "reveal"), told(2, kind="triage")],
        [(1, "triage", "-"), (1, "reveal", "-"), (2, "notified", "-")],
    ),
    (
        "a notice naming neither event nor kind is not guessed at",
        [event(1, "hold"), told(2)],
        [(1, "hold", "-"), (2, "notified", "-")],
    ),
    (
        "a notice first on the timeline stays a line",
        [told(1, kind="filed")],
        [(1, "notified", "-")],
    ),
    ("no events", [], []),
]


@pytest.mark.parametrize(("events", "lines"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_it_folds_each_notice_into_the_event_it_tells_of(
    events: list[dict[str, Any]], lines: list[tuple[int, str, Any]]
) -> None:
    assert shown(fold_notices(events)) == lines


def test_it_leaves_the_events_it_was_given_as_they_were() -> None:
    events = [event(1, "filed"), told(2, of=1)]
    fold_notices(events)
    assert TOLD not in events[0] and len(events) == 2


@pytest.mark.parametrize(("count", "text"), [(2, "Notified 2"), (1, "Notified 1"), (None, "Notified those concerned")])
def test_it_says_how_many_were_told(count: int | None, text: str) -> None:
    assert told_line(count).render(lambda message: message) == text
