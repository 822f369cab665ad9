"""The plan as it stands in its rows: problems with their measures, the lead expert, the facts the rules need.

Reads only, for a case the caller has already checked the actor reaches; used by the case page
(`casework.plans.service.plan_section`) and by the plan's own services.
"""

from __future__ import annotations

from typing import Any

from casework.plans.rules import MeasureStatus, PlanCase, ProblemFacts
from casework.states import CaseState
from casework.tables import Assignment, Case, Measure, PlanVersion, Problem
from core.config import bureau_today

today = bureau_today  # one definition, in core.config


async def lead_expert(case_id: int) -> int | None:
    """The user id of the expert who accepted the lead on the case, if any."""
    row = (
        await Assignment.select(Assignment.expert_user)
        .where(
            (Assignment.case == case_id)
            & (Assignment.role == "lead")
            & (Assignment.status == "accepted")
            & Assignment.expert_user.is_not_null()
        )
        .first()
    )
    return row["expert_user"] if row else None


async def awaiting_decision(case_id: int) -> bool:
    return await PlanVersion.exists().where((PlanVersion.case == case_id) & (PlanVersion.status == "submitted"))


async def plan_case(case_id: int, state: str) -> PlanCase:
    return PlanCase(
        state=CaseState(state),
        lead_expert=await lead_expert(case_id),
        awaiting_decision=await awaiting_decision(case_id),
    )


async def problem_facts(case_id: int) -> dict[int, ProblemFacts]:
    """Each problem of the case: whether it is closed out and where its measures stand."""
    problems = await Problem.select(Problem.id, Problem.closed_out_at).where(Problem.case == case_id)
    measures = await Measure.select(Measure.problem, Measure.status).where(Measure.case == case_id)
    statuses: dict[int, list[MeasureStatus]] = {}
    for measure in measures:
        statuses.setdefault(measure["problem"], []).append(MeasureStatus(measure["status"]))
    return {
        p["id"]: ProblemFacts(p["id"], p["closed_out_at"] is not None, tuple(statuses.get(p["id"], [])))
        for p in problems
    }


_MEASURE_COLUMNS = (
    Measure.id,
    Measure.problem,
    Measure.position,
    Measure.description,
    Measure.owner,
    Measure.owner_name,
    Measure.due_on,
    Measure.status,
    Measure.drop_reason,
    Measure.evidence_note,
    Measure.evidence,
    Measure.updated_at,
)


async def live_plan(case_id: int, diagnosis: str | None = None) -> dict[str, Any]:
    """The diagnosis, then each problem in order with its measures in order, and what is open.

    `diagnosis`: the case's, when the caller has read its row already.
    """
    if diagnosis is None:
        case = await Case.select(Case.diagnosis).where(Case.id == case_id).first()
        diagnosis = case["diagnosis"] if case else ""
    problems = (
        await Problem.select(
            Problem.id,
            Problem.position,
            Problem.title,
            Problem.description,
            Problem.closed_out_at,
            Problem.confirmation,
            Problem.closed_out_by.display_name.as_alias("closed_out_by_name"),
        )
        .where(Problem.case == case_id)
        .order_by(Problem.position)
        .order_by(Problem.id)
    )
    measures = (
        await Measure.select(*_MEASURE_COLUMNS)
        .where(Measure.case == case_id)
        .order_by(Measure.position)
        .order_by(Measure.id)
    )
    by_problem: dict[int, list[dict[str, Any]]] = {}
    for measure in measures:
        by_problem.setdefault(measure["problem"], []).append(measure)
    rows = []
    for problem in problems:
        own = by_problem.get(problem["id"], [])
        facts = ProblemFacts(
            problem["id"], problem["closed_out_at"] is not None, tuple(MeasureStatus(m["status"]) for m in own)
        )
        rows.append({**problem, "measures": own, "facts": facts})
    return {
        "diagnosis": diagnosis,
        "problems": rows,
        "measure_count": len(measures),
        "done_count": sum(1 for m in measures if MeasureStatus(m["status"]).is_final),
        "open_problems": sum(1 for p in problems if p["closed_out_at"] is None),
    }


async def version_list(case_id: int) -> list[dict[str, Any]]:
    """The case's plan versions, first to last, without their content."""
    return (
        await PlanVersion.select(
            PlanVersion.id,
            PlanVersion.number,
            PlanVersion.status,
            PlanVersion.submitted_at,
            PlanVersion.decided_at,
            PlanVersion.comments,
            PlanVersion.submitted_by.display_name.as_alias("submitted_by_name"),
            PlanVersion.decided_by.display_name.as_alias("decided_by_name"),
        )
        .where(PlanVersion.case == case_id)
        .order_by(PlanVersion.number)
    )


async def version_content(case_id: int, number: int) -> dict[str, Any] | None:
    return (
        await PlanVersion.select(
            PlanVersion.number,
            PlanVersion.status,
            PlanVersion.content,
            PlanVersion.submitted_at,
            PlanVersion.decided_at,
            PlanVersion.comments,
            PlanVersion.submitted_by.display_name.as_alias("submitted_by_name"),
            PlanVersion.decided_by.display_name.as_alias("decided_by_name"),
        )
        .where((PlanVersion.case == case_id) & (PlanVersion.number == number))
        .output(load_json=True)
        .first()
    )
