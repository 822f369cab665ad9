"""The plan's and the confirmation's JSON API: the same rules as the pages, scoped, with 4xx for bad input."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from casework.confirmations.rules import code_in_text
from casework.confirmations.texts import last_text
from casework.states import CaseState
from casework.tables import Measure, PlanVersion, Problem
from tests.casework.plans.world import PNG, PlanWorld, in_days, measure_form
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio


async def test_it_writes_the_plan_through_the_api(world: PlanWorld, client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    eve = await client.api_token("eve")
    base = f"/api/v1/cases/{case_id}/plan"

    plan = (await client.http.get(base, headers=eve)).json()
    assert plan["may_write_plan"] and not plan["may_close_out"] and plan["problems"] == []
    written = await client.http.patch(base, json={"diagnosis": "资金紧张", "version": plan["version"]}, headers=eve)
    assert written.status_code == 200 and written.json()["diagnosis"] == "资金紧张"
    stale = await client.http.post(f"{base}/problems", json={"title": "资金", "version": plan["version"]}, headers=eve)
    assert stale.status_code == 409

    problem = await client.http.post(f"{base}/problems", json={"title": "资金周转困难"}, headers=eve)
    assert problem.status_code == 201, problem.text
    problem_id = problem.json()["id"]
    past = await client.http.post(
        f"{base}/problems/{problem_id}/measures", json=measure_form(due_on=in_days(-1).isoformat()), headers=eve
    )
    assert past.status_code == 422 and set(past.json()["errors"]) == {"due_on"}
    assert past.json()["errors"]["due_on"] == "完成期限不能早于今天。"
    measure = await client.http.post(f"{base}/problems/{problem_id}/measures", json=measure_form(), headers=eve)
    assert measure.status_code == 201 and measure.json()["status"] == "todo"
    measure_id = measure.json()["id"]

    edited = await client.http.patch(
        f"{base}/measures/{measure_id}", json={"owner": "agency", "owner_name": "区农商行"}, headers=eve
    )
    assert edited.status_code == 200 and edited.json()["owner_name"] == "区农商行"
    early = await client.http.patch(f"{base}/measures/{measure_id}", json={"status": "doing"}, headers=eve)
    assert early.status_code == 409  # progress only once approved
    both = await client.http.patch(
        f"{base}/measures/{measure_id}", json={"status": "doing", "owner": "expert"}, headers=eve
    )
    assert both.status_code == 422
    moved = await client.http.patch(
        f"{base}/problems/{problem_id}", json={"title": "资金缺口", "move": "up"}, headers=eve
    )
    assert moved.status_code == 200 and moved.json()["title"] == "资金缺口"

    alice = await client.api_token("alice")
    refused = await client.http.post(f"{base}/problems", json={"title": "x"}, headers=alice)
    assert refused.status_code == 403
    for username in ("bob", "ed", "oscar"):
        outsider = await client.api_token(username)
        assert (await client.http.get(base, headers=outsider)).status_code == 404
        assert (
            await client.http.patch(f"{base}/measures/{measure_id}", json={"owner": "expert"}, headers=outsider)
        ).status_code == 404

    assert (await client.http.delete(f"{base}/measures/{measure_id}", headers=eve)).status_code == 204
    assert (await client.http.delete(f"{base}/problems/{problem_id}", headers=eve)).status_code == 204
    assert await Problem.count() == 0 and await Measure.count() == 0


async def test_it_records_progress_and_closes_out_with_a_code_through_the_api(world: PlanWorld, client: Any) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, (measure_id,) = await world.problem(case_id, [("doing", "broker")])
    alice = await client.api_token("alice")
    base = f"/api/v1/cases/{case_id}"

    done = await client.http.patch(
        f"{base}/plan/measures/{measure_id}", json={"status": "done", "expected_status": "doing"}, headers=alice
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    note = await client.http.patch(
        f"{base}/plan/measures/{measure_id}", json={"evidence_note": "已放款"}, headers=alice
    )
    assert note.status_code == 200 and note.json()["evidence_note"] == "已放款"

    eve = await client.api_token("eve")
    assert (
        await client.http.post(f"{base}/confirmations", json={"problems": [problem_id]}, headers=eve)
    ).status_code == 403
    asked = await client.http.post(f"{base}/confirmations", json={"problems": [problem_id]}, headers=alice)
    assert asked.status_code == 201, asked.text
    confirmation = asked.json()
    assert confirmation["state"] == "waiting" and confirmation["tries_left"] == 5
    assert confirmation["phone"] in ("", "139****1234")  # masked; empty until the text is kept
    run_worker_until_idle()
    kept = await last_text(case_id)
    assert kept is not None
    code = code_in_text(kept.text)
    assert code is not None

    wrong = await client.http.post(
        f"{base}/confirmations/{confirmation['id']}/code",
        json={"code": "000000" if code != "000000" else "111111"},
        headers=alice,
    )
    assert wrong.status_code == 422 and wrong.json()["detail"] == "确认码错误。还可尝试 4 次。"
    right = await client.http.post(
        f"{base}/confirmations/{confirmation['id']}/code", json={"code": code}, headers=alice
    )
    assert right.status_code == 201 and right.json()["state"] == "confirmed"
    without = await client.http.post(
        f"{base}/plan/close-out", json={"problems": [problem_id], "confirmation": 999}, headers=alice
    )
    assert without.status_code == 422
    closed = await client.http.post(
        f"{base}/plan/close-out", json={"problems": [problem_id], "confirmation": confirmation["id"]}, headers=alice
    )
    assert closed.status_code == 201, closed.text
    assert closed.json()["open_problems"] == 0 and closed.json()["problems"][0]["confirmation"] == confirmation["id"]


async def test_it_takes_a_signature_through_the_api(world: PlanWorld, client: Any) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("done", "expert")])
    alice = await client.api_token("alice")
    signed = await client.http.post(
        f"/api/v1/cases/{case_id}/confirmations/signature",
        json={"signature": base64.b64encode(PNG).decode(), "problems": [problem_id]},
        headers=alice,
    )
    assert signed.status_code == 201 and signed.json()["state"] == "confirmed"
    assert signed.json()["method"] == "signature"
    bad = await client.http.post(
        f"/api/v1/cases/{case_id}/confirmations/signature",
        json={"signature": "bm90IGEgcG5n", "problems": [problem_id]},
        headers=alice,
    )
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"signature"}


async def test_it_lists_the_versions_and_reads_one(world: PlanWorld, client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    await PlanVersion.insert(PlanVersion(case=case_id, number=1, status="returned", content={"diagnosis": "初稿"}))
    olga = await client.api_token("olga")
    versions = (await client.http.get(f"/api/v1/cases/{case_id}/plan/versions", headers=olga)).json()
    assert [(v["number"], v["status"]) for v in versions] == [(1, "returned")]
    one = await client.http.get(f"/api/v1/cases/{case_id}/plan/versions/1", headers=olga)
    assert one.status_code == 200 and one.json()["content"] == {"diagnosis": "初稿"}
    assert (await client.http.get(f"/api/v1/cases/{case_id}/plan/versions/2", headers=olga)).status_code == 404
    oscar = await client.api_token("oscar")
    assert (await client.http.get(f"/api/v1/cases/{case_id}/plan/versions/1", headers=oscar)).status_code == 404
