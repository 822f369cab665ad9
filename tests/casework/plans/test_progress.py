"""Carrying out the approved plan on the real database: measures move, evidence is kept, problems close out
only with their measures done or dropped and the founder's confirmation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from casework.plans import closing, progress
from casework.plans.rules import MeasureStatus
from casework.states import CaseState
from casework.tables import Attachment, CaseEvent, Confirmation, Measure, Problem
from core.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.casework.plans.world import PNG, PlanWorld

pytestmark = pytest.mark.anyio


async def status_of(measure_id: int) -> str:
    row = await Measure.select(Measure.status).where(Measure.id == measure_id).first()
    assert row is not None
    return str(row["status"])


async def test_it_moves_a_measure_to_done_and_records_each_move(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    _, (measure_id,) = await world.problem(case_id)
    eve = world.actor("eve")

    assert (
        await progress.record_progress(eve, case_id, measure_id, "doing", expected_status="todo") is MeasureStatus.DOING
    )
    await progress.record_progress(world.actor("olga"), case_id, measure_id, "done")

    assert await status_of(measure_id) == "done"
    moves = await CaseEvent.select(CaseEvent.data).where(CaseEvent.kind == "measure_updated").output(load_json=True)
    assert [(m["data"]["from"], m["data"]["to"]) for m in moves] == [("todo", "doing"), ("doing", "done")]


@pytest.mark.parametrize(
    ("username", "owner", "outcome"),
    [
        ("alice", "broker", None),  # the broker updates the measures the broker owns
        ("alice", "expert", NotAllowed),
        ("carl", "enterprise", None),
        ("ed", "expert", NotFound),
        ("oscar", "broker", NotFound),
        ("bob", "broker", NotFound),
    ],
)
async def test_it_lets_each_role_move_only_the_measures_it_may(
    world: PlanWorld, username: str, owner: str, outcome: type[Exception] | None
) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    _, (measure_id,) = await world.problem(case_id, [("todo", owner)])
    if outcome is None:
        await progress.record_progress(world.actor(username), case_id, measure_id, "doing")
        assert await status_of(measure_id) == "doing"
    else:
        with pytest.raises(outcome):
            await progress.record_progress(world.actor(username), case_id, measure_id, "doing")
        assert await status_of(measure_id) == "todo"


async def test_it_records_no_progress_before_the_plan_is_approved(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.PLANNING)
    _, (measure_id,) = await world.problem(case_id)
    with pytest.raises(Conflict):
        await progress.record_progress(world.actor("eve"), case_id, measure_id, "doing")


async def test_it_wants_a_reason_to_drop_a_measure(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    _, (measure_id,) = await world.problem(case_id)
    with pytest.raises(Invalid) as refused:
        await progress.record_progress(world.actor("eve"), case_id, measure_id, "dropped", " ")
    assert set(refused.value.errors) == {"drop_reason"}
    await progress.record_progress(world.actor("eve"), case_id, measure_id, "dropped", "企业已自筹资金")
    row = await Measure.select(Measure.status, Measure.drop_reason).where(Measure.id == measure_id).first()
    assert row == {"status": "dropped", "drop_reason": "企业已自筹资金"}


async def test_it_refuses_a_move_made_on_a_stale_page(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    _, (measure_id,) = await world.problem(case_id)
    await progress.record_progress(world.actor("eve"), case_id, measure_id, "doing", expected_status="todo")
    # Olga read the page when it was still to do; dropping from doing is a legal move, but not what she saw.
    with pytest.raises(Conflict):
        await progress.record_progress(world.actor("olga"), case_id, measure_id, "dropped", "x", expected_status="todo")
    assert await status_of(measure_id) == "doing"


async def test_it_lets_one_of_many_simultaneous_moves_win(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    _, (measure_id,) = await world.problem(case_id)
    eve, olga = world.actor("eve"), world.actor("olga")
    attempts = [
        progress.record_progress(eve if i % 2 else olga, case_id, measure_id, "doing" if i % 2 else "dropped", "重复")
        for i in range(10)
    ]
    results = await asyncio.gather(*attempts, return_exceptions=True)
    assert sum(1 for r in results if isinstance(r, MeasureStatus)) == 1
    assert all(isinstance(r, MeasureStatus | Conflict) for r in results), results
    assert await CaseEvent.count().where(CaseEvent.kind == "measure_updated") == 1


async def test_it_keeps_a_note_and_a_photo_as_evidence(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    _, (measure_id,) = await world.problem(case_id, [("doing", "broker")])
    alice = world.actor("alice")

    attachment_id = await progress.add_evidence(alice, case_id, measure_id, "贷款已放款 20 万元", ("放款凭证.png", PNG))

    measure = await Measure.select(Measure.evidence, Measure.evidence_note).where(Measure.id == measure_id).first()
    assert measure == {"evidence": attachment_id, "evidence_note": "贷款已放款 20 万元"}
    attachment = (
        await Attachment.select(Attachment.purpose, Attachment.case).where(Attachment.id == attachment_id).first()
    )
    assert attachment == {"purpose": "evidence", "case": case_id}
    with pytest.raises(Invalid):  # nothing new
        await progress.add_evidence(alice, case_id, measure_id, "贷款已放款 20 万元")
    with pytest.raises(Invalid) as refused:  # a file lying about its type
        await progress.add_evidence(alice, case_id, measure_id, None, ("photo.png", b"GIF89a not a png"))
    assert set(refused.value.errors) == {"file"}


async def confirmed(case_id: int, problems: list[int], confirmed_at: datetime | None = None) -> int:
    rows = await Confirmation.insert(
        Confirmation(
            case=case_id,
            method="signature",
            confirmed_at=confirmed_at or datetime.now(UTC),
            purpose={"problems": problems},
        )
    ).returning(Confirmation.id)
    return int(rows[0]["id"])


async def test_it_closes_a_problem_out_with_its_measures_final_and_the_founders_confirmation(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("done", "expert"), ("dropped", "bureau")])
    confirmation_id = await confirmed(case_id, [problem_id])

    assert await closing.close_out(world.actor("alice"), case_id, [str(problem_id)], confirmation_id) == [problem_id]

    problem = await Problem.select().where(Problem.id == problem_id).first()
    assert problem is not None and problem["closed_out_at"] is not None
    assert (problem["closed_out_by"], problem["confirmation"]) == (world.id("alice"), confirmation_id)
    event = await CaseEvent.select(CaseEvent.data).where(CaseEvent.kind == "problem_closed_out").output(load_json=True)
    assert [e["data"] for e in event] == [
        {"problem": problem_id, "title": "资金周转困难", "confirmation": confirmation_id}
    ]
    with pytest.raises(Invalid):  # once
        await closing.close_out(world.actor("alice"), case_id, [problem_id], confirmation_id)


async def test_it_never_closes_a_problem_out_without_what_it_needs(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    other_case = await world.case(CaseState.IN_PROGRESS)
    ready, _ = await world.problem(case_id, [("done", "expert")])
    unfinished, _ = await world.problem(case_id, [("done", "expert"), ("doing", "broker")])
    alice = world.actor("alice")
    pending = await Confirmation.insert(
        Confirmation(case=case_id, method="code", code_digest="x", purpose={"problems": [ready]})
    ).returning(Confirmation.id)
    attempts = [
        ([ready], 0, "confirmation"),  # no confirmation at all
        ([ready], pending[0]["id"], "confirmation"),  # a code not typed in yet
        ([ready], await confirmed(other_case, [ready]), "confirmation"),  # given for another case
        ([ready], await confirmed(case_id, [unfinished]), "confirmation"),  # for another problem
        ([unfinished], await confirmed(case_id, [unfinished]), "problems"),  # a measure still being done
    ]
    for problems, confirmation_id, field in attempts:
        with pytest.raises(Invalid) as refused:
            await closing.close_out(alice, case_id, problems, confirmation_id)
        assert set(refused.value.errors) == {field}, (problems, confirmation_id)
    assert await Problem.count().where(Problem.closed_out_at.is_not_null()) == 0
    assert await CaseEvent.count().where(CaseEvent.kind == "problem_closed_out") == 0


@pytest.mark.parametrize(("username", "error"), [("eve", NotAllowed), ("olga", NotAllowed), ("bob", NotFound)])
async def test_it_lets_only_the_broker_close_problems_out(
    world: PlanWorld, username: str, error: type[Exception]
) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("done", "expert")])
    confirmation_id = await confirmed(case_id, [problem_id])
    with pytest.raises(error):
        await closing.close_out(world.actor(username), case_id, [problem_id], confirmation_id)


async def test_it_closes_a_problem_out_once_when_two_brokers_try_at_once(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("done", "expert")])
    confirmation_id = await confirmed(case_id, [problem_id])
    alice = world.actor("alice")
    results = await asyncio.gather(
        *(closing.close_out(alice, case_id, [problem_id], confirmation_id) for _ in range(6)), return_exceptions=True
    )
    assert sum(1 for r in results if r == [problem_id]) == 1
    assert all(r == [problem_id] or isinstance(r, Invalid | Conflict) for r in results), results
    assert await CaseEvent.count().where(CaseEvent.kind == "problem_closed_out") == 1
