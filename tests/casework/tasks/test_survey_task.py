"""A survey task's answers become the enterprise's outcome snapshot, in the transaction that completes it.

The 6-month survey is opened by the follow-up engine itself (the case brought to monitoring, the
survey's due time advanced); surveys an officer dispatches by hand are recorded as his.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from casework.followups.acting import act_on
from casework.followups.rules import FollowUpKind, FollowUpState
from casework.tables import FollowUp, Task
from casework.workflow import CaseState
from enterprises.tables import OutcomeSnapshot
from tests.casework.followups.test_follow_ups import fall_due
from tests.casework.life import Life
from tests.casework.tasks.conftest import World
from tests.casework.tasks.test_pages import NO_FILE, post_multipart, signed_in, version_on

pytestmark = pytest.mark.anyio

# As a broker types them on his phone: full-width digits, a count with 人, a loan in 万.
TYPED = {
    "employees": "１２人",
    "migrant_employees": "5",
    "revenue_band": "100k_500k",
    "status": "operating",
    "loans_obtained": "yes",
    "loan_amount": "５万",
    "note": "新建冷库已投用，明年想扩大种植面积。",
}


async def snapshots(enterprise_id: int) -> list[dict[str, Any]]:
    return await OutcomeSnapshot.select().where(OutcomeSnapshot.enterprise == enterprise_id)


def survey_of(task_id: int) -> Any:
    return (FollowUp.follows == task_id) & (FollowUp.kind == FollowUpKind.OUTCOME_SURVEY)


async def engine_survey(life: Life, months: int) -> tuple[int, int, int]:
    """A case in monitoring whose `months` survey fell due: (enterprise, case, the survey task the engine opened)."""
    enterprise_id = await life.enterprise()
    case_id = await life.case(enterprise=enterprise_id)
    await life.bring_to(case_id, CaseState.MONITORING)
    surveys = (
        await FollowUp.select()
        .where((FollowUp.case == case_id) & (FollowUp.kind == FollowUpKind.OUTCOME_SURVEY))
        .output(load_json=True)
    )
    [survey] = [s for s in surveys if s["data"]["months"] == months]
    await fall_due(survey["id"], timedelta(minutes=1))
    await act_on(survey["id"], survey["version"] + 1)
    [task] = await Task.select(Task.id).where((Task.case == case_id) & (Task.kind == "survey"))
    return enterprise_id, case_id, task["id"]


async def test_it_records_the_outcomes_of_the_6_month_survey_completed_on_the_page(
    new_client: Any, personas: Any
) -> None:
    life = Life(personas)
    enterprise_id, case_id, task_id = await engine_survey(life, 6)
    alice = await signed_in(new_client, "alice")
    page = await alice.http.get(f"/tasks/{task_id}")
    assert page.status_code == 200
    for label in (
        "现有从业人数",
        "其中返乡农民工人数",
        "近12个月营业收入",
        "10万至50万元",
        "上次调查以来是否获得贷款？",
    ):
        assert label in page.text
    assert 'inputmode="numeric"' in page.text

    done = await post_multipart(
        alice, f"/tasks/{task_id}/complete", {**TYPED, "version": version_on(page)}, NO_FILE, f"/tasks/{task_id}"
    )
    assert done.status_code == 302, done.text

    [snapshot] = await snapshots(enterprise_id)
    assert snapshot["source"] == "survey_6m"
    assert (snapshot["employees"], snapshot["migrant_employees"]) == (12, 5)
    assert (snapshot["revenue_band"], snapshot["status"]) == ("100k_500k", "operating")
    assert snapshot["loans_obtained"] is True and Decimal(snapshot["loan_amount"]) == Decimal("50000")
    assert (snapshot["case_id"], snapshot["task_id"], snapshot["recorded_by"]) == (case_id, task_id, life.id("alice"))
    assert snapshot["note"] == TYPED["note"]
    [task] = await Task.select(Task.status, Task.record).where(Task.id == task_id)
    assert task == {"status": "done", "record": TYPED["note"]}
    # The survey it answered is done: it will not escalate.
    [survey] = await FollowUp.select(FollowUp.state).where(survey_of(task_id))
    assert survey["state"] == FollowUpState.DONE

    record = await alice.http.get(f"/tasks/{task_id}")
    assert "6个月成效调查" in record.text and "正常经营" in record.text and "¥50,000.00" in record.text
    assert 'name="employees"' not in record.text  # no form on a done task

    shown = await alice.http.get(f"/enterprises/{enterprise_id}")
    assert "6个月成效调查" in shown.text and "10万至50万元" in shown.text and "¥50,000.00" in shown.text


async def test_it_keeps_what_was_typed_and_names_the_wrong_answer(new_client: Any, world: World) -> None:
    task_id = await world.dispatch(kind="survey", instructions="请了解企业用工情况")
    alice = await signed_in(new_client, "alice")
    path = f"/tasks/{task_id}"
    typed = {**TYPED, "migrant_employees": "十三", "version": version_on(await alice.http.get(path))}
    refused = await post_multipart(alice, f"{path}/complete", typed, NO_FILE, path)
    assert refused.status_code == 400
    assert 'id="e-migrant_employees"' in refused.text and "请输入人数（0 或正整数）。" in refused.text
    for field in ("employees", "revenue_band", "loans_obtained", "loan_amount", "status"):
        assert f'id="e-{field}"' not in refused.text
    assert 'value="１２人"' in refused.text and 'value="５万"' in refused.text and 'value="十三"' in refused.text
    assert 'value="operating" checked' in refused.text and 'value="yes" checked' in refused.text
    assert 'value="100k_500k" selected' in refused.text and TYPED["note"] in refused.text
    assert await snapshots(world.enterprise_a) == []
    assert (await Task.select(Task.status).where(Task.id == task_id))[0]["status"] == "open"

    more = {**typed, "migrant_employees": "13"}  # more returning migrants than employees
    refused = await post_multipart(alice, f"{path}/complete", more, NO_FILE, path)
    assert refused.status_code == 400 and "不能多于从业人数。" in refused.text

    done = await post_multipart(alice, f"{path}/complete", {**typed, "migrant_employees": "５"}, NO_FILE, path)
    assert done.status_code == 302, done.text
    [snapshot] = await snapshots(world.enterprise_a)
    assert snapshot["source"] == "officer"  # dispatched by hand: no follow-up names its months
    assert snapshot["migrant_employees"] == 5


async def test_it_records_a_survey_through_the_api(client: Any, world: World) -> None:
    task_id = await world.dispatch(kind="survey", instructions="请了解企业用工情况")
    alice = await client.api_token("alice")
    path = f"/api/v1/tasks/{task_id}/complete"
    missing = await client.http.post(path, json={"version": 1, "note": "口头答复"}, headers=alice)
    assert missing.status_code == 422, missing.text
    assert set(missing.json()["errors"]) == {
        "employees",
        "migrant_employees",
        "revenue_band",
        "status",
        "loans_obtained",
    }
    answers = {
        "employees": 3,
        "migrant_employees": 4,
        "revenue_band": "none",
        "status": "suspended",
        "loans_obtained": False,
    }
    wrong = await client.http.post(path, json={"version": 1, "answers": answers}, headers=alice)
    assert wrong.status_code == 422 and set(wrong.json()["errors"]) == {"migrant_employees"}
    done = await client.http.post(
        path,
        json={
            "version": 1,
            "answers": {**answers, "migrant_employees": 2, "loans_obtained": True, "loan_amount": "3万"},
        },
        headers=alice,
    )
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "done"
    [snapshot] = await snapshots(world.enterprise_a)
    assert (snapshot["employees"], snapshot["migrant_employees"], snapshot["status"]) == (3, 2, "suspended")
    assert snapshot["loans_obtained"] is True and Decimal(snapshot["loan_amount"]) == Decimal("30000")
    assert snapshot["source"] == "officer"


async def test_it_answers_404_to_another_districts_broker(client: Any, new_client: Any, world: World) -> None:
    task_id = await world.dispatch(kind="survey", instructions="请了解企业用工情况")
    bob = await signed_in(new_client, "bob")
    page = await bob.http.get(f"/tasks/{task_id}")
    assert page.status_code == 404
    posted = await post_multipart(bob, f"/tasks/{task_id}/complete", {**TYPED, "version": "1"}, NO_FILE, "/tasks/mine")
    assert posted.status_code == 404
    api = await client.http.post(
        f"/api/v1/tasks/{task_id}/complete",
        json={
            "version": 1,
            "answers": {
                "employees": 1,
                "migrant_employees": 0,
                "revenue_band": "none",
                "status": "operating",
                "loans_obtained": False,
            },
        },
        headers=await client.api_token("bob"),
    )
    assert api.status_code == 404
    assert await snapshots(world.enterprise_a) == []


async def test_it_closes_the_survey_when_an_officer_cancels_its_task(new_client: Any, personas: Any) -> None:
    life = Life(personas)
    _, _, task_id = await engine_survey(life, 3)
    olga = await signed_in(new_client, "olga")
    path = f"/tasks/{task_id}"
    cancelled = await olga.post_form(
        f"{path}/cancel", {"version": version_on(await olga.http.get(path)), "reason": "企业已搬迁"}, path
    )
    assert cancelled.status_code == 302, cancelled.text
    [survey] = await FollowUp.select(FollowUp.state).where(survey_of(task_id))
    assert survey["state"] == FollowUpState.DONE
