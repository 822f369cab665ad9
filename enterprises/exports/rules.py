"""An export's rules: its states, and one table of the moves that lead from which state to which.

Pure: no web, database or queue. Every move is written by one conditional UPDATE whose WHERE
names the rule's source states and, for a move that must wait, the age it waits for
(`service.move_export`): when no row comes back the export had moved already, which is what makes
the job safe to run twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from core.errors import Conflict


class ExportState(StrEnum):
    REQUESTED = "requested"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"
    EXPIRED = "expired"


# States in which the job still has work to do: the page polls, and the export counts as heavy work.
IN_PROGRESS = frozenset({ExportState.REQUESTED, ExportState.BUILDING})


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


class Transition(StrEnum):
    BUILD = "build"  # the job takes a requested export
    RECLAIM = "reclaim"  # a build that stopped making progress (its worker died) is taken again from the start
    RELEASE = "release"  # a build that met a passing fault is handed back, for RQ's retry to take
    FINISH = "finish"
    FAIL = "fail"
    ABANDON = "abandon"  # a build no run has finished long after every retry would have: failed, freeing the cap
    EXPIRE = "expire"  # the file is deleted some days after it was built


# One run of the build may last this long (RQ stops it then); a build older than this has no worker left.
BUILD_TIMEOUT = timedelta(minutes=15)
# A build that wrote nothing for this long has lost its worker (a chunk takes about a second): a
# run of the job, as recovered from a crashed worker within a minute, may take it again.
STALLED_AFTER = timedelta(minutes=2)
# Longer than RQ's retries of a build (core.jobs.RETRY) take, each run up to BUILD_TIMEOUT.
ABANDONED_AFTER = timedelta(hours=3)
# A ready file is kept this long for its requester to download, then deleted.
KEEP_FOR = timedelta(days=7)


class Since(StrEnum):
    """The time a waiting move counts from: a column of the export."""

    STARTED = "started_at"
    PROGRESSED = "progressed_at"
    FINISHED = "finished_at"


@dataclass(frozen=True)
class Rule:
    sources: frozenset[ExportState]
    target: ExportState
    # A move that must wait: allowed only once `since` lies more than `wait` in the past.
    since: Since | None = None
    wait: timedelta = timedelta(0)


_BUILDING = frozenset({ExportState.BUILDING})

RULES: dict[Transition, Rule] = {
    Transition.BUILD: Rule(frozenset({ExportState.REQUESTED}), ExportState.BUILDING),
    Transition.RECLAIM: Rule(_BUILDING, ExportState.BUILDING, since=Since.PROGRESSED, wait=STALLED_AFTER),
    Transition.RELEASE: Rule(_BUILDING, ExportState.REQUESTED),
    Transition.FINISH: Rule(_BUILDING, ExportState.READY),
    Transition.FAIL: Rule(IN_PROGRESS, ExportState.FAILED),
    Transition.ABANDON: Rule(_BUILDING, ExportState.FAILED, since=Since.STARTED, wait=ABANDONED_AFTER),
    Transition.EXPIRE: Rule(frozenset({ExportState.READY}), ExportState.EXPIRED, since=Since.FINISHED, wait=KEEP_FOR),
}


@dataclass(frozen=True)
class ExportFacts:
    """What the rules need to know of an export."""

    state: ExportState
    started_at: datetime | None = None
    finished_at: datetime | None = None
    progressed_at: datetime | None = None


def waited_enough(rule: Rule, facts: ExportFacts, now: datetime) -> bool:
    """Whether a waiting move's time has come (a move that waits for nothing always may)."""
    if rule.since is None:
        return True
    since: datetime | None = getattr(facts, rule.since.value)
    return since is not None and since < now - rule.wait


def check_transition(transition: Transition, facts: ExportFacts, now: datetime) -> ExportState:
    """The state `transition` leads to, or Conflict when the export is not where the move starts or not yet due."""
    rule = RULES[transition]
    if facts.state not in rule.sources or not waited_enough(rule, facts, now):
        raise Conflict()
    return rule.target


def percent(state: ExportState, rows_written: int, rows_to_write: int) -> int:
    """How far the build is: 100 once ready, never 100 before (the file is zipped after the last row)."""
    if state is ExportState.READY:
        return 100
    if state is ExportState.BUILDING and rows_to_write:
        return min(99, rows_written * 100 // rows_to_write)
    return 0
