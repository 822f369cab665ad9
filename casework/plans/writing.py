"""Writing the plan: the lead expert's diagnosis, problems and measures, while the plan is being written.

Every change takes the case row first (its version bumped, in the state the change needs), so a
submission cannot slip between the check and the write, a form read before the change is refused as
stale, and the version a transition form carries names the plan its sender saw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from piccolo.query.functions.aggregate import Max

from accounts.policy import Actor
from casework.plans.live import plan_case, today
from casework.plans.rules import (
    DIAGNOSIS_STATES,
    WRITING_STATES,
    PlanCase,
    check_may_write_diagnosis,
    check_may_write_plan,
    read_diagnosis,
    read_measure,
    read_problem,
)
from casework.services import reach_case
from casework.states import CaseState
from casework.tables import Case, CaseEvent, Measure, PlanVersion, Problem
from core.db import write_transaction
from core.errors import Conflict, Invalid, NotFound


async def _checked(actor: Actor, case_id: int, check: Callable[[Actor, PlanCase], None]) -> PlanCase:
    case = await reach_case(actor, case_id)
    facts = await plan_case(case_id, case["state"])
    check(actor, facts)
    return facts


async def _take_case(case_id: int, states: frozenset[CaseState], expected_version: int | None) -> None:
    """Inside the transaction: bump the case's version if it is in `states` (and at `expected_version`)."""
    condition = (Case.id == case_id) & Case.state.is_in(list(states))
    if expected_version is not None:
        condition &= Case.version == expected_version
    taken = (
        await Case.update({Case.version: Case.version + 1, Case.updated_at: datetime.now(UTC)})
        .where(condition)
        .returning(Case.id)
    )
    if not taken:
        raise Conflict()
    if await PlanVersion.exists().where((PlanVersion.case == case_id) & (PlanVersion.status == "submitted")):
        raise Conflict("The plan awaits the officer's decision and cannot be changed now.")


async def _event(actor: Actor, case_id: int, change: str, **ids: int) -> None:
    await CaseEvent.insert(
        CaseEvent(case=case_id, actor=actor.user_id, kind="plan_edited", data={"change": change, **ids})
    )


async def write_diagnosis(actor: Actor, case_id: int, text: str, expected_version: int | None = None) -> None:
    await _checked(actor, case_id, check_may_write_diagnosis)
    diagnosis = read_diagnosis(text)
    async with write_transaction():
        await _take_case(case_id, DIAGNOSIS_STATES, expected_version)
        await Case.update({Case.diagnosis: diagnosis}).where(Case.id == case_id)
        await _event(actor, case_id, "diagnosis")


async def _problem_of(case_id: int, problem_id: int) -> dict[str, Any]:
    row = (
        await Problem.select(Problem.id, Problem.title, Problem.description)
        .where((Problem.id == problem_id) & (Problem.case == case_id))
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def _measure_of(case_id: int, measure_id: int) -> dict[str, Any]:
    row = (
        await Measure.select(
            Measure.id, Measure.problem, Measure.description, Measure.owner, Measure.owner_name, Measure.due_on
        )
        .where((Measure.id == measure_id) & (Measure.case == case_id))
        .first()
    )
    if row is None:
        raise NotFound()
    return row


async def add_problem(actor: Actor, case_id: int, form: Mapping[str, str], expected_version: int | None = None) -> int:
    """A new problem at the end of the plan; returns its id."""
    await _checked(actor, case_id, check_may_write_plan)
    problem = read_problem(form)
    async with write_transaction():
        await _take_case(case_id, WRITING_STATES, expected_version)
        last = await Problem.select(Max(Problem.position, alias="last")).where(Problem.case == case_id).first()
        position = ((last or {}).get("last") or 0) + 1
        rows = await Problem.insert(
            Problem(case=case_id, position=position, title=problem.title, description=problem.description)
        ).returning(Problem.id)
        problem_id: int = rows[0]["id"]
        await _event(actor, case_id, "problem_added", problem=problem_id)
    return problem_id


async def edit_problem(
    actor: Actor, case_id: int, problem_id: int, form: Mapping[str, str], expected_version: int | None = None
) -> None:
    """Change a problem's title or description (a field left out keeps its value)."""
    await _checked(actor, case_id, check_may_write_plan)
    row = await _problem_of(case_id, problem_id)
    problem = read_problem({"title": row["title"], "description": row["description"], **form})
    async with write_transaction():
        await _take_case(case_id, WRITING_STATES, expected_version)
        await Problem.update({Problem.title: problem.title, Problem.description: problem.description}).where(
            (Problem.id == problem_id) & (Problem.case == case_id)
        )
        await _event(actor, case_id, "problem_edited", problem=problem_id)


async def remove_problem(actor: Actor, case_id: int, problem_id: int, expected_version: int | None = None) -> None:
    """Remove a problem and its measures (a plan being written has no evidence or close-out yet)."""
    await _checked(actor, case_id, check_may_write_plan)
    await _problem_of(case_id, problem_id)
    async with write_transaction():
        await _take_case(case_id, WRITING_STATES, expected_version)
        await Measure.delete().where((Measure.problem == problem_id) & (Measure.case == case_id))
        await Problem.delete().where((Problem.id == problem_id) & (Problem.case == case_id))
        await _event(actor, case_id, "problem_removed", problem=problem_id)


def _check_direction(direction: str) -> None:
    if direction not in ("up", "down"):
        raise Invalid({"direction": "Choose up or down."})


def _moved(ids: list[int], item_id: int, direction: str) -> list[int]:
    index = ids.index(item_id)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ids):
        ids[index], ids[other] = ids[other], ids[index]
    return ids


async def move_problem(
    actor: Actor, case_id: int, problem_id: int, direction: str, expected_version: int | None = None
) -> None:
    """Move a problem one place up or down; the positions are renumbered 1, 2, …"""
    await _checked(actor, case_id, check_may_write_plan)
    await _problem_of(case_id, problem_id)
    _check_direction(direction)
    async with write_transaction():
        await _take_case(case_id, WRITING_STATES, expected_version)
        rows = (
            await Problem.select(Problem.id)
            .where(Problem.case == case_id)
            .order_by(Problem.position)
            .order_by(Problem.id)
        )
        for position, item_id in enumerate(_moved([r["id"] for r in rows], problem_id, direction), start=1):
            await Problem.update({Problem.position: position}).where(Problem.id == item_id)
        await _event(actor, case_id, "problem_moved", problem=problem_id)


async def add_measure(
    actor: Actor, case_id: int, problem_id: int, form: Mapping[str, str], expected_version: int | None = None
) -> int:
    """A new measure at the end of a problem's list; returns its id."""
    await _checked(actor, case_id, check_may_write_plan)
    await _problem_of(case_id, problem_id)
    measure = read_measure(form, today())
    async with write_transaction():
        await _take_case(case_id, WRITING_STATES, expected_version)
        last = await Measure.select(Max(Measure.position, alias="last")).where(Measure.problem == problem_id).first()
        rows = await Measure.insert(
            Measure(
                problem=problem_id,
                case=case_id,
                position=((last or {}).get("last") or 0) + 1,
                description=measure.description,
                owner=measure.owner,
                owner_name=measure.owner_name,
                due_on=measure.due_on,
                status="todo",
            )
        ).returning(Measure.id)
        measure_id: int = rows[0]["id"]
        await _event(actor, case_id, "measure_added", problem=problem_id, measure=measure_id)
    return measure_id


async def edit_measure(
    actor: Actor, case_id: int, measure_id: int, form: Mapping[str, str], expected_version: int | None = None
) -> None:
    """Change a measure (a field left out keeps its value; an agreed due date may have passed)."""
    await _checked(actor, case_id, check_may_write_plan)
    row = await _measure_of(case_id, measure_id)
    current = {
        "description": row["description"],
        "owner": row["owner"],
        "owner_name": row["owner_name"],
        "due_on": row["due_on"].isoformat(),
    }
    measure = read_measure({**current, **form}, today(), previous_due=row["due_on"])
    async with write_transaction():
        await _take_case(case_id, WRITING_STATES, expected_version)
        await Measure.update(
            {
                Measure.description: measure.description,
                Measure.owner: measure.owner,
                Measure.owner_name: measure.owner_name,
                Measure.due_on: measure.due_on,
                Measure.updated_at: datetime.now(UTC),
            }
        ).where((Measure.id == measure_id) & (Measure.case == case_id))
        await _event(actor, case_id, "measure_edited", problem=row["problem"], measure=measure_id)


async def remove_measure(actor: Actor, case_id: int, measure_id: int, expected_version: int | None = None) -> None:
    await _checked(actor, case_id, check_may_write_plan)
    row = await _measure_of(case_id, measure_id)
    async with write_transaction():
        await _take_case(case_id, WRITING_STATES, expected_version)
        await Measure.delete().where((Measure.id == measure_id) & (Measure.case == case_id))
        await _event(actor, case_id, "measure_removed", problem=row["problem"], measure=measure_id)


async def move_measure(
    actor: Actor, case_id: int, measure_id: int, direction: str, expected_version: int | None = None
) -> None:
    """Move a measure one place up or down within its problem."""
    await _checked(actor, case_id, check_may_write_plan)
    row = await _measure_of(case_id, measure_id)
    _check_direction(direction)
    async with write_transaction():
        await _take_case(case_id, WRITING_STATES, expected_version)
        rows = (
            await Measure.select(Measure.id)
            .where(Measure.problem == row["problem"])
            .order_by(Measure.position)
            .order_by(Measure.id)
        )
        for position, item_id in enumerate(_moved([r["id"] for r in rows], measure_id, direction), start=1):
            await Measure.update({Measure.position: position}).where(Measure.id == item_id)
        await _event(actor, case_id, "measure_moved", problem=row["problem"], measure=measure_id)
