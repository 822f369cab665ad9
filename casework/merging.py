"""Merging a duplicate case into the one that stays: its needs and its history move over.

Called by `casework.moving` inside the MERGE transition's transaction. The survivor must be
another open case of the same enterprise that the officer reaches; it is claimed (its version
bumped, on the condition that it is still open) so that two officers merging the pair both ways
at once cannot both win. Events move by their `case` column only: ids, times and content stay.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accounts.policy import Actor
from casework.reading import reach_case
from casework.tables import Case, CaseEvent, CaseNeed
from casework.workflow import ENDED
from core.errors import Invalid, NotFound

MERGED_INTO = "merged"  # the survivor's timeline entry; the merged case's is the `merge` transition
SELF = "A case cannot be merged into itself."
UNKNOWN = "Name an open case of the same enterprise, by its number."
OTHER_ENTERPRISE = "The case it duplicates must be of the same enterprise."


async def lock_first(case_id: int, survivor_id: int | None) -> None:
    """Take the survivor's row lock before the merged case's when its id is lower, so that two
    opposite merges lock in the same order and one waits for the other instead of deadlocking."""
    if survivor_id is not None and survivor_id < case_id:
        await Case.update({Case.version: Case.version}).where(Case.id == survivor_id)


async def move_events(from_case: int, to_case: int) -> int:
    """Re-point a case's events at another case: the one change an event ever sees."""
    moved = await CaseEvent.update({CaseEvent.case: to_case}).where(CaseEvent.case == from_case).returning(CaseEvent.id)
    return len(moved)


async def merge_into(actor: Actor, case: dict[str, Any], survivor_id: int) -> dict[str, Any]:
    """Move the case's needs and events to the survivor; returns what the merge event records.

    Data keys are those `casework.timeline.lines` reads: `case` is the other case of the pair.
    """
    case_id = case["id"]
    if survivor_id == case_id:
        raise Invalid({"survivor": SELF})
    try:
        survivor = await reach_case(actor, survivor_id)
    except NotFound:
        raise Invalid({"survivor": UNKNOWN}) from None
    if survivor["enterprise_id"] != case["enterprise_id"]:
        raise Invalid({"survivor": OTHER_ENTERPRISE})
    still_open = (
        await Case.update({Case.version: Case.version + 1, Case.updated_at: datetime.now(UTC)})
        .where((Case.id == survivor_id) & Case.state.not_in([s.value for s in ENDED]))
        .returning(Case.id)
    )
    if not still_open:
        raise Invalid({"survivor": UNKNOWN})
    needs = await CaseNeed.update({CaseNeed.case: survivor_id}).where(CaseNeed.case == case_id).returning(CaseNeed.id)
    events = await move_events(case_id, survivor_id)
    await CaseEvent.insert(
        CaseEvent(
            case=survivor_id,
            actor=actor.user_id,
            kind=MERGED_INTO,
            data={"case": case_id, "needs": len(needs), "events": events},
        )
    )
    return {"case": survivor_id, "needs": len(needs), "events": events}
