"""Batch assignment: propose for the district's triaged cases, edit a line, confirm, offers made."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from accounts.policy import Role
from casework.tables import Assignment, Case
from casework.workflow import CaseState, Transition
from experts.tables import Expert, ExpertConflict
from tests.casework.life import Life

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def expert(life: Life, username: str, name: str, capacity: int) -> int:
    life.personas.add(username, Role.EXPERT)
    rows = await Expert.insert(
        Expert(name=name, user=life.id(username), specialties=["market"], capacity=capacity)
    ).returning(Expert.id)
    expert_id: int = rows[0]["id"]
    return expert_id


async def backlog(life: Life, count: int) -> list[int]:
    cases = []
    for _ in range(count):
        case = await life.case(category="market")
        await life.move("olga", case, T.TRIAGE)
        cases.append(case)
    return cases


def review_form(html: str) -> dict[str, str]:
    """The review form as the browser would send it: the district, each version and selected expert."""
    form = {"district": re.search(r'name="district" value="(\d*)"', html).group(1)}  # type: ignore[union-attr]
    for case_id, version in re.findall(r'name="version-(\d+)" value="(\d+)"', html):
        form[f"version-{case_id}"] = version
        select = re.search(rf'<select id="expert-{case_id}".*?</select>', html, re.S)
        assert select is not None
        chosen = re.search(r'<option value="(\d*)" selected', select.group(0))
        form[f"expert-{case_id}"] = chosen.group(1) if chosen else ""
    return form


async def offers(cases: list[int]) -> dict[int, int]:
    rows = await Assignment.select(Assignment.case, Assignment.expert).where(
        Assignment.case.is_in(cases) & (Assignment.status == "offered")
    )
    return {row["case"]: row["expert"] for row in rows}


async def test_it_proposes_within_capacity_lets_a_line_change_and_offers_on_confirm(client: Any, life: Life) -> None:
    fay = await expert(life, "fay", "赵工", capacity=1)
    gus = await expert(life, "gus", "钱工", capacity=2)
    cases = await backlog(life, 3)
    await client.login("olga")

    html = (await client.http.get("/cases/batch-assign")).text

    form = review_form(html)
    proposed = {int(key[7:]): int(value) for key, value in form.items() if key.startswith("expert-") and value}
    assert set(proposed) == set(cases)  # 1 + 2 slots cover the three cases
    assert Counter(proposed.values()) == {fay: 1, gus: 2}  # never beyond capacity
    assert "匹配分" in html and "建议" in html
    assert await offers(cases) == {}  # nothing assigned before he confirms

    form[f"expert-{cases[2]}"] = ""  # the officer leaves the last one for later
    response = await client.post_form("/cases/batch-assign", form)

    assert response.status_code == 200, response.text
    assert "已发出 2 份派单邀请" in response.text
    made = await offers(cases)
    assert set(made) == {cases[0], cases[1]}
    assert await life.state(cases[2]) is S.TRIAGED


async def test_it_refuses_an_edit_beyond_capacity_and_assigns_nothing(client: Any, life: Life) -> None:
    fay = await expert(life, "fay", "赵工", capacity=1)
    await expert(life, "gus", "钱工", capacity=2)
    cases = await backlog(life, 2)
    await client.login("olga")
    form = review_form((await client.http.get("/cases/batch-assign")).text)
    for case in cases:
        form[f"expert-{case}"] = str(fay)

    response = await client.post_form("/cases/batch-assign", form, csrf_from="/cases/batch-assign")

    assert response.status_code == 400
    assert "赵工将分得其中 2 件，但只能再接 1 件" in response.text
    assert await offers(cases) == {}
    assert review_form(response.text)[f"expert-{cases[0]}"] == str(fay)  # his edit kept


async def test_it_refuses_a_conflicted_pair_with_a_message(client: Any, life: Life) -> None:
    fay = await expert(life, "fay", "赵工", capacity=3)
    (case,) = await backlog(life, 1)
    await client.login("olga")
    form = review_form((await client.http.get("/cases/batch-assign")).text)
    assert form[f"expert-{case}"] == str(fay)
    # Declared after the review: the confirm reads the facts afresh.
    enterprise = (await Case.select(Case.enterprise).where(Case.id == case).first())["enterprise"]  # type: ignore[index]
    await ExpertConflict.insert(ExpertConflict(expert=fay, enterprise=enterprise, kind="equity"))

    response = await client.post_form("/cases/batch-assign", form, csrf_from="/cases/batch-assign")

    assert response.status_code == 400
    assert "利益冲突" in response.text
    assert await offers([case]) == {}


async def test_it_reports_a_case_changed_meanwhile_and_assigns_the_others(client: Any, life: Life) -> None:
    await expert(life, "fay", "赵工", capacity=3)
    cases = await backlog(life, 2)
    await client.login("olga")
    form = review_form((await client.http.get("/cases/batch-assign")).text)
    await life.move("olga", cases[0], T.HOLD, "等材料", resume_on=date.today() + timedelta(days=9))

    response = await client.post_form("/cases/batch-assign", form, csrf_from="/cases/batch-assign")

    assert response.status_code == 200, response.text
    assert "本案已不在本区待派单之列" in response.text
    assert set(await offers(cases)) == {cases[1]}


async def test_it_lets_the_city_pick_a_district_and_refuses_brokers(client: Any, life: Life) -> None:
    await expert(life, "fay", "赵工", capacity=3)
    (case,) = await backlog(life, 1)
    await client.login("carl")
    assert "请选择" in (await client.http.get("/cases/batch-assign")).text
    html = (await client.http.get("/cases/batch-assign?district=500154")).text
    assert f"version-{case}" in html
    await client.login("alice")
    assert (await client.http.get("/cases/batch-assign")).status_code == 403


async def test_it_links_batch_assignment_from_the_queue(client: Any, life: Life) -> None:
    await client.login("olga")
    assert 'href="/cases/batch-assign' in (await client.http.get("/cases/queue")).text
