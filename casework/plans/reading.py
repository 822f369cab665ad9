"""Reading the plan: its page (with what the user may do on it), two versions compared, the printed plan."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from accounts.policy import Actor
from casework.confirmations.rules import facts_of
from casework.plans.compare import diff_plans
from casework.plans.live import live_plan, plan_case, problem_facts, today, version_content, version_list
from casework.plans.rules import (
    CARRYING_OUT_STATES,
    MeasureStatus,
    Owner,
    PlanCase,
    check_may_close_out,
    check_may_write_diagnosis,
    check_may_write_plan,
    check_ready,
    may_record_progress_as,
    moves_from,
    permitted,
    read_problem_ids,
    ready_to_close_out,
)
from casework.plans.service import plan_section
from casework.reading import facts_of as case_facts
from casework.reading import live_leads, open_moves
from casework.services import reach_case
from casework.states import Transition
from casework.tables import Assignment, Case, Confirmation, Problem
from core.db import read_snapshot
from core.errors import NotFound

# The case's transitions that belong on the plan's page (the case page offers them all).
PLAN_TRANSITIONS = (
    Transition.FINISH_DIAGNOSIS,
    Transition.SUBMIT_PLAN,
    Transition.APPROVE_PLAN,
    Transition.RETURN_PLAN,
    Transition.START_WORK,
    Transition.START_MONITORING,
)


async def _unused_confirmations(case_id: int, open_problems: set[int]) -> list[dict[str, Any]]:
    """Confirmations the founder gave whose problems are still open (a close-out to finish)."""
    rows = (
        await Confirmation.select()
        .where((Confirmation.case == case_id) & Confirmation.confirmed_at.is_not_null())
        .order_by(Confirmation.id, ascending=False)
        .limit(20)
        .output(load_json=True)
    )
    found = []
    for row in rows:
        facts = facts_of(row)
        if facts.problems and facts.problems <= open_problems:
            found.append({"id": facts.id, "method": facts.method, "problems": sorted(facts.problems)})
    return found


async def plan_file(actor: Actor, case_id: int) -> dict[str, Any]:
    """The plan of a case the actor reaches, with its versions and what he may do to it now.

    Read in one snapshot, and the workflow's plan facts are taken from the rows the page shows
    (as on the case page): a step the plan still lacks something for is shown with what that is,
    never as a button that can only fail.
    """
    async with read_snapshot():
        case = await reach_case(actor, case_id, Case.held_from, Case.open_question, Case.diagnosis)
        section = await plan_section(case_id, case["diagnosis"])
        plan, versions = section["plan"], section["versions"]
        leads = await live_leads(case_id)
        moves = case_facts(case, leads, section["facts"])
        case = {**case, **open_moves(moves, actor)}
        transitions = case["transitions"]
        facts = PlanCase(moves.state, moves.lead_expert, awaiting_decision=section["facts"].submitted)
        carrying_out = facts.state in CARRYING_OUT_STATES
        can = {
            "diagnosis": permitted(check_may_write_diagnosis, actor, facts),
            "write": permitted(check_may_write_plan, actor, facts),
            "close_out": permitted(check_may_close_out, actor, facts),
        }
        for problem in plan["problems"]:
            problem["ready"] = ready_to_close_out(problem["facts"])
            for measure in problem["measures"]:
                owner = Owner(measure["owner"]) if measure["owner"] in Owner.__members__.values() else Owner.EXPERT
                measure["may_update"] = carrying_out and may_record_progress_as(actor, facts, owner)
                measure["moves"] = moves_from(MeasureStatus(measure["status"]))
        open_ids = {p["id"] for p in plan["problems"] if p["closed_out_at"] is None}
        return {
            "case": case,
            "plan": plan,
            "versions": versions,
            "facts": facts,
            "can": can,
            "plan_transitions": [t for t in transitions if t in PLAN_TRANSITIONS],
            "unused_confirmations": await _unused_confirmations(case_id, open_ids) if can["close_out"] else [],
            "today": today(),
        }


async def plan_version(actor: Actor, case_id: int, number: int) -> dict[str, Any]:
    """One submitted version of the plan, as it was submitted."""
    await reach_case(actor, case_id)
    version = await version_content(case_id, number)
    if version is None:
        raise NotFound()
    return version


async def compare_versions(actor: Actor, case_id: int, a: int | None, b: int | None) -> dict[str, Any]:
    """Two versions side by side (by default the last two) and what changed from `a` to `b`."""
    case = await reach_case(actor, case_id)
    versions = await version_list(case_id)
    numbers = [v["number"] for v in versions]
    if a is None and b is None and len(numbers) >= 2:
        a, b = numbers[-2], numbers[-1]
    old = await version_content(case_id, a) if a is not None else None
    new = await version_content(case_id, b) if b is not None else None
    if old is None or new is None:
        raise NotFound()
    return {"case": case, "versions": versions, "a": old, "b": new, "diff": diff_plans(old["content"], new["content"])}


async def print_file(actor: Actor, case_id: int, number: int | None = None) -> dict[str, Any]:
    """What the printed plan shows: the plan as it stands (or one version), its enterprise and approval."""
    case = await reach_case(actor, case_id)
    versions = await version_list(case_id)
    if number is not None:
        version = await version_content(case_id, number)
        if version is None:
            raise NotFound()
        plan = version["content"]
    else:
        plan = await live_plan(case_id)
        decided = [v for v in versions if v["status"] == "approved"] or versions
        version = decided[-1] if decided else None
    enterprise = (
        await Case.select(
            Case.enterprise.name.as_alias("name"),
            Case.enterprise.credit_code.as_alias("credit_code"),
            Case.enterprise.town.as_alias("town"),
            Case.enterprise.village.as_alias("village"),
            Case.enterprise._.founder._.name.as_alias("founder_name"),
        )
        .where(Case.id == case_id)
        .first()
    )
    lead = (
        await Assignment.select(Assignment.expert.name.as_alias("name"))
        .where((Assignment.case == case_id) & (Assignment.role == "lead") & (Assignment.status == "accepted"))
        .first()
    )
    return {
        "case": case,
        "plan": plan,
        "version": version,
        "snapshot": number is not None,
        "enterprise": enterprise or {},
        "lead_expert_name": lead["name"] if lead else "",
        "printed_at": datetime.now(UTC),
    }


async def signing_file(actor: Actor, case_id: int, problem_ids: list[str]) -> dict[str, Any]:
    """The problems the founder is about to sign for, once they may be closed out."""
    case = await reach_case(actor, case_id)
    check_may_close_out(actor, await plan_case(case_id, case["state"]))
    chosen = read_problem_ids(problem_ids)
    check_ready(await problem_facts(case_id), chosen)
    problems = (
        await Problem.select(Problem.id, Problem.title)
        .where((Problem.case == case_id) & Problem.id.is_in(sorted(chosen)))
        .order_by(Problem.position)
    )
    return {"case": case, "problems": problems}
