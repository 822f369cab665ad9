"""The plan's whole life through the real case transitions: diagnosed, written, refused with no measure,
submitted, returned, revised, approved, carried out, closed out with the founder's code, monitored."""

from __future__ import annotations

from typing import Any

import pytest

from casework.confirmations import service as confirmations
from casework.confirmations.rules import code_in_text
from casework.confirmations.texts import last_text
from casework.plans import closing, progress, reading, writing
from casework.services import transition_case
from casework.states import CaseState
from casework.tables import CaseEvent, PlanVersion
from core.errors import Conflict, Invalid
from tests.casework.plans.world import PlanWorld, in_days, measure_form
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio


async def test_it_carries_a_plan_from_diagnosis_to_monitoring(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.ASSIGNED, diagnosis="")
    eve, olga, alice = world.actor("eve"), world.actor("olga"), world.actor("alice")

    async def move(actor: Any, transition: str, reason: str = "") -> CaseState:
        return (await transition_case(actor, case_id, transition, await world.version(case_id), reason)).target

    assert await move(eve, "start_diagnosis") is CaseState.DIAGNOSING
    with pytest.raises(Invalid):  # no diagnosis written yet
        await move(eve, "finish_diagnosis")
    await writing.write_diagnosis(eve, case_id, "冷库容量不足，旺季收购资金紧张")
    assert await move(eve, "finish_diagnosis") is CaseState.PLANNING

    problem_id = await writing.add_problem(eve, case_id, {"title": "资金周转困难"})
    with pytest.raises(Invalid) as refused:  # a plan submitted with no measure
        await move(eve, "submit_plan")
    assert refused.value.errors == {"plan": "A plan needs at least one problem with a measure."}
    measure_id = await writing.add_measure(eve, case_id, problem_id, measure_form(owner="broker"))
    assert await move(eve, "submit_plan") is CaseState.PLANNING
    with pytest.raises(Conflict):  # the version awaits the officer: the plan is frozen
        await writing.edit_measure(eve, case_id, measure_id, {"due_on": in_days(30).isoformat()})

    await move(olga, "return_plan", "期限太紧，请放宽到一个月")
    await writing.edit_measure(eve, case_id, measure_id, {"due_on": in_days(30).isoformat()})
    await move(eve, "submit_plan")
    compared = await reading.compare_versions(olga, case_id, 1, 2)
    assert [f.field for f in compared["diff"].problems[0].measures[0].fields] == ["due_on"]
    assert await move(olga, "approve_plan") is CaseState.PLAN_APPROVED
    versions = await PlanVersion.select(PlanVersion.number, PlanVersion.status).order_by(PlanVersion.number)
    assert [(v["number"], v["status"]) for v in versions] == [(1, "returned"), (2, "approved")]

    assert await move(eve, "start_work") is CaseState.IN_PROGRESS
    with pytest.raises(Invalid):  # a problem still open
        await move(eve, "start_monitoring")
    await progress.record_progress(alice, case_id, measure_id, "doing")
    await progress.record_progress(alice, case_id, measure_id, "done")
    confirmation_id = await confirmations.request_code(alice, case_id, {"problems": [problem_id]})
    run_worker_until_idle()
    kept = await last_text(case_id)
    assert kept is not None
    code = code_in_text(kept.text)
    assert code is not None
    assert await closing.close_out_with_code(alice, case_id, confirmation_id, code) == [problem_id]
    assert await move(eve, "start_monitoring") is CaseState.MONITORING

    # Every step is on the timeline (the notifications the worker sent are their own events, told elsewhere).
    events = await CaseEvent.select(CaseEvent.kind).where(CaseEvent.kind != "notified").order_by(CaseEvent.id)
    assert [e["kind"] for e in events] == [
        "start_diagnosis",
        "plan_edited",
        "finish_diagnosis",
        "plan_edited",
        "plan_edited",
        "submit_plan",
        "return_plan",
        "plan_edited",
        "submit_plan",
        "approve_plan",
        "start_work",
        "measure_updated",
        "measure_updated",
        "confirmation_requested",
        "text_sent",
        "confirmation_confirmed",
        "problem_closed_out",
        "start_monitoring",
    ]
