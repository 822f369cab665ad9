"""How long a sign-in attempt must wait, given the recent failures around it (OWASP ASVS V6 / 2.2.1).

The rule slows guessing without ever locking an account, so that nobody can lock a user out by
typing his name with wrong passwords:

- **Per source address** (any name, unknown names included): a client that has failed
  `SOURCE.after` times within `WINDOW` waits 1 s, then 2 s, 4 s … (doubling with each further
  failure) after its latest failure, capped at `SOURCE.cap` (15 minutes). Spraying 40 usernames
  from one address is slowed like guessing one.
- **Per account, from one source**: a client that has failed `PAIR.after` times on one account
  since it last signed in to it waits 1 s, 2 s, 4 s … capped at 15 minutes. A success from that
  source clears this measure.
- **Per account, from everywhere** (a distributed attack, each address trying a little): once
  the account has `ACCOUNT.after` failures within `WINDOW`, every source that has itself failed on
  it waits a delay doubling from 1 s but capped small (`ACCOUNT.cap`, 10 s), counted from the
  account's latest failure. The attack as a whole gets one guess per few seconds from addresses it
  has already used.

The largest of these waits applies. A source with no failures on an account is never slowed by
that account's measures: the owner with the right password from his own client signs in at once
while his name is under attack from elsewhere. Only a client that is itself failing is slowed.

A refusal is answered, not slept: the caller refuses with the wait (429, Retry-After) and records
nothing as a failure, so hammering during a delay neither costs a password check nor grows it.
Two requests racing past the check at the same moment may both be checked; the password hash's
cost bounds what that gains.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

ZERO = timedelta(0)
WINDOW = timedelta(hours=1)  # failures older than this are forgotten (and pruned)


@dataclass(frozen=True)
class Measure:
    """One way of counting failures: how many are tolerated before delays begin, and the longest delay."""

    after: int
    cap: timedelta

    def delay(self, failures: int) -> timedelta:
        """The delay after `failures` failures: none below `after`, then 1 s doubling, at most `cap`."""
        if failures < self.after:
            return ZERO
        doublings = min(failures - self.after, 30)  # 2**30 s is far past any cap
        return min(timedelta(seconds=2**doublings), self.cap)


SOURCE = Measure(after=10, cap=timedelta(minutes=15))
PAIR = Measure(after=3, cap=timedelta(minutes=15))
ACCOUNT = Measure(after=10, cap=timedelta(seconds=10))

# No measure grows past its cap after this many failures; the service reads no more than these.
ENOUGH = max(m.after + math.ceil(math.log2(m.cap.total_seconds())) + 1 for m in (SOURCE, PAIR, ACCOUNT))


def _recent(failures: Iterable[datetime], now: datetime) -> list[datetime]:
    return sorted(at for at in failures if now - at < WINDOW)


def _wait(measure: Measure, failures: Iterable[datetime], now: datetime) -> timedelta:
    recent = _recent(failures, now)
    if not recent:
        return ZERO
    return max(ZERO, recent[-1] + measure.delay(len(recent)) - now)


def failures_since_success(attempts: Sequence[tuple[datetime, bool]]) -> list[datetime]:
    """The times of the failed attempts (time, succeeded) that came after the latest success."""
    latest_success = max((at for at, succeeded in attempts if succeeded), default=None)
    return [at for at, succeeded in attempts if not succeeded and (latest_success is None or at > latest_success)]


def retry_after(
    *,
    by_source: Iterable[datetime],
    by_source_on_account: Iterable[datetime],
    on_account: Iterable[datetime],
    now: datetime,
) -> timedelta:
    """How long this attempt must wait (ZERO: go ahead), from the times of recent failures.

    `by_source`: the source's failures on any name; `by_source_on_account`: its failures on this
    account since it last signed in to it; `on_account`: the account's failures from every source.
    """
    own = list(by_source_on_account)
    waits = [_wait(SOURCE, by_source, now), _wait(PAIR, own, now)]
    if _recent(own, now):  # the account-wide measure slows only sources failing on this account
        waits.append(_wait(ACCOUNT, on_account, now))
    return max(waits)


def whole_seconds(wait: timedelta) -> int:
    """A wait as whole seconds, rounded up (at least 1): what the refusal and Retry-After say."""
    return max(1, math.ceil(wait.total_seconds()))
