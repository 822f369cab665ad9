"""An export's rules as a table: which move leads from which state to which, and when a waiting move is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import Conflict
from core.jobs import RETRY
from enterprises.exports.rules import (
    ABANDONED_AFTER,
    BUILD_TIMEOUT,
    IN_PROGRESS,
    KEEP_FOR,
    RULES,
    STALLED_AFTER,
    ExportFacts,
    ExportState,
    Transition,
    check_transition,
    percent,
)

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

S = ExportState
T = Transition
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
JUST_NOW = NOW - timedelta(minutes=1)
LONG_AGO = NOW - timedelta(days=30)


@pytest.mark.parametrize(
    ("transition", "state", "started_at", "finished_at", "outcome"),
    [
        # The job takes a requested export once; a second run finds it taken.
        (T.BUILD, S.REQUESTED, None, None, S.BUILDING),
        (T.BUILD, S.BUILDING, JUST_NOW, None, Conflict),
        (T.BUILD, S.READY, JUST_NOW, JUST_NOW, Conflict),
        (T.BUILD, S.FAILED, None, JUST_NOW, Conflict),
        # A build is taken again only once it has stopped making progress (the column here is its last progress).
        (T.RECLAIM, S.BUILDING, JUST_NOW, None, Conflict),
        (T.RECLAIM, S.BUILDING, NOW - STALLED_AFTER + timedelta(seconds=1), None, Conflict),
        (T.RECLAIM, S.BUILDING, NOW - STALLED_AFTER - timedelta(seconds=1), None, S.BUILDING),
        (T.RECLAIM, S.BUILDING, None, None, Conflict),
        (T.RECLAIM, S.REQUESTED, LONG_AGO, None, Conflict),
        (T.RECLAIM, S.READY, LONG_AGO, LONG_AGO, Conflict),
        # A passing fault hands the build back for RQ's retry.
        (T.RELEASE, S.BUILDING, JUST_NOW, None, S.REQUESTED),
        (T.RELEASE, S.READY, JUST_NOW, JUST_NOW, Conflict),
        # The build ends ready or failed; a late end changes nothing.
        (T.FINISH, S.BUILDING, JUST_NOW, None, S.READY),
        (T.FINISH, S.REQUESTED, None, None, Conflict),
        (T.FINISH, S.FAILED, JUST_NOW, JUST_NOW, Conflict),
        (T.FAIL, S.REQUESTED, None, None, S.FAILED),
        (T.FAIL, S.BUILDING, JUST_NOW, None, S.FAILED),
        (T.FAIL, S.READY, JUST_NOW, JUST_NOW, Conflict),
        # A build no run finished, long after every retry: failed, so that it frees its requester's cap.
        (T.ABANDON, S.BUILDING, NOW - ABANDONED_AFTER - timedelta(seconds=1), None, S.FAILED),
        (T.ABANDON, S.BUILDING, NOW - ABANDONED_AFTER + timedelta(seconds=1), None, Conflict),
        (T.ABANDON, S.REQUESTED, LONG_AGO, None, Conflict),
        # A ready file is deleted once kept for its time.
        (T.EXPIRE, S.READY, LONG_AGO, NOW - KEEP_FOR - timedelta(seconds=1), S.EXPIRED),
        (T.EXPIRE, S.READY, LONG_AGO, NOW - KEEP_FOR + timedelta(seconds=1), Conflict),
        (T.EXPIRE, S.FAILED, LONG_AGO, LONG_AGO, Conflict),
        (T.EXPIRE, S.EXPIRED, LONG_AGO, LONG_AGO, Conflict),
    ],
)
def test_it_allows_each_move_only_from_where_it_starts(
    transition: Transition,
    state: ExportState,
    started_at: datetime | None,
    finished_at: datetime | None,
    outcome: ExportState | type[Exception],
) -> None:
    # RECLAIM waits on the last progress, the others on the start: one column serves both in this table.
    facts = ExportFacts(state=state, started_at=started_at, finished_at=finished_at, progressed_at=started_at)
    if isinstance(outcome, ExportState):
        assert check_transition(transition, facts, NOW) is outcome
    else:
        with pytest.raises(outcome):
            check_transition(transition, facts, NOW)


def test_it_has_a_rule_for_every_move_and_a_way_out_of_every_state_in_progress() -> None:
    assert set(RULES) == set(Transition)
    for state in IN_PROGRESS:
        assert any(state in rule.sources and rule.target not in IN_PROGRESS for rule in RULES.values()), state


def test_it_keeps_a_build_claimed_for_longer_than_all_its_retries_take() -> None:
    # The first run and each of RETRY's, every one up to BUILD_TIMEOUT, and RETRY's waits between them.
    runs = 1 + RETRY.max
    waits = timedelta(seconds=sum(RETRY.intervals[min(i, len(RETRY.intervals) - 1)] for i in range(RETRY.max)))
    assert runs * BUILD_TIMEOUT + waits < ABANDONED_AFTER


@pytest.mark.parametrize(
    ("state", "written", "to_write", "expected"),
    [
        (S.REQUESTED, 0, 0, 0),
        (S.BUILDING, 0, 0, 0),
        (S.BUILDING, 250, 1000, 25),
        (S.BUILDING, 1000, 1000, 99),  # every row written, the file still being zipped
        (S.READY, 1000, 1000, 100),
        (S.READY, 0, 0, 100),  # an empty list is a ready file too
        (S.FAILED, 500, 1000, 0),
    ],
)
def test_it_tells_how_far_the_build_is(state: ExportState, written: int, to_write: int, expected: int) -> None:
    assert percent(state, written, to_write) == expected
