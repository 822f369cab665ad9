"""Writing the plan on the real database: the lead expert alone, while it is being written, one event per change."""

from __future__ import annotations

import pytest

from casework.plans import writing
from casework.states import CaseState
from casework.tables import Case, CaseEvent, Measure, PlanVersion, Problem
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.casework.plans.world import PlanWorld, in_days, measure_form

pytestmark = pytest.mark.anyio


async def events(case_id: int) -> list[dict[str, object]]:
    rows = (
        await CaseEvent.select(CaseEvent.kind, CaseEvent.data)
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.id)
        .output(load_json=True)
    )
    return [{"kind": r["kind"], **r["data"]} for r in rows]


async def test_it_lets_the_lead_expert_write_the_whole_plan(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.DIAGNOSING)
    eve = world.actor("eve")

    await writing.write_diagnosis(eve, case_id, "  冷库容量不足\r\n流动资金紧张  ")
    await Case.update({Case.state: "planning"}).where(Case.id == case_id)
    problem_id = await writing.add_problem(eve, case_id, {"title": "资金周转困难", "description": "旺季收购缺钱"})
    measure_id = await writing.add_measure(eve, case_id, problem_id, measure_form())
    await writing.edit_measure(eve, case_id, measure_id, {"owner": "agency", "owner_name": "区农商行"})

    case = await Case.select(Case.diagnosis, Case.version).where(Case.id == case_id).first()
    assert case is not None and case["diagnosis"] == "冷库容量不足\n流动资金紧张"
    assert case["version"] == 5  # every change takes the case's version
    measure = await Measure.select().where(Measure.id == measure_id).first()
    assert measure is not None
    assert (measure["owner"], measure["owner_name"], measure["status"]) == ("agency", "区农商行", "todo")
    assert measure["description"] == measure_form()["description"]  # a field left out keeps its value
    assert [(e["kind"], e["change"]) for e in await events(case_id)] == [
        ("plan_edited", "diagnosis"),
        ("plan_edited", "problem_added"),
        ("plan_edited", "measure_added"),
        ("plan_edited", "measure_edited"),
    ]


@pytest.mark.parametrize(
    ("username", "error"),
    [
        ("alice", NotAllowed),  # the filing broker reaches the case, but may not write the plan
        ("olga", NotAllowed),  # nor may the district's officer
        ("ed", NotFound),  # an expert not assigned does not even see it
        ("oscar", NotFound),  # nor does another district's officer
        ("bob", NotFound),
    ],
)
async def test_it_lets_nobody_else_write_the_plan(world: PlanWorld, username: str, error: type[Exception]) -> None:
    case_id = await world.case()
    with pytest.raises(error):
        await writing.add_problem(world.actor(username), case_id, {"title": "资金周转困难"})
    assert await Problem.count() == 0 and await CaseEvent.count() == 0


async def test_it_keeps_the_plan_as_submitted_while_it_awaits_a_decision(world: PlanWorld) -> None:
    case_id = await world.case()
    problem_id, _ = await world.problem(case_id)
    await PlanVersion.insert(PlanVersion(case=case_id, number=1, status="submitted", content={}))
    eve = world.actor("eve")
    with pytest.raises(Conflict):
        await writing.add_measure(eve, case_id, problem_id, measure_form())
    with pytest.raises(Conflict):
        await writing.write_diagnosis(eve, case_id, "改写")
    assert await Measure.count() == 1


@pytest.mark.parametrize("state", [CaseState.ASSIGNED, CaseState.PLAN_APPROVED, CaseState.IN_PROGRESS])
async def test_it_refuses_problems_and_measures_outside_planning(world: PlanWorld, state: CaseState) -> None:
    case_id = await world.case(state)
    with pytest.raises(Conflict):
        await writing.add_problem(world.actor("eve"), case_id, {"title": "资金周转困难"})


async def test_it_refuses_a_change_made_on_a_stale_page(world: PlanWorld) -> None:
    case_id = await world.case()
    eve = world.actor("eve")
    read_at = await world.version(case_id)
    await writing.add_problem(eve, case_id, {"title": "资金周转困难"}, read_at)
    with pytest.raises(Conflict):  # a second tab, read before the first change
        await writing.add_problem(eve, case_id, {"title": "销路不畅"}, read_at)
    assert [p["title"] for p in await Problem.select(Problem.title)] == ["资金周转困难"]


async def test_it_refuses_a_due_date_in_the_past_but_keeps_one_agreed_before(world: PlanWorld) -> None:
    case_id = await world.case()
    problem_id, (measure_id,) = await world.problem(case_id)
    eve = world.actor("eve")
    with pytest.raises(Invalid) as refused:
        await writing.add_measure(eve, case_id, problem_id, measure_form(due_on=in_days(-1).isoformat()))
    assert refused.value.errors == {"due_on": "The due date cannot be in the past."}

    await Measure.update({Measure.due_on: in_days(-3)}).where(Measure.id == measure_id)
    await writing.edit_measure(eve, case_id, measure_id, {"description": "改为对接信用社"})  # due date untouched
    with pytest.raises(Invalid):
        await writing.edit_measure(eve, case_id, measure_id, {"due_on": in_days(-2).isoformat()})


async def test_it_reorders_and_removes_problems_and_measures(world: PlanWorld) -> None:
    case_id = await world.case()
    first, measures = await world.problem(case_id, [("todo", "expert"), ("todo", "broker")], title="一")
    second, _ = await world.problem(case_id, title="二")
    eve = world.actor("eve")

    await writing.move_problem(eve, case_id, second, "up")
    await writing.move_measure(eve, case_id, measures[1], "up")
    await writing.move_measure(eve, case_id, measures[1], "up")  # already first: stays
    titles = await Problem.select(Problem.title).order_by(Problem.position)
    assert [t["title"] for t in titles] == ["二", "一"]
    order = await Measure.select(Measure.id).where(Measure.problem == first).order_by(Measure.position)
    assert [m["id"] for m in order] == [measures[1], measures[0]]
    with pytest.raises(Invalid):
        await writing.move_problem(eve, case_id, second, "sideways")

    await writing.remove_measure(eve, case_id, measures[0])
    await writing.remove_problem(eve, case_id, first)
    assert await Problem.count() == 1 and await Measure.count() == 1  # the second problem's own measure
    kinds = [e["change"] for e in await events(case_id)]
    assert kinds == ["problem_moved", "measure_moved", "measure_moved", "measure_removed", "problem_removed"]


async def test_it_finds_no_problem_or_measure_of_another_case(world: PlanWorld) -> None:
    case_id = await world.case()
    other = await world.case()
    problem_id, (measure_id,) = await world.problem(other)
    eve = world.actor("eve")
    with pytest.raises(NotFound):
        await writing.edit_problem(eve, case_id, problem_id, {"title": "改"})
    with pytest.raises(NotFound):
        await writing.remove_measure(eve, case_id, measure_id)
    with pytest.raises(NotFound):
        await writing.add_measure(eve, case_id, problem_id, measure_form())
