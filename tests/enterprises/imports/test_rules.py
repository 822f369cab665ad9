"""An import batch's rules as a table: which move leads from which state to which, and who may make it."""

from __future__ import annotations

import pytest

from core.errors import Conflict, DomainError, NotAllowed
from enterprises.imports.rules import (
    CANNOT_CANCEL,
    NOT_WAITING,
    NOTHING_TO_IMPORT,
    ONLY_UPLOADER,
    RULES,
    BatchFacts,
    ImportState,
    Transition,
    allows,
    check_transition,
    open_to,
)

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

ALICE = 1  # uploaded the file
OLGA = 2  # her district officer: sees the batch, may not confirm or cancel it
JOB = None  # a job asks as no one

S = ImportState
T = Transition


@pytest.mark.parametrize(
    ("transition", "state", "user", "importable", "outcome"),
    [
        # The dry run's job takes a new batch, or one whose check was cut short; nothing else.
        (T.CHECK, S.UPLOADED, JOB, 0, S.CHECKING),
        (T.CHECK, S.CHECKING, JOB, 0, S.CHECKING),
        (T.CHECK, S.CHECKED, JOB, 0, Conflict),
        (T.CHECK, S.CANCELLED, JOB, 0, Conflict),
        (T.CHECK, S.APPLIED, JOB, 0, Conflict),
        (T.FINISH_CHECK, S.CHECKING, JOB, 3, S.CHECKED),
        (T.FINISH_CHECK, S.CANCELLED, JOB, 3, Conflict),
        (T.FAIL_CHECK, S.CHECKING, JOB, 0, S.FAILED),
        (T.FAIL_CHECK, S.APPLYING, JOB, 0, Conflict),  # a late failure of a check does not fail the import
        # The uploader confirms a checked batch with rows to import.
        (T.CONFIRM, S.CHECKED, ALICE, 3, S.APPLYING),
        (T.CONFIRM, S.CHECKED, OLGA, 3, (NotAllowed, ONLY_UPLOADER)),
        (T.CONFIRM, S.CHECKED, ALICE, 0, (Conflict, NOTHING_TO_IMPORT)),
        (T.CONFIRM, S.UPLOADED, ALICE, 0, (Conflict, NOT_WAITING)),
        (T.CONFIRM, S.CHECKING, ALICE, 0, (Conflict, NOT_WAITING)),
        (T.CONFIRM, S.APPLYING, ALICE, 3, (Conflict, NOT_WAITING)),
        (T.CONFIRM, S.APPLIED, ALICE, 3, (Conflict, NOT_WAITING)),
        (T.CONFIRM, S.CANCELLED, ALICE, 3, (Conflict, NOT_WAITING)),
        (T.CONFIRM, S.APPLIED, OLGA, 3, (NotAllowed, ONLY_UPLOADER)),  # who asks is checked first
        # The import's job takes the confirmed batch, and ends it applied or failed.
        (T.APPLY, S.APPLYING, JOB, 3, S.APPLYING),
        (T.APPLY, S.APPLIED, JOB, 3, Conflict),
        (T.APPLY, S.CHECKED, JOB, 3, Conflict),
        (T.FINISH_APPLY, S.APPLYING, JOB, 3, S.APPLIED),
        (T.FINISH_APPLY, S.APPLIED, JOB, 3, Conflict),
        (T.FAIL_APPLY, S.APPLYING, JOB, 3, S.FAILED),
        (T.FAIL_APPLY, S.APPLIED, JOB, 3, Conflict),
        # The uploader cancels before the import, never after it began.
        (T.CANCEL, S.UPLOADED, ALICE, 0, S.CANCELLED),
        (T.CANCEL, S.CHECKED, ALICE, 0, S.CANCELLED),
        (T.CANCEL, S.CHECKED, OLGA, 0, (NotAllowed, ONLY_UPLOADER)),
        (T.CANCEL, S.CHECKING, ALICE, 0, (Conflict, CANNOT_CANCEL)),
        (T.CANCEL, S.APPLYING, ALICE, 3, (Conflict, CANNOT_CANCEL)),
        (T.CANCEL, S.APPLIED, ALICE, 3, (Conflict, CANNOT_CANCEL)),
        (T.CANCEL, S.FAILED, ALICE, 0, (Conflict, CANNOT_CANCEL)),
        (T.CANCEL, S.CANCELLED, ALICE, 0, (Conflict, CANNOT_CANCEL)),
        # A batch never confirmed in time expires (its rows purged); one already importing does not.
        (T.EXPIRE, S.CHECKED, JOB, 3, S.CANCELLED),
        (T.EXPIRE, S.UPLOADED, JOB, 0, S.CANCELLED),
        (T.EXPIRE, S.APPLYING, JOB, 3, Conflict),
    ],
)
def test_it_applies_the_transition_rules(
    transition: Transition, state: ImportState, user: int | None, importable: int, outcome: object
) -> None:
    batch = BatchFacts(state=state, uploaded_by=ALICE, importable=importable)
    if isinstance(outcome, ImportState):
        assert check_transition(transition, batch, user) is outcome
        return
    error, message = outcome if isinstance(outcome, tuple) else (outcome, None)
    with pytest.raises(error) as caught:
        check_transition(transition, batch, user)
    if message is not None:
        assert isinstance(caught.value, DomainError) and caught.value.message == message


@pytest.mark.parametrize(
    ("transition", "sources", "target"),
    [
        (T.CHECK, {S.UPLOADED, S.CHECKING}, S.CHECKING),
        (T.FINISH_CHECK, {S.CHECKING}, S.CHECKED),
        (T.FAIL_CHECK, {S.CHECKING}, S.FAILED),
        (T.CONFIRM, {S.CHECKED}, S.APPLYING),
        (T.APPLY, {S.APPLYING}, S.APPLYING),
        (T.FINISH_APPLY, {S.APPLYING}, S.APPLIED),
        (T.FAIL_APPLY, {S.APPLYING}, S.FAILED),
        (T.CANCEL, {S.UPLOADED, S.CHECKED}, S.CANCELLED),
        (T.EXPIRE, {S.UPLOADED, S.CHECKED}, S.CANCELLED),
    ],
)
def test_it_allows_each_move_from_its_source_states_only(
    transition: Transition, sources: set[ImportState], target: ImportState
) -> None:
    assert {state for state in ImportState if allows(transition, state)} == sources
    assert RULES[transition].target is target


def test_it_has_a_rule_for_every_move() -> None:
    assert set(RULES) == set(Transition)


@pytest.mark.parametrize(
    ("state", "importable", "user_id", "moves"),
    [
        (ImportState.UPLOADED, 0, 7, {Transition.CANCEL}),
        (ImportState.CHECKED, 3, 7, {Transition.CONFIRM, Transition.CANCEL}),
        (ImportState.CHECKED, 0, 7, {Transition.CANCEL}),
        (ImportState.CHECKED, 3, 8, set()),  # not the uploader
        (ImportState.APPLYING, 3, 7, set()),
        (ImportState.APPLIED, 3, 7, set()),
    ],
)
def test_it_offers_the_uploader_only_the_moves_the_rules_allow(
    state: ImportState, importable: int, user_id: int, moves: set[Transition]
) -> None:
    assert open_to(BatchFacts(state=state, uploaded_by=7, importable=importable), user_id) == moves
