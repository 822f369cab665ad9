"""The case page's actions: each transition with exactly its fields, input kept, refusals said in Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest

from casework.workflow import CaseState, Transition
from experts.tables import Expert
from tests.casework.life import Life

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


def forms(html: str) -> dict[str, str]:
    """Each transition form of the page, by its transition."""
    found = {}
    for form in re.findall(r'<form method="post" action="/cases/\d+/transitions".*?</form>', html, re.S):
        name = re.search(r'name="transition" value="([a-z_]+)"', form)
        assert name, form
        found[name.group(1)] = form
    return found


def fields(form: str) -> set[str]:
    names = set(re.findall(r'<(?:input|textarea|select)[^>]*\bname="([a-z_]+)"', form))
    return names - {"transition", "version", "_csrf_token"}


async def test_it_offers_each_transition_with_exactly_the_fields_its_rule_needs(client: Any, life: Life) -> None:
    case_id = await life.case()
    await client.login("olga")
    page = forms((await client.http.get(f"/cases/{case_id}")).text)

    assert {name: fields(form) for name, form in page.items()} == {
        "return_to_broker": {"reason"},
        "triage": set(),
        "decline": {"reason"},
        "merge": {"survivor"},
        "hold": {"reason", "resume_on"},
    }
    assert "您向劳务经纪人提出的问题" in page["return_to_broker"]  # the reason is asked as a question here
    assert 'type="date"' in page["hold"]


async def test_it_says_what_the_plan_lacks_instead_of_offering_a_move_that_must_fail(client: Any, life: Life) -> None:
    await life.expert("eve")
    case_id = await life.case()
    await life.bring_to(case_id, S.PLANNING)
    await client.login("eve")
    empty = (await client.http.get(f"/cases/{case_id}")).text

    assert "submit_plan" not in forms(empty)
    waiting = re.search(r'<div class="transition waiting">.*?</div>', empty, re.S)
    assert waiting and "disabled" in waiting.group(0)
    assert "方案至少需要" in waiting.group(0)  # "A plan needs at least one problem with a measure."

    await life.plan(case_id)
    assert "submit_plan" in forms((await client.http.get(f"/cases/{case_id}")).text)


async def test_it_lists_the_experts_with_an_account_by_name_to_assign(client: Any, life: Life) -> None:
    await life.expert("eve", name="赵工")
    await life.expert("ed", name="王工")
    await Expert.insert(Expert(name="陈工"))  # no account: cannot be assigned directly
    case_id = await life.case()
    await life.move("olga", case_id, T.TRIAGE)
    await client.login("olga")
    assign = forms((await client.http.get(f"/cases/{case_id}")).text)["assign"]

    assert fields(assign) == {"expert"}
    assert re.findall(r"<option value=\"\d+\"[^>]*>([^<·]+)", assign) == ["王工", "赵工"]


async def test_it_asks_the_broker_to_answer_the_officers_question(client: Any, life: Life) -> None:
    case_id = await life.case()
    await life.move("olga", case_id, T.RETURN_TO_BROKER, "贷款金额是多少？")
    await client.login("alice")
    html = (await client.http.get(f"/cases/{case_id}")).text

    assert "贷款金额是多少？" in html
    page = forms(html)
    assert fields(page["submit"]) == {"reason"} and "您对经办人员问题的回答" in page["submit"]
    assert fields(page["withdraw"]) == {"reason"}


async def test_it_keeps_what_was_typed_and_marks_the_field_on_a_bad_request(client: Any, life: Life) -> None:
    case_id = await life.case()
    await client.login("olga")
    form = {"transition": "hold", "version": "1", "reason": "春节停工两周", "resume_on": "2020-02-30"}
    response = await client.post_form(f"/cases/{case_id}/transitions", form, csrf_from=f"/cases/{case_id}")

    assert response.status_code == 400
    hold = forms(response.text)["hold"]
    assert "春节停工两周</textarea>" in hold and 'value="2020-02-30"' in hold
    assert 'aria-invalid="true"' in hold and "请按“年-月-日”填写日期" in hold
    assert "春节停工两周" not in forms(response.text)["decline"]  # only the form that was sent keeps it


async def test_it_says_someone_else_changed_the_case_and_keeps_the_input(client: Any, life: Life) -> None:
    case_id = await life.case()
    await client.login("olga")
    await client.http.get(f"/cases/{case_id}")
    await life.move("carl", case_id, T.TRIAGE)  # while olga's page was open

    form = {"transition": "decline", "version": "1", "reason": "不在扶持范围"}
    response = await client.post_form(f"/cases/{case_id}/transitions", form, csrf_from="/cases/queue")

    assert response.status_code == 409
    assert "其他人已修改了它" in response.text
    assert "不在扶持范围</textarea>" in forms(response.text)["decline"]
    assert f'name="version" value="{await life.version(case_id)}"' in response.text  # the page as it stands now
    assert await life.state(case_id) is S.TRIAGED


async def test_it_says_in_chinese_which_actions_are_open_when_one_is_not(client: Any, life: Life) -> None:
    case_id = await life.case()
    await client.login("olga")
    form = {"transition": "approve_plan", "version": "1"}
    response = await client.post_form(f"/cases/{case_id}/transitions", form, csrf_from=f"/cases/{case_id}")

    assert response.status_code == 409
    assert "案件当前状态（已提交）下不能执行此操作。当前可执行：" in response.text
    assert "受理" in response.text.split("当前可执行：")[1].split("。")[0]


async def test_it_tells_a_broker_he_may_not_do_what_is_not_his(client: Any, life: Life) -> None:
    case_id = await life.case()
    await client.login("alice")
    form = {"transition": "triage", "version": "1"}
    response = await client.post_form(f"/cases/{case_id}/transitions", form, csrf_from=f"/cases/{case_id}")
    assert response.status_code == 403 and "您无权对该案件执行此操作。" in response.text


async def test_it_shows_the_queue_with_a_count_for_every_state(client: Any, life: Life) -> None:
    first, second, third = await life.case(), await life.case(), await life.case()
    await life.move("olga", second, T.TRIAGE)
    await life.move("alice", third, T.WITHDRAW, "不需要了")
    await client.login("olga")
    html = (await client.http.get("/cases/queue")).text

    assert "全部状态 (3)" in html and "已提交 (1)" in html and "已受理 (1)" in html and "已撤回 (1)" in html
    assert f'href="/cases/{first}"' in html and f'href="/cases/{second}"' not in html  # submitted by default
    everything = (await client.http.get("/cases/queue?state=")).text
    assert all(f'href="/cases/{c}"' in everything for c in (first, second, third))


async def test_it_shows_the_summary_of_a_case_on_hold_and_of_a_closed_one(client: Any, life: Life) -> None:
    held, closed = await life.case(), await life.case()
    await life.bring_to(closed, S.IN_PROGRESS)
    await life.move("olga", closed, T.CLOSE, outcome="resolved")
    await client.login("olga")
    form = {"transition": "hold", "version": "1", "reason": "春节", "resume_on": "2099-02-20"}
    assert (await client.post_form(f"/cases/{held}/transitions", form, csrf_from="/cases/queue")).status_code == 302

    on_hold = (await client.http.get(f"/cases/{held}")).text
    assert "2099-02-20" in on_hold and "state-on_hold" in on_hold and "暂停前：已提交" in on_hold
    done = (await client.http.get(f"/cases/{closed}")).text
    assert "李工" in done  # the lead expert
    assert fields(forms(done)["reopen"]) == {"reason"}


def confirm_questions(html: str) -> dict[str, str]:
    """The question each transition form asks before it is sent ('' for none), by its transition."""
    found = {}
    for name, form in forms(html).items():
        question = re.search(r'<form [^>]*data-confirm="([^"]+)"', form)
        found[name] = question.group(1) if question else ""
    return found


async def test_it_asks_before_the_moves_that_end_or_close_a_case(client: Any, new_client: Any, life: Life) -> None:
    case_id = await life.case()
    await client.login("olga")
    officer = confirm_questions((await client.http.get(f"/cases/{case_id}")).text)
    broker = new_client()
    await broker.login("alice")
    filer = (await broker.http.get(f"/cases/{case_id}")).text

    assert officer["decline"].startswith("确定不予受理此案件吗？")
    assert officer["merge"].startswith("确定将本案件并入")
    assert officer["triage"] == officer["hold"] == officer["return_to_broker"] == ""  # nothing ends with these
    assert confirm_questions(filer)["withdraw"] == "确定撤回此案件吗？撤回后无法重新打开。"
    # Asked by static/confirm.js, loaded from the layout: no inline script (a Content-Security-Policy forbids them).
    assert '<script src="/static/confirm.js" defer></script>' in filer and "<script>" not in filer
    assert "window.confirm" in (await client.http.get("/static/confirm.js")).text

    await life.bring_to(case_id, S.IN_PROGRESS)
    close = forms((await client.http.get(f"/cases/{case_id}")).text)["close"]
    assert confirm_questions(close)["close"].startswith("确定以所选结果结案吗？")
    assert '<option value="">请选择结案结果</option>' in close  # an option label, not a sentence

    await life.move("olga", case_id, T.CLOSE, outcome="resolved")
    reopen = forms((await client.http.get(f"/cases/{case_id}")).text)["reopen"]
    assert "重新打开的原因" in reopen and ">重新打开</button>" in reopen and confirm_questions(reopen)["reopen"] == ""


async def test_it_sums_up_the_errors_atop_the_actions_and_focuses_the_first_field(client: Any, life: Life) -> None:
    case_id = await life.case()
    await client.login("olga")
    form = {"transition": "hold", "version": "1", "reason": " ", "resume_on": ""}
    response = await client.post_form(f"/cases/{case_id}/transitions", form, csrf_from=f"/cases/{case_id}")

    assert response.status_code == 400
    summary = re.search(r'<div class="error-summary" role="alert" id="error-summary">.*?</div>', response.text, re.S)
    assert summary, "no error summary"
    assert re.findall(r'href="#([a-z_-]+)"', summary.group(0)) == ["resume_on-hold", "reason-hold"]
    assert response.text.index('id="error-summary"') < response.text.index('value="hold"')  # above the forms
    assert response.text.count("autofocus") == 1  # the first field with an error, which the browser scrolls to
    assert re.search(r'<input id="resume_on-hold"[^>]*\bautofocus\b', response.text)
    assert 'id="reason-hold" name="reason" rows="3" required aria-invalid="true"' in response.text


async def test_it_shows_the_states_as_tabs_with_the_current_one_marked(
    client: Any, new_client: Any, life: Life
) -> None:
    case_id = await life.case()
    await client.login("olga")
    queue = (await client.http.get("/cases/queue")).text
    city = new_client()
    await city.login("carl")
    city_queue = (await city.http.get("/cases/queue?state=triaged")).text
    broker = new_client()
    await broker.login("alice")
    mine = (await broker.http.get("/cases/mine")).text

    tabs = re.search(r'<nav class="tabs".*?</nav>', queue, re.S)
    assert tabs and re.findall(r'<a [^>]*aria-current="page"[^>]*>([^<]+)</a>', tabs.group(0)) == ["已提交 (1)"]
    assert 'id="state"' not in queue and 'id="district"' not in queue  # the tabs are the state filter
    assert re.findall(r'aria-current="page"[^>]*>([^<]+)</a>', city_queue) == ["已受理 (0)"]
    assert 'id="district"' in city_queue and '<input type="hidden" name="state" value="triaged">' in city_queue
    assert re.findall(r'aria-current="page"[^>]*>([^<]+)</a>', mine) == ["全部状态 (1)"]
    assert f'href="/cases/{case_id}"' in mine and 'id="state"' not in mine
