"""Plan versions: what the case workflow asks of the plan when it moves.

Called by the case transition service inside its transaction: a submission snapshots the plan as
it stands into a new numbered version; a decision marks the version awaiting one; `plan_facts`
tells the workflow rules what they need to know of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accounts.policy import Actor
from casework.tables import Case, Measure, PlanVersion, Problem
from core.errors import Conflict


@dataclass(frozen=True)
class PlanFacts:
    measures: int  # measures of the plan as it stands
    submitted: bool  # a version awaits the officer's decision
    open_problems: int  # problems not yet closed out


async def plan_facts(case_id: int) -> PlanFacts:
    measures = await Measure.count().where(Measure.case == case_id)
    submitted = await PlanVersion.exists().where((PlanVersion.case == case_id) & (PlanVersion.status == "submitted"))
    open_problems = await Problem.count().where((Problem.case == case_id) & Problem.closed_out_at.is_null())
    return PlanFacts(measures=measures, submitted=submitted, open_problems=open_problems)


async def plan_snapshot(case_id: int) -> dict[str, Any]:
    """The plan as it stands: the diagnosis, then each problem with its measures, in order."""
    case = await Case.select(Case.diagnosis).where(Case.id == case_id).first()
    problems = (
        await Problem.select(Problem.id, Problem.title, Problem.description)
        .where(Problem.case == case_id)
        .order_by(Problem.position)
        .order_by(Problem.id)
    )
    measures = (
        await Measure.select(
            Measure.id,
            Measure.problem,
            Measure.description,
            Measure.owner,
            Measure.owner_name,
            Measure.due_on,
            Measure.status,
        )
        .where(Measure.case == case_id)
        .order_by(Measure.position)
        .order_by(Measure.id)
    )
    by_problem: dict[int, list[dict[str, Any]]] = {}
    for measure in measures:
        by_problem.setdefault(measure.pop("problem"), []).append(
            {**measure, "due_on": measure["due_on"].isoformat() if measure["due_on"] else ""}
        )
    return {
        "diagnosis": case["diagnosis"] if case else "",
        "problems": [{**p, "measures": by_problem.get(p["id"], [])} for p in problems],
    }


async def record_submission(case_id: int, actor: Actor) -> int:
    """Snapshot the plan into a new version awaiting the officer's decision; returns its number."""
    latest = (
        await PlanVersion.select(PlanVersion.number)
        .where(PlanVersion.case == case_id)
        .order_by(PlanVersion.number, ascending=False)
        .first()
    )
    number = (latest["number"] if latest else 0) + 1
    await PlanVersion.insert(
        PlanVersion(
            case=case_id,
            number=number,
            status="submitted",
            content=await plan_snapshot(case_id),
            submitted_by=actor.user_id,
        )
    )
    return number


async def record_decision(case_id: int, actor: Actor, approved: bool, comments: str) -> int:
    """Approve or return the version awaiting a decision; returns its number."""
    decided = (
        await PlanVersion.update(
            {
                PlanVersion.status: "approved" if approved else "returned",
                PlanVersion.decided_by: actor.user_id,
                PlanVersion.decided_at: datetime.now(UTC),
                PlanVersion.comments: comments,
            }
        )
        .where((PlanVersion.case == case_id) & (PlanVersion.status == "submitted"))
        .returning(PlanVersion.number)
    )
    if not decided:
        raise Conflict()
    number: int = decided[0]["number"]
    return number
