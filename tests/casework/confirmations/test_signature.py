"""The founder's signature drawn on the broker's phone: kept as a PNG attachment, confirmed as it is drawn."""

from __future__ import annotations

import base64

import pytest

from casework.attachments.storage import stored_path
from casework.confirmations import service
from casework.plans import closing
from casework.states import CaseState
from casework.tables import Attachment, CaseEvent, Confirmation, Problem
from core.errors import Invalid, NotAllowed
from tests.casework.plans.world import PNG, PlanWorld

pytestmark = pytest.mark.anyio


async def test_it_closes_problems_out_with_the_founders_drawn_signature(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("done", "expert")])
    drawn = "data:image/png;base64," + base64.b64encode(PNG).decode()

    closed = await closing.close_out_with_signature(world.actor("alice"), case_id, [str(problem_id)], drawn)

    assert closed == [problem_id]
    confirmation = await Confirmation.select().where(Confirmation.case == case_id).output(load_json=True).first()
    assert confirmation is not None
    assert confirmation["method"] == "signature" and confirmation["confirmed_at"] is not None
    assert confirmation["purpose"] == {"problems": [problem_id]} and confirmation["code_digest"] == ""
    attachment = await Attachment.select().where(Attachment.id == confirmation["signature"]).first()
    assert attachment is not None
    assert (attachment["purpose"], attachment["content_type"]) == ("signature", "image/png")
    assert stored_path(attachment["stored_name"]).read_bytes() == PNG
    problem = await Problem.select(Problem.confirmation).where(Problem.id == problem_id).first()
    assert problem == {"confirmation": confirmation["id"]}
    kinds = [e["kind"] for e in await CaseEvent.select(CaseEvent.kind).order_by(CaseEvent.id)]
    assert kinds == ["attachment", "confirmation_confirmed", "problem_closed_out"]


@pytest.mark.parametrize(
    "drawn",
    ["", "data:image/jpeg;base64,/9j/4AAQ", "data:image/png;base64," + base64.b64encode(b"GIF89a....").decode()],
)
async def test_it_refuses_anything_but_a_drawn_png(world: PlanWorld, drawn: str) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("done", "expert")])
    with pytest.raises(Invalid) as refused:
        await closing.close_out_with_signature(world.actor("alice"), case_id, [problem_id], drawn)
    assert set(refused.value.errors) == {"signature"}
    assert await Confirmation.count() == 0 and await Attachment.count() == 0


async def test_it_takes_no_signature_for_a_problem_not_ready(world: PlanWorld) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("doing", "expert")])
    with pytest.raises(Invalid):
        await service.record_signature(world.actor("alice"), case_id, PNG, {"problems": [problem_id]})
    with pytest.raises(NotAllowed):
        await service.record_signature(world.actor("eve"), case_id, PNG, {"problems": [problem_id]})
    assert await Confirmation.count() == 0
