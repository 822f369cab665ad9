"""The plan's pages over HTTP: who reaches them, who may do what, CSRF, bad input kept as typed, in Chinese."""

from __future__ import annotations

import base64
import dataclasses
import re
from typing import Any

import pytest

from casework.confirmations import service as confirmations
from casework.confirmations.rules import code_in_text
from casework.confirmations.texts import last_text
from casework.states import CaseState
from casework.tables import Attachment, Measure, PlanVersion, Problem
from core.config import settings
from tests.casework.plans.world import PNG, PlanWorld, in_days, measure_form
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio

CSRF_PAGE = "/notifications"  # every signed-in user has one, so a token is there to take


async def signed_in(new_client: Any, username: str) -> Any:
    client = new_client()
    response = await client.login(username)
    assert response.status_code in (302, 303), response.text
    return client


async def test_it_shows_the_plan_to_those_who_reach_the_case_only(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    await world.problem(case_id, title="冷库容量不足")
    for username in ("eve", "alice", "olga", "carl"):
        client = await signed_in(new_client, username)
        for path in ("/plan", "/plan/print"):
            response = await client.http.get(f"/cases/{case_id}{path}")
            assert response.status_code == 200, (username, path)
            assert "冷库容量不足" in response.text
    for username in ("bob", "oscar", "ed"):
        client = await signed_in(new_client, username)
        for path in ("/plan", "/plan/print", "/plan/compare?a=1&b=2", "/plan/confirmations/1", "/plan/sign?problems=1"):
            response = await client.http.get(f"/cases/{case_id}{path}")
            assert response.status_code in (403, 404), (username, path)
            assert "冷库容量不足" not in response.text


ROUTES = [
    ("/plan/diagnosis", {"diagnosis": "改写"}),
    ("/plan/problems", {"title": "新问题"}),
    ("/plan/problems/{problem}", {"title": "改"}),
    ("/plan/problems/{problem}/move", {"direction": "up"}),
    ("/plan/problems/{problem}/remove", {}),
    ("/plan/problems/{problem}/measures", measure_form()),
    ("/plan/measures/{measure}", measure_form()),
    ("/plan/measures/{measure}/move", {"direction": "up"}),
    ("/plan/measures/{measure}/remove", {}),
    ("/plan/measures/{measure}/status", {"status": "doing"}),
    ("/plan/confirmations", {"problems": "{problem}"}),
    ("/plan/confirmations/1/code", {"code": "123456"}),
    ("/plan/close-out", {"problems": "{problem}", "confirmation": "1"}),
]


@pytest.mark.parametrize("username", ["bob", "oscar", "ed"])
async def test_it_answers_404_to_those_out_of_reach(world: PlanWorld, new_client: Any, username: str) -> None:
    case_id = await world.case(CaseState.PLANNING)
    problem_id, (measure_id,) = await world.problem(case_id)
    client = await signed_in(new_client, username)
    ids = {"problem": problem_id, "measure": measure_id}
    for path, form in ROUTES:
        response = await client.post_form(
            f"/cases/{case_id}{path.format(**ids)}", {k: v.format(**ids) for k, v in form.items()}, CSRF_PAGE
        )
        # Only a broker takes a founder's confirmation: the policy refuses others (403) before reach is asked.
        brokers_only = "confirmations" in path or "close-out" in path
        assert response.status_code == (403 if brokers_only and username != "bob" else 404), path
    assert await Problem.count() == 1 and await Measure.count() == 1


async def test_it_refuses_a_broker_who_edits_and_an_expert_who_closes_out(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    alice = await signed_in(new_client, "alice")
    response = await alice.post_form(f"/cases/{case_id}/plan/problems", {"title": "新问题"}, csrf_from=CSRF_PAGE)
    assert response.status_code == 403
    await world.problem(case_id, [("done", "expert")])
    eve = await signed_in(new_client, "eve")
    response = await eve.post_form(f"/cases/{case_id}/plan/confirmations", {"problems": "1"}, csrf_from=CSRF_PAGE)
    assert response.status_code == 403
    assert await Problem.count() == 1


async def test_it_refuses_a_form_without_its_csrf_token(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    eve = await signed_in(new_client, "eve")
    response = await eve.http.post(f"/cases/{case_id}/plan/problems", data={"title": "新问题"})
    assert response.status_code == 403
    assert await Problem.count() == 0


async def test_it_lets_the_lead_expert_write_the_plan_on_its_page(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    eve = await signed_in(new_client, "eve")
    plan = f"/cases/{case_id}/plan"
    version = str(await world.version(case_id))

    added = await eve.post_form(f"{plan}/problems", {"title": "资金周转困难", "version": version}, csrf_from=plan)
    assert added.status_code == 302 and added.headers["location"].startswith(plan)
    problem = await Problem.select(Problem.id).first()
    assert problem is not None
    form = measure_form(
        description="对接信用社贷款", due_on=in_days(-1).isoformat(), form=f"new-measure-{problem['id']}"
    )
    refused = await eve.post_form(f"{plan}/problems/{problem['id']}/measures", form, csrf_from=plan)
    assert refused.status_code == 400
    assert "对接信用社贷款" in refused.text  # what she typed is still there
    assert "完成期限不能早于今天" in refused.text  # the error beside it, in Chinese
    assert await Measure.count() == 0

    form["due_on"] = in_days(5).isoformat()
    assert (await eve.post_form(f"{plan}/problems/{problem['id']}/measures", form, csrf_from=plan)).status_code == 302
    page = await eve.http.get(plan)
    assert "对接信用社贷款" in page.text and "保存诊断" in page.text
    stale = await eve.post_form(f"{plan}/problems", {"title": "销路", "version": version}, csrf_from=plan)
    assert stale.status_code == 409  # read before the two changes since


async def test_it_lets_the_broker_move_his_measure_and_keep_its_evidence(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    _, (mine, experts) = await world.problem(case_id, [("todo", "broker"), ("todo", "expert")])
    alice = await signed_in(new_client, "alice")
    plan = f"/cases/{case_id}/plan"
    page = await alice.http.get(plan)
    assert f'action="{plan}/measures/{mine}/status"' in page.text
    assert f'action="{plan}/measures/{experts}/status"' not in page.text  # not hers to move

    moved = await alice.post_form(
        f"{plan}/measures/{mine}/status", {"status": "doing", "expected_status": "todo"}, plan
    )
    assert moved.status_code == 302
    stale = await alice.post_form(f"{plan}/measures/{mine}/status", {"status": "done", "expected_status": "todo"}, plan)
    assert stale.status_code == 409
    not_hers = await alice.post_form(f"{plan}/measures/{experts}/status", {"status": "doing"}, plan)
    assert not_hers.status_code == 403

    token = await alice.csrf(plan)
    uploaded = await alice.http.post(
        f"{plan}/measures/{mine}/evidence",
        data={"_csrf_token": token, "form": f"evidence-{mine}", "evidence_note": "已上门核实"},
        files={"file": ("现场.png", PNG, "image/png")},
    )
    assert uploaded.status_code == 302, uploaded.text
    assert await Attachment.count().where(Attachment.purpose == "evidence") == 1
    lying = await alice.http.post(
        f"{plan}/measures/{mine}/evidence",
        data={"_csrf_token": token, "form": f"evidence-{mine}", "evidence_note": "第二张"},
        files={"file": ("photo.png", b"MZ\x90\x00 not an image", "image/png")},
    )
    assert lying.status_code == 400 and "第二张" in lying.text


async def test_it_closes_a_problem_out_with_the_code_the_founder_reads_out(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("done", "expert")], title="冷库容量不足")
    alice = await signed_in(new_client, "alice")
    plan = f"/cases/{case_id}/plan"

    asked = await alice.post_form(f"{plan}/confirmations", {"problems": str(problem_id), "method": "code"}, plan)
    assert asked.status_code == 302
    code_page = asked.headers["location"]
    page = await alice.http.get(code_page)
    assert "139****1234" in page.text and "13983451234" not in page.text
    run_worker_until_idle()
    kept = await last_text(case_id)
    assert kept is not None
    code = code_in_text(kept.text)
    assert code is not None

    wrong = await alice.post_form(f"{code_page}/code", {"code": "000000" if code != "000000" else "111111"}, code_page)
    assert wrong.status_code == 400
    assert "确认码错误" in wrong.text and "还可尝试 4 次" in wrong.text
    right = await alice.post_form(f"{code_page}/code", {"code": code}, code_page)
    assert right.status_code == 302 and right.headers["location"].startswith(f"{plan}?closed=1")
    page = await alice.http.get(right.headers["location"])
    assert "已凭创业者确认销号" in page.text and "已销号" in page.text
    assert "所有问题均已销号" in page.text  # the close-out box no longer invites an impossible close-out


async def test_it_closes_a_problem_out_with_the_founders_signature(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("dropped", "bureau")])
    alice = await signed_in(new_client, "alice")
    plan = f"/cases/{case_id}/plan"

    chose = await alice.post_form(f"{plan}/confirmations", {"problems": str(problem_id), "method": "signature"}, plan)
    assert chose.status_code == 302
    sign_page = await alice.http.get(chose.headers["location"])
    assert sign_page.status_code == 200
    assert "<canvas" in sign_page.text and '<script src="/static/signature.js"' in sign_page.text
    assert "<script>" not in sign_page.text  # no inline script: a Content-Security-Policy will forbid them

    token = re.search(r'name="_csrf_token" value="([^"]+)"', sign_page.text)
    assert token
    empty = await alice.http.post(
        f"{plan}/signature",
        data={"_csrf_token": token.group(1), "problems": str(problem_id), "signature": ""},
        files={"signature_file": ("", b"", "application/octet-stream")},
    )
    assert empty.status_code == 400 and "请先签字" in empty.text
    drawn = "data:image/png;base64," + base64.b64encode(PNG).decode()
    signed = await alice.http.post(
        f"{plan}/signature",
        data={"_csrf_token": token.group(1), "problems": str(problem_id), "signature": drawn},
        files={"signature_file": ("", b"", "application/octet-stream")},
    )
    assert signed.status_code == 302, signed.text
    assert await Problem.count().where(Problem.closed_out_at.is_not_null()) == 1


async def test_it_shows_the_code_on_screen_in_demo_mode_only(
    world: PlanWorld, new_client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    problem_id, _ = await world.problem(case_id, [("done", "expert")])
    alice = world.actor("alice")
    confirmation_id = await confirmations.request_code(alice, case_id, {"problems": [problem_id]})
    client = await signed_in(new_client, "alice")
    path = f"/cases/{case_id}/plan/confirmations/{confirmation_id}"
    kept = await last_text(case_id)
    assert kept is not None
    code = code_in_text(kept.text)
    assert code is not None
    assert code not in (await client.http.get(path)).text
    monkeypatch.setattr(confirmations, "settings", dataclasses.replace(settings, demo=True))
    demo = await client.http.get(path)
    assert "演示模式" in demo.text and code in demo.text


async def test_it_prints_the_plan_for_the_enterprises_file(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.IN_PROGRESS)
    await world.problem(case_id, [("doing", "agency")], title="冷库容量不足")
    await PlanVersion.insert(PlanVersion(case=case_id, number=1, status="approved", content={"diagnosis": "旧"}))
    olga = await signed_in(new_client, "olga")

    page = await olga.http.get(f"/cases/{case_id}/plan/print")
    assert page.status_code == 200
    text = page.text
    assert '<link rel="stylesheet" href="/static/print.css">' in text and "<nav" not in text
    assert "一企一策" in text and "春华柑橘家庭农场" in text and "冷库容量不足" in text
    assert "第 1 版" in text and "已批准" in text and "签字" in text and "<script>" not in text
    css = await olga.http.get("/static/print.css")
    assert css.status_code == 200 and "size: A4" in css.text

    version = await olga.http.get(f"/cases/{case_id}/plan/print?version=1")
    assert version.status_code == 200 and "冷库容量不足" not in version.text  # the version as it was submitted
    assert (await olga.http.get(f"/cases/{case_id}/plan/print?version=9")).status_code == 404


async def test_it_compares_two_versions_side_by_side(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    measure = {"id": 1, "description": "对接银行", "owner": "bureau", "owner_name": "", "due_on": "2027-01-01"}
    first = {
        "diagnosis": "资金紧张",
        "problems": [{"id": 1, "title": "资金", "description": "", "measures": [measure]}],
    }
    second = {
        "diagnosis": "资金紧张",
        "problems": [{"id": 1, "title": "资金", "description": "", "measures": [{**measure, "due_on": "2027-02-01"}]}],
    }
    await PlanVersion.insert(
        PlanVersion(case=case_id, number=1, status="returned", content=first),
        PlanVersion(case=case_id, number=2, status="submitted", content=second),
    )
    olga = await signed_in(new_client, "olga")
    page = await olga.http.get(f"/cases/{case_id}/plan/compare?a=1&b=2")
    assert page.status_code == 200
    assert "2027-01-01" in page.text and "2027-02-01" in page.text
    summary = re.search(r"<p role=\"status\">([^<]*)</p>", page.text)
    # The measure and its problem are both badged changed, and the summary counts what the badges say.
    assert summary and summary.group(1) == "新增：0 · 删除：0 · 修改：2", page.text
    assert (await olga.http.get(f"/cases/{case_id}/plan/compare")).status_code == 200  # the last two by default
    assert (await olga.http.get(f"/cases/{case_id}/plan/compare?a=1&b=7")).status_code == 404
