"""The API's PATCH of a problem or a measure: which service a partial change is for.

While the plan is written its problems and measures are edited and moved; once approved, a
measure's status and evidence are recorded. One PATCH does one or the other, never both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from accounts.policy import Actor
from casework.plans import progress, writing
from core.errors import Invalid

PLAN_FIELDS = ("description", "owner", "owner_name", "due_on")


@dataclass(frozen=True)
class MeasurePatch:
    plan: Mapping[str, str]  # description, owner, owner_name, due_on as typed
    move: str | None = None  # up or down
    status: str | None = None
    drop_reason: str = ""
    expected_status: str | None = None
    evidence_note: str | None = None
    version: int | None = None  # the case version read, for plan edits


async def patch_measure(actor: Actor, case_id: int, measure_id: int, patch: MeasurePatch) -> None:
    writes_plan = bool(patch.plan) or patch.move is not None
    records_progress = patch.status is not None or patch.evidence_note is not None
    if writes_plan and records_progress:
        raise Invalid({"status": "Change the plan or record progress, not both at once."})
    if not writes_plan and not records_progress:
        raise Invalid({"measure": "Nothing to change."})
    if patch.plan:
        await writing.edit_measure(actor, case_id, measure_id, patch.plan, patch.version)
    if patch.move is not None:
        await writing.move_measure(actor, case_id, measure_id, patch.move, None if patch.plan else patch.version)
    if patch.status is not None:
        await progress.record_progress(
            actor, case_id, measure_id, patch.status, patch.drop_reason, expected_status=patch.expected_status
        )
    if patch.evidence_note is not None:
        await progress.add_evidence(actor, case_id, measure_id, patch.evidence_note)


async def patch_problem(
    actor: Actor,
    case_id: int,
    problem_id: int,
    changes: Mapping[str, str],
    move: str | None = None,
    version: int | None = None,
) -> None:
    if not changes and move is None:
        raise Invalid({"problem": "Nothing to change."})
    if changes:
        await writing.edit_problem(actor, case_id, problem_id, changes, version)
    if move is not None:
        await writing.move_problem(actor, case_id, problem_id, move, None if changes else version)
