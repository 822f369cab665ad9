"""An offer nobody answers lapses through a real `rq` worker: back to the queue, or on to the next expert."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.tables import Notification
from casework.assigning import LAPSED_ON
from casework.followups.rules import FollowUpKind, FollowUpState, OfferLapse
from casework.followups.scheduling import sweep_follow_ups
from casework.moving import transition_case
from casework.tables import Assignment, CaseEvent, DistrictSetting, FollowUp
from casework.workflow import CaseState, Transition
from core.errors import Conflict
from core.jobs import job_queue
from tests.casework.followups.test_follow_ups import fall_due
from tests.casework.life import Life
from tests.conftest import DISTRICT_A, run_worker_until_idle

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def district_says(lapse: OfferLapse) -> None:
    await DistrictSetting.insert(DistrictSetting(district=DISTRICT_A, on_offer_lapse=lapse.value))


async def offered_to_eve_with_ed_in_the_pool(life: Life) -> int:
    await life.expert("eve", name="李工")
    await life.expert("ed", name="王工")
    case_id = await life.case()
    await life.bring_to(case_id, S.TRIAGED)
    await life.move("olga", case_id, T.ASSIGN, expert=life.experts["eve"])
    return case_id


async def open_deadline(case_id: int) -> dict[str, Any]:
    [deadline] = await FollowUp.select().where(
        (FollowUp.case == case_id)
        & (FollowUp.kind == FollowUpKind.OFFER_DEADLINE)
        & (FollowUp.state == FollowUpState.PENDING)
    )
    return deadline


async def lapse(case_id: int) -> dict[str, Any]:
    """The case's open offer deadline falls due and a real worker acts on it; the follow-up as it was."""
    deadline = await open_deadline(case_id)
    await fall_due(deadline["id"])
    assert sweep_follow_ups() == 1
    run_worker_until_idle()
    return deadline


async def offers(case_id: int) -> list[tuple[str, str, int | None]]:
    rows = (
        await Assignment.select(Assignment.expert.name, Assignment.status, Assignment.offered_by)
        .where(Assignment.case == case_id)
        .order_by(Assignment.id)
    )
    return [(row["expert.name"], row["status"], row["offered_by"]) for row in rows]


async def inbox(life: Life, username: str) -> list[str]:
    rows = await Notification.select(Notification.subject).where(Notification.user == life.id(username))
    return [row["subject"] for row in rows]


async def kinds(case_id: int) -> list[str]:
    rows = await CaseEvent.select(CaseEvent.kind).where(CaseEvent.case == case_id).order_by(CaseEvent.id)
    return [row["kind"] for row in rows if row["kind"] != "notified"]


async def test_it_returns_a_lapsed_offer_to_the_queue_when_the_district_says_so(life: Life) -> None:
    await district_says(OfferLapse.QUEUE)
    case_id = await offered_to_eve_with_ed_in_the_pool(life)

    await lapse(case_id)

    assert await life.state(case_id) is S.TRIAGED
    assert await offers(case_id) == [("李工", "lapsed", life.id("olga"))]  # nobody else was offered it
    assert "The offer of case {number} lapsed" in await inbox(life, "olga")
    assert await inbox(life, "ed") == []


async def test_it_offers_a_lapsed_case_to_the_next_expert_and_back_to_the_queue_when_nobody_is_left(
    life: Life,
) -> None:
    await district_says(OfferLapse.NEXT)
    case_id = await offered_to_eve_with_ed_in_the_pool(life)

    first = await lapse(case_id)

    # Eve's offer lapsed and the system offered the case on to Ed, with his own deadline.
    assert await life.state(case_id) is S.ASSIGNED
    assert await offers(case_id) == [("李工", "lapsed", life.id("olga")), ("王工", "offered", None)]
    assert (await kinds(case_id))[-2:] == ["offer_expired", "offer_escalated"]
    escalated = (
        await CaseEvent.select(CaseEvent.data)
        .where((CaseEvent.case == case_id) & (CaseEvent.kind == "offer_escalated"))
        .output(load_json=True)
        .first()
    )
    assert escalated is not None and escalated["data"]["expert_name"] == "王工"
    second = await open_deadline(case_id)
    assert second["assignee"] == life.id("ed") and second["id"] != first["id"]
    assert "The offer of case {number} lapsed and went to the next expert" in await inbox(life, "olga")
    assert await inbox(life, "eve") == ["You are offered case {number}", "Your offer for case {number} lapsed"]
    assert await inbox(life, "ed") == ["You are offered case {number}"]

    # The same job again (a retry, a second worker) does nothing: no third offer, no second message.
    job_queue().enqueue("casework.followups.jobs.act_on_follow_up", first["id"], first["version"] + 1, job_id="again")
    run_worker_until_idle()
    assert len(await offers(case_id)) == 2 and await inbox(life, "ed") == ["You are offered case {number}"]

    # Eve answers too late: told when it lapsed, and nothing changes.
    version = await life.version(case_id)
    with pytest.raises(Conflict) as late:
        await transition_case(life.actor("eve"), case_id, T.ACCEPT_ASSIGNMENT, version)
    assert late.value.message == LAPSED_ON and late.value.params["date"]
    assert await life.version(case_id) == version

    # Ed lets it lapse too: nobody is left who has not had it, so it goes back to the queue.
    await lapse(case_id)
    assert await life.state(case_id) is S.TRIAGED
    assert [status for _name, status, _by in await offers(case_id)] == ["lapsed", "lapsed"]
    assert await inbox(life, "ed") == ["You are offered case {number}", "Your offer for case {number} lapsed"]
    assert (await inbox(life, "olga")).count("The offer of case {number} lapsed") == 1
    assert sweep_follow_ups() == 0


async def test_it_tells_an_expert_whose_offer_lapsed_when_it_did_rather_than_not_found(life: Life) -> None:
    case_id = await offered_to_eve_with_ed_in_the_pool(life)
    await lapse(case_id)
    version = await life.version(case_id)
    for transition in (T.ACCEPT_ASSIGNMENT, T.DECLINE_ASSIGNMENT):
        with pytest.raises(Conflict) as late:
            await transition_case(life.actor("eve"), case_id, transition, version, "太忙")
        assert late.value.message == LAPSED_ON
    assert await life.state(case_id) is S.TRIAGED and await life.version(case_id) == version
