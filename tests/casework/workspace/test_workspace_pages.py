"""The expert's workspace as Eve sees it: her offers to answer, the cases she leads, her record.

Eve (expert) is offered Alice's cases by Olga (officer, district A); Ed, another expert, reaches
none of them.
"""

from __future__ import annotations

from typing import Any

import pytest

from casework.followups.rules import FollowUpKind
from casework.tables import Assignment, FollowUp
from casework.workflow import CaseState, Transition
from casework.workspace.service import my_record
from core.config import settings
from core.i18n import gettext
from experts.tables import Expert
from tests.casework.life import Life
from tests.casework.workspace.offers import deadline_of, lapse, offered

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def signed_in(new_client: Any, username: str) -> Any:
    client = new_client()
    await client.login(username)
    return client


async def status_of(offer_id: int) -> str:
    row = await Assignment.select(Assignment.status).where(Assignment.id == offer_id).first()
    assert row is not None
    return str(row["status"])


async def test_it_sends_the_expert_to_his_workspace_after_sign_in(new_client: Any, life: Life) -> None:
    await life.expert("eve")
    eve = new_client()
    signed = await eve.login("eve")
    assert signed.status_code in (302, 303) and signed.headers["location"] == "/workspace"
    page = await eve.http.get("/workspace")
    assert page.status_code == 200 and "我的工作台" in page.text and 'href="/workspace"' in page.text


async def test_it_lists_an_open_offer_with_its_deadline_in_beijing_time_and_no_founder_data(
    new_client: Any, life: Life
) -> None:
    case_id, offer_id = await offered(life, category="financing")
    deadline = (await deadline_of(offer_id))["due_at"].astimezone(settings.display_timezone)

    page = (await (await signed_in(new_client, "eve")).http.get("/workspace")).text

    assert "我的邀请" in page and "我的案件" in page and "我的记录" in page
    assert f"案件 {case_id}" in page and "测试竹编合作社" in page
    assert deadline.strftime("%Y-%m-%d %H:%M") in page
    assert f'action="/workspace/cases/{case_id}/offers/{offer_id}/accept"' in page
    assert f'action="/workspace/cases/{case_id}/offers/{offer_id}/decline"' in page
    assert "谭巧玲" not in page and "023-63861234" not in page  # the founder is not the expert's to read yet


async def test_it_accepts_an_offer_from_the_page(new_client: Any, life: Life) -> None:
    case_id, offer_id = await offered(life)
    eve = await signed_in(new_client, "eve")

    answered = await eve.post_form(f"/workspace/cases/{case_id}/offers/{offer_id}/accept", {}, csrf_from="/workspace")

    assert answered.status_code in (302, 303) and answered.headers["location"] == f"/cases/{case_id}"
    assert await status_of(offer_id) == "accepted"
    page = (await eve.http.get("/workspace")).text
    assert f'href="/cases/{case_id}"' in page and "暂无待您答复的邀请" in page


async def test_it_keeps_the_decline_form_and_says_why_when_the_reason_is_missing(new_client: Any, life: Life) -> None:
    case_id, offer_id = await offered(life)
    eve = await signed_in(new_client, "eve")

    refused = await eve.post_form(
        f"/workspace/cases/{case_id}/offers/{offer_id}/decline", {"reason": "   "}, csrf_from="/workspace"
    )

    assert refused.status_code == 400
    assert "请填写原因。" in refused.text
    assert f'id="reason-{offer_id}"' in refused.text and 'aria-invalid="true"' in refused.text
    assert await status_of(offer_id) == "offered"
    assert await life.state(case_id) is S.ASSIGNED


async def test_it_declines_with_a_reason_and_lists_the_answer_below(new_client: Any, life: Life) -> None:
    case_id, offer_id = await offered(life)
    eve = await signed_in(new_client, "eve")

    answered = await eve.post_form(
        f"/workspace/cases/{case_id}/offers/{offer_id}/decline", {"reason": "本月已满负荷"}, csrf_from="/workspace"
    )

    assert answered.status_code in (302, 303) and answered.headers["location"] == "/workspace?done=declined"
    assert await status_of(offer_id) == "declined" and await life.state(case_id) is S.TRIAGED
    page = (await eve.http.get("/workspace?done=declined")).text
    assert "您已谢绝该邀请" in page and "已谢绝" in page and "本月已满负荷" in page


async def test_it_hides_another_experts_offer_and_refuses_his_answer(new_client: Any, life: Life) -> None:
    case_id, offer_id = await offered(life)
    await life.expert("ed", name="王工")
    ed = await signed_in(new_client, "ed")

    page = (await ed.http.get("/workspace")).text
    assert f"案件 {case_id}" not in page
    answered = await ed.post_form(f"/workspace/cases/{case_id}/offers/{offer_id}/accept", {}, csrf_from="/workspace")
    assert answered.status_code == 404
    assert await status_of(offer_id) == "offered"


async def test_it_tells_the_expert_his_offer_lapsed_and_changes_nothing(new_client: Any, life: Life) -> None:
    case_id, offer_id = await offered(life)
    await lapse(offer_id)
    eve = await signed_in(new_client, "eve")

    page = (await eve.http.get("/workspace")).text
    assert "逾期未答复，已过期" in page  # among the answers of the last 30 days
    answered = await eve.post_form(f"/workspace/cases/{case_id}/offers/{offer_id}/accept", {}, csrf_from="/workspace")

    assert answered.status_code == 409 and "过期，无法再答复" in answered.text
    assert await status_of(offer_id) == "lapsed" and await life.state(case_id) is S.TRIAGED


async def test_it_lists_the_cases_he_leads_with_what_is_due_next(new_client: Any, life: Life) -> None:
    under_way = await life.case()
    await life.bring_to(under_way, S.IN_PROGRESS)
    diagnosing = await life.case()
    await life.bring_to(diagnosing, S.DIAGNOSING)
    closed = await life.case()
    await life.bring_to(closed, S.MONITORING)
    await life.move("olga", closed, T.CLOSE, outcome="resolved")
    soonest = await (
        FollowUp.select(FollowUp.kind, FollowUp.due_at)
        .where((FollowUp.case == under_way) & FollowUp.state.is_in(["pending", "escalated"]))
        .order_by(FollowUp.due_at)
        .first()
    )
    assert soonest is not None

    page = (await (await signed_in(new_client, "eve")).http.get("/workspace")).text
    cases = page[page.index('id="cases"') : page.index('id="record"')]

    assert f'href="/cases/{under_way}"' in cases and f'href="/cases/{diagnosing}"' in cases
    assert f'href="/cases/{closed}"' not in cases  # ended: no longer "my cases"
    assert "下一项到期" in cases and "暂无到期事项" in cases
    assert soonest["due_at"].astimezone(settings.display_timezone).strftime("%Y-%m-%d") in cases
    assert gettext("zh_CN", FollowUpKind(soonest["kind"]).label) in cases and soonest["kind"] not in cases


async def test_it_paginates_his_cases(new_client: Any, life: Life) -> None:
    await life.expert("eve")
    await Expert.update({Expert.capacity: 30}).where(Expert.id == life.experts["eve"])
    for _ in range(21):
        case_id = await life.case()
        await life.bring_to(case_id, S.ASSIGNED)
    eve = await signed_in(new_client, "eve")

    first, second = (await eve.http.get("/workspace")).text, (await eve.http.get("/workspace?page=2")).text

    assert 'rel="next"' in first and first.count('<li><a href="/cases/') == 20
    assert second.count('<li><a href="/cases/') == 1


async def test_it_keeps_his_record(life: Life) -> None:
    declined, declined_offer = await offered(life)
    await life.move("eve", declined, T.DECLINE_ASSIGNMENT, "不熟悉该行业")
    _lapsed, lapsed_offer = await offered(life)
    await lapse(lapsed_offer)
    resolved = await life.case(category="financing")
    await life.bring_to(resolved, S.MONITORING)
    await life.move("olga", resolved, T.CLOSE, outcome="resolved")
    open_case = await life.case()
    await life.bring_to(open_case, S.ASSIGNED)

    record = await my_record(life.actor("eve"))

    assert record.received == 4 and record.led == 2
    assert record.offers == {"declined": 1, "lapsed": 1, "accepted": 2}
    assert record.closed == {"resolved": 1}
    assert record.shares == [("financing", 1, 1)]
    assert record.accept_days == 0.0  # accepted the day they came
    assert declined_offer != lapsed_offer
