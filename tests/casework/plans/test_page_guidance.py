"""What the plan's pages tell the user, on a phone as on a desk: a step the plan is not ready for, with
what it lacks; a question before a deletion; a word after an addition, where the page opens; and two
versions compared measure by measure, with a summary that counts what the badges say."""

from __future__ import annotations

import re
from typing import Any

import pytest

from casework.states import CaseState
from casework.tables import Measure, PlanVersion, Problem
from tests.casework.plans.world import PlanWorld, measure_form

pytestmark = pytest.mark.anyio
S = CaseState


async def signed_in(new_client: Any, username: str) -> Any:
    client = new_client()
    response = await client.login(username)
    assert response.status_code in (302, 303), response.text
    return client


def next_step(html: str) -> str:
    """The plan page's "Next step" section."""
    found = re.search(r'<section class="card" id="plan-actions">.*?</section>', html, re.S)
    assert found, "no Next step section"
    return found.group(0)


def transition_forms(html: str) -> set[str]:
    """The transitions offered as forms that post."""
    forms = re.findall(r'<form method="post" action="/cases/\d+/transitions".*?</form>', html, re.S)
    return {name for form in forms for name in re.findall(r'name="transition" value="([a-z_]+)"', form)}


def article(html: str, problem_id: int) -> str:
    found = re.search(rf'<article class="card problem[^"]*" id="problem-{problem_id}">.*?</article>', html, re.S)
    assert found, f"no problem {problem_id} on the page"
    return found.group(0)


async def test_it_holds_back_submitting_a_plan_without_measures_and_says_why(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    problem_id, _ = await world.problem(case_id, measures=())
    eve = await signed_in(new_client, "eve")
    plan = f"/cases/{case_id}/plan"

    step = next_step((await eve.http.get(plan)).text)
    assert "submit_plan" not in transition_forms(step)  # no button that can only fail, away from this page
    assert '<button type="button" disabled aria-describedby="w-submit_plan">提交方案</button>' in step
    assert '<p class="hint" id="w-submit_plan">方案至少需要一个问题及一项措施。</p>' in step

    form = measure_form(version=str(await world.version(case_id)))
    assert (await eve.post_form(f"{plan}/problems/{problem_id}/measures", form, csrf_from=plan)).status_code == 302
    step = next_step((await eve.http.get(plan)).text)
    assert "submit_plan" in transition_forms(step)
    assert "waiting" not in step and "disabled" not in step


@pytest.mark.parametrize(
    ("state", "diagnosis", "measures", "transition", "label", "hint"),
    [
        (S.DIAGNOSING, "", None, "finish_diagnosis", "完成诊断，开始制定方案", "请先填写诊断意见。"),
        (S.IN_PROGRESS, "冷库容量不足", ("done",), "start_monitoring", "转入跟踪观察", "每个问题须先经企业确认销号。"),
    ],
)
async def test_it_says_what_the_case_still_lacks_for_each_step_of_the_plan(
    world: PlanWorld,
    new_client: Any,
    state: CaseState,
    diagnosis: str,
    measures: tuple[str, ...] | None,
    transition: str,
    label: str,
    hint: str,
) -> None:
    case_id = await world.case(state, diagnosis=diagnosis)
    if measures is not None:  # a problem not closed out yet, though its measures are done
        await world.problem(case_id, [(status, "expert") for status in measures])
    eve = await signed_in(new_client, "eve")

    step = next_step((await eve.http.get(f"/cases/{case_id}/plan")).text)
    assert transition not in transition_forms(step)
    assert f'<button type="button" disabled aria-describedby="w-{transition}">{label}</button>' in step
    assert f'<p class="hint" id="w-{transition}">{hint}</p>' in step


async def test_it_asks_before_removing_a_problem_or_a_measure(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    problem_id, (measure_id,) = await world.problem(case_id, title='冷库 "容量" 不足')
    eve = await signed_in(new_client, "eve")
    plan = f"/cases/{case_id}/plan"
    page = (await eve.http.get(plan)).text

    problem_form = re.search(rf'<form method="post" action="{plan}/problems/{problem_id}/remove"[^>]*>', page)
    assert problem_form, page
    # The title is escaped inside the attribute: a quote in it cannot end the question early.
    expected = "确定删除问题“冷库 &#34;容量&#34; 不足”及其全部措施吗？删除后无法恢复。"
    assert f'data-confirm="{expected}"' in problem_form.group(0)
    measure_form_tag = re.search(rf'<form method="post" action="{plan}/measures/{measure_id}/remove"[^>]*>', page)
    assert measure_form_tag and 'data-confirm="确定删除该措施吗？删除后无法恢复。"' in measure_form_tag.group(0)


async def test_it_says_a_problem_has_no_measures_yet_outside_the_numbered_list(
    world: PlanWorld, new_client: Any
) -> None:
    case_id = await world.case(CaseState.PLANNING)
    empty, _ = await world.problem(case_id, measures=(), title="销路不畅")
    written, _ = await world.problem(case_id, title="资金周转困难")
    eve = await signed_in(new_client, "eve")
    page = (await eve.http.get(f"/cases/{case_id}/plan")).text

    assert '<p class="muted">尚无措施。</p>' in article(page, empty)
    assert '<ol class="measures">' not in article(page, empty)  # no "1." before "no measures yet"
    assert "尚无措施" not in article(page, written) and '<ol class="measures">' in article(page, written)


async def test_it_says_a_problem_or_a_measure_is_added_where_the_page_opens(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    other, _ = await world.problem(case_id, title="销路不畅")
    eve = await signed_in(new_client, "eve")
    plan = f"/cases/{case_id}/plan"

    form = {"title": "资金周转困难", "version": str(await world.version(case_id))}
    added = await eve.post_form(f"{plan}/problems", form, csrf_from=plan)
    problem = await Problem.select(Problem.id).where(Problem.title == "资金周转困难").first()
    assert problem is not None
    problem_id = problem["id"]
    assert added.status_code == 302
    assert added.headers["location"] == f"{plan}?added_problem={problem_id}#problem-{problem_id}"
    page = (await eve.http.get(added.headers["location"])).text
    assert '<p class="notice" role="status">问题已添加。现在请为它添加解决措施。</p>' in article(page, problem_id)
    assert "问题已添加" not in article(page, other) and page.count('class="notice"') == 1

    form = measure_form(version=str(await world.version(case_id)))
    added = await eve.post_form(f"{plan}/problems/{problem_id}/measures", form, csrf_from=plan)
    measure = await Measure.select(Measure.id).where(Measure.problem == problem_id).first()
    assert measure is not None
    measure_id = measure["id"]
    assert added.headers["location"] == f"{plan}?added_measure={measure_id}#measure-{measure_id}"
    page = (await eve.http.get(added.headers["location"])).text
    item = re.search(rf'<li class="measure" id="measure-{measure_id}">.*?</li>', page, re.S)
    assert item and '<p class="notice" role="status">措施已添加。</p>' in item.group(0)
    assert page.count('class="notice"') == 1
    assert 'class="notice"' not in (await eve.http.get(plan)).text  # only right after the addition


async def test_it_compares_measure_by_measure_and_counts_what_the_badges_say(world: PlanWorld, new_client: Any) -> None:
    case_id = await world.case(CaseState.PLANNING)
    kept = {"id": 1, "description": "对接银行", "owner": "bureau", "owner_name": "", "due_on": "2027-01-01"}
    added = {**kept, "id": 2, "description": "申请创业担保贷款"}
    problem = {"id": 1, "title": "资金", "description": ""}
    first = {"diagnosis": "资金紧张", "problems": [{**problem, "measures": [kept]}]}
    second = {"diagnosis": "资金紧张", "problems": [{**problem, "measures": [kept, added]}]}  # a measure added
    await PlanVersion.insert(
        PlanVersion(case=case_id, number=1, status="returned", content=first),
        PlanVersion(case=case_id, number=2, status="submitted", content=second),
    )
    olga = await signed_in(new_client, "olga")
    page = (await olga.http.get(f"/cases/{case_id}/plan/compare?a=1&b=2")).text

    summary = re.search(r"<p role=\"status\">([^<]*)</p>", page)
    assert summary and summary.group(1) == "新增：1 · 删除：0 · 修改：1", page
    badges = re.findall(r'<span class="state state-(added|removed|changed)">', page)
    assert (badges.count("added"), badges.count("removed"), badges.count("changed")) == (1, 0, 1)

    blocks = re.findall(r'<li class="measure-diff diff-([a-z]+)">(.*?)</li>', page, re.S)
    assert [change for change, _ in blocks] == ["same", "added"]  # one block per measure, its versions inside
    new_one = blocks[1][1]
    assert new_one.count('class="side-label"') == 2 and "申请创业担保贷款" in new_one
    # The side of version 1 says the measure was not there: not "新增" under "第 1 版".
    assert '<p class="muted">第 1 版中没有</p>' in new_one
    assert re.search(r"第 1 版</p>\s*<p class=\"muted\">新增", new_one) is None
