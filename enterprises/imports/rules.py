"""An import batch's rules: its states, and one table of the moves that lead from which state to which.

Pure: no web, database or queue. The uploader's moves (confirm, cancel) are checked with
`check_transition` before anything is written. Every move, the jobs' too, is then written by one
conditional UPDATE whose WHERE names the rule's source states (`service.move_batch`): when no row
comes back, the batch had moved already (another worker, a retry, the user), which is what makes
the jobs safe to run twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.errors import Conflict, NotAllowed


class ImportState(StrEnum):
    UPLOADED = "uploaded"
    CHECKING = "checking"
    CHECKED = "checked"
    APPLYING = "applying"
    APPLIED = "applied"
    FAILED = "failed"
    CANCELLED = "cancelled"


# States in which a job still has work to do: the page polls for progress.
IN_PROGRESS = frozenset({ImportState.UPLOADED, ImportState.CHECKING, ImportState.APPLYING})


class Outcome(StrEnum):
    """The dry run's verdict on a row."""

    CREATE = "create"
    MATCH = "match"
    WARNING = "warning"  # imported (created or matched), with what was assumed
    ERROR = "error"
    SKIPPED = "skipped"  # not data: a blank, totals, repeated header or note row


class OnMatch(StrEnum):
    """What the import does with a row that matches an enterprise already registered."""

    UPDATE = "update"
    SKIP = "skip"


class Transition(StrEnum):
    CHECK = "check"  # the dry run's job takes the batch; a check cut short is taken again from the start
    FINISH_CHECK = "finish_check"
    FAIL_CHECK = "fail_check"
    CONFIRM = "confirm"  # the uploader's go-ahead after the dry run
    APPLY = "apply"  # the import's job takes the confirmed batch, which stays applying until done
    FINISH_APPLY = "finish_apply"
    FAIL_APPLY = "fail_apply"
    CANCEL = "cancel"  # the uploader drops the batch before its import
    EXPIRE = "expire"  # never confirmed in time: its rows (personal data) are purged


ONLY_UPLOADER = "Only the person who uploaded the file can confirm or cancel its import."
NOT_WAITING = "This import is not waiting for confirmation."
CANNOT_CANCEL = "This import can no longer be cancelled."
NOTHING_TO_IMPORT = "No row of this file can be imported. Correct the file and upload it again."


@dataclass(frozen=True)
class Rule:
    sources: frozenset[ImportState]
    target: ImportState
    uploader_only: bool = False  # the uploader's move; the others are the jobs'
    refused: str | None = None  # why a batch in none of `sources` cannot make it (None: Conflict's own message)
    needs_importable_rows: bool = False


_CHECKING = frozenset({ImportState.CHECKING})
_APPLYING = frozenset({ImportState.APPLYING})

RULES: dict[Transition, Rule] = {
    Transition.CHECK: Rule(frozenset({ImportState.UPLOADED, ImportState.CHECKING}), ImportState.CHECKING),
    Transition.FINISH_CHECK: Rule(_CHECKING, ImportState.CHECKED),
    Transition.FAIL_CHECK: Rule(_CHECKING, ImportState.FAILED),
    Transition.CONFIRM: Rule(
        frozenset({ImportState.CHECKED}),
        ImportState.APPLYING,
        uploader_only=True,
        refused=NOT_WAITING,
        needs_importable_rows=True,
    ),
    Transition.APPLY: Rule(_APPLYING, ImportState.APPLYING),
    Transition.FINISH_APPLY: Rule(_APPLYING, ImportState.APPLIED),
    Transition.FAIL_APPLY: Rule(_APPLYING, ImportState.FAILED),
    Transition.CANCEL: Rule(
        frozenset({ImportState.UPLOADED, ImportState.CHECKED}),
        ImportState.CANCELLED,
        uploader_only=True,
        refused=CANNOT_CANCEL,
    ),
    Transition.EXPIRE: Rule(frozenset({ImportState.UPLOADED, ImportState.CHECKED}), ImportState.CANCELLED),
}


@dataclass(frozen=True)
class BatchFacts:
    """What the rules need to know of a batch."""

    state: ImportState
    uploaded_by: int
    importable: int  # rows the dry run would create or match


def check_transition(transition: Transition, batch: BatchFacts, user_id: int | None) -> ImportState:
    """The state `transition` leads to, or the domain error that forbids it (`user_id`: who asks, None for a job)."""
    rule = RULES[transition]
    if rule.uploader_only and batch.uploaded_by != user_id:
        raise NotAllowed(ONLY_UPLOADER)
    if batch.state not in rule.sources:
        raise Conflict(rule.refused)
    if rule.needs_importable_rows and not batch.importable:
        raise Conflict(NOTHING_TO_IMPORT)
    return rule.target


def open_to(batch: BatchFacts, user_id: int) -> frozenset[Transition]:
    """The uploader's moves the user may make on the batch now: what his page offers."""
    moves = set()
    for transition, rule in RULES.items():
        if rule.uploader_only:
            try:
                check_transition(transition, batch, user_id)
            except (Conflict, NotAllowed):
                continue
            moves.add(transition)
    return frozenset(moves)


def allows(transition: Transition, state: str) -> bool:
    """Whether a batch in `state` may make `transition` (what the conditional UPDATE will check again)."""
    return state in RULES[transition].sources
