from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.throttle import MAX_FAILURES, WINDOW, locked_for

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("minutes_ago", "locked"),
    [
        ([], None),
        ([1, 2, 3, 4], None),
        ([1, 2, 3, 4, 5], WINDOW - timedelta(minutes=5)),
        ([1, 2, 3, 4, 16], None),  # the oldest fell out of the window
        ([1, 1, 1, 1, 1, 14], WINDOW - timedelta(minutes=1)),
    ],
)
def test_it_locks_a_name_after_too_many_recent_failures(minutes_ago: list[int], locked: timedelta | None) -> None:
    assert locked_for([NOW - timedelta(minutes=m) for m in minutes_ago], NOW) == locked


def test_it_lifts_the_lock_when_the_window_has_passed() -> None:
    failures = [NOW - WINDOW - timedelta(seconds=1)] * MAX_FAILURES
    assert locked_for(failures, NOW) is None
