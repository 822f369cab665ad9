from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts.throttle import (
    ACCOUNT,
    ENOUGH,
    PAIR,
    SOURCE,
    WINDOW,
    ZERO,
    Measure,
    failures_since_success,
    retry_after,
    whole_seconds,
)

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def ago(*seconds: float) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


def times(count: int, seconds_ago: float = 0) -> list[datetime]:
    """`count` failures, the latest `seconds_ago`, each a second before the next."""
    return ago(*(seconds_ago + i for i in range(count)))


@pytest.mark.parametrize(
    ("failures", "delay"),
    [
        (0, ZERO),
        (2, ZERO),
        (3, 1 * S),
        (4, 2 * S),
        (5, 4 * S),
        (12, 512 * S),
        (13, timedelta(minutes=15)),  # capped, never a lock
        (500, timedelta(minutes=15)),
    ],
)
def test_it_doubles_the_delay_with_each_failure_up_to_the_cap(failures: int, delay: timedelta) -> None:
    assert PAIR.delay(failures) == delay


@pytest.mark.parametrize(
    ("by_source", "by_source_on_account", "on_account", "wait"),
    [
        # a clean client: nothing waits
        ([], [], [], ZERO),
        # the owner from a clean client, his account under heavy attack from elsewhere
        ([], [], times(200), ZERO),
        # one client guessing one account: free for 2, then 1 s, 2 s, 4 s after its latest failure
        (times(2), times(2), times(2), ZERO),
        (times(3), times(3), times(3), 1 * S),
        (times(4), times(4), times(4), 2 * S),
        (times(5), times(5), times(5), 4 * S),
        (times(5, seconds_ago=3), times(5, seconds_ago=3), times(5, seconds_ago=3), 1 * S),
        (times(5, seconds_ago=4), times(5, seconds_ago=4), times(5, seconds_ago=4), ZERO),  # waited it out
        (times(20), times(20), times(20), timedelta(minutes=15)),
        # one client spraying many names, each tried once: the source measure slows it
        (times(9), [], [], ZERO),
        (times(10), [], [], 1 * S),
        (times(11), [], [], 2 * S),
        (times(40), [], [], timedelta(minutes=15)),
        (times(40, seconds_ago=15 * 60), [], [], ZERO),
        # a distributed attack: the account-wide delay is small and slows only clients failing on it
        (times(1), times(1), times(10), 1 * S),
        (times(1), times(1), times(14), 10 * S),
        (times(1), times(1), times(500), 10 * S),
        (times(2), times(2), times(500, seconds_ago=10), ZERO),
        ([], [], times(500), ZERO),
        (times(1), [], times(500), ZERO),  # failed on another name only
        # the largest wait applies
        (times(12), times(3), times(14), 10 * S),
        (times(14), times(3), times(14), 16 * S),
        # failures older than the window are forgotten
        (times(40, seconds_ago=WINDOW.total_seconds()), times(20, seconds_ago=WINDOW.total_seconds()), [], ZERO),
    ],
)
def test_it_answers_how_long_an_attempt_must_wait(
    by_source: list[datetime], by_source_on_account: list[datetime], on_account: list[datetime], wait: timedelta
) -> None:
    assert (
        retry_after(by_source=by_source, by_source_on_account=by_source_on_account, on_account=on_account, now=NOW)
        == wait
    )


@pytest.mark.parametrize(
    ("attempts", "failures"),
    [
        ([], []),
        ([(10, False), (20, False)], [10, 20]),
        ([(10, False), (20, True), (30, False)], [10]),  # a sign-in clears what came before it
        ([(10, True)], []),
    ],
)
def test_it_counts_a_clients_failures_since_it_last_signed_in(
    attempts: list[tuple[int, bool]], failures: list[int]
) -> None:
    assert failures_since_success([(NOW - s * S, ok) for s, ok in attempts]) == ago(*failures)


def test_it_reads_enough_failures_for_every_measure_to_reach_its_cap() -> None:
    for measure in (SOURCE, PAIR, ACCOUNT):
        assert measure.delay(ENOUGH) == measure.cap
        assert measure.delay(ENOUGH - 1) == measure.cap


@pytest.mark.parametrize(("wait", "seconds"), [(ZERO, 1), (S / 10, 1), (S, 1), (S * 1.2, 2), (S * 900, 900)])
def test_it_says_a_wait_in_whole_seconds(wait: timedelta, seconds: int) -> None:
    assert whole_seconds(wait) == seconds


def test_it_never_locks() -> None:
    assert Measure(after=1, cap=timedelta(minutes=15)).delay(10**9) == timedelta(minutes=15)
