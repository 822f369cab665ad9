"""The pool's pages: the city manages it, district officers read it, an expert keeps his own profile."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from experts.services import today
from experts.tables import Expert, ExpertConflict
from tests.casework.life import Life
from tests.conftest import DISTRICT_A, DISTRICT_B
from tests.experts.pool import add_expert, give_cases, profile, signed_in

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("personas")]

PROFILE = {
    "name": "张会计",
    "organisation": "重庆农商行",
    "title": "经济师",
    "specialties": ["financing"],
    "supporting_specialties": ["policy"],
    "industries": ["A"],
    "districts": [DISTRICT_A],
    "capacity": "4",
    "available": "yes",
    "away_until": "",
    "bio": "创业担保贷款",
    "username": "",
}


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def post(client: Any, path: str, data: dict[str, Any], csrf_from: str) -> Any:
    token = await client.csrf(csrf_from)
    return await client.http.post(path, data={"_csrf_token": token, **data})


def listed(page: Any) -> set[int]:
    return {int(n) for n in re.findall(r'href="/experts/(\d+)"', page.text)}


async def test_it_lets_the_city_add_an_expert_and_shows_him(life: Life, new_client: Any) -> None:
    carl = await signed_in(new_client, "carl")
    made = await post(carl, "/experts/new", {**PROFILE, "username": "eve"}, "/experts/new")
    assert made.status_code == 302, made.text
    expert = await Expert.select().where(Expert.name == "张会计").output(load_json=True).first()
    assert expert is not None and expert["user"] == life.id("eve") and expert["districts"] == [DISTRICT_A]
    assert expert["specialties"] == ["financing"] and expert["capacity"] == 4
    shown = await carl.http.get(f"/experts/{expert['id']}")
    assert shown.status_code == 200 and "重庆农商行" in shown.text and "0 / 4" in shown.text


async def test_it_keeps_the_form_and_says_what_is_wrong(new_client: Any) -> None:
    carl = await signed_in(new_client, "carl")
    refused = await post(
        carl,
        "/experts/new",
        {**PROFILE, "capacity": "99", "districts": ["999999"], "username": "alice"},
        "/experts/new",
    )
    assert refused.status_code == 400
    assert "从 0 到 50 的整数" in refused.text and "请从列表中选择区县" in refused.text
    assert "没有这个用户名的专家账号" in refused.text  # Alice is a broker
    assert 'value="张会计"' in refused.text and await Expert.count() == 0


async def test_it_refuses_a_capacity_below_his_current_load(life: Life, new_client: Any) -> None:
    await give_cases(life, "eve", 2)
    eve_id = life.experts["eve"]
    carl = await signed_in(new_client, "carl")
    assert "2 / 5" in (await carl.http.get("/experts")).text
    assert "2 / 5" in (await carl.http.get(f"/experts/{eve_id}")).text
    form = {**PROFILE, "name": "李工", "capacity": "1", "districts": []}
    refused = await post(carl, f"/experts/{eve_id}/edit", form, f"/experts/{eve_id}/edit")
    assert refused.status_code == 400 and "容量不能低于目前在办的案件数" in refused.text
    assert (await profile(eve_id))["capacity"] == 5
    saved = await post(carl, f"/experts/{eve_id}/edit", {**form, "capacity": "2"}, f"/experts/{eve_id}/edit")
    assert saved.status_code == 302
    assert (await profile(eve_id))["capacity"] == 2


async def test_it_filters_the_pool(new_client: Any) -> None:
    money = await add_expert(name="甲", specialties=["financing"], districts=[DISTRICT_A])
    city = await add_expert(name="乙", supporting_specialties=["financing"])
    legal = await add_expert(name="丙", specialties=["legal"], districts=[DISTRICT_B])
    away = await add_expert(name="丁", specialties=["financing"], away_until=today() + timedelta(days=3))
    olga = await signed_in(new_client, "olga")
    assert listed(await olga.http.get("/experts?specialty=financing")) == {money, city, away}
    assert listed(await olga.http.get(f"/experts?district={DISTRICT_B}")) == {city, legal, away}
    assert listed(await olga.http.get("/experts?availability=away")) == {away}
    assert listed(await olga.http.get("/experts?specialty=financing&availability=available")) == {money, city}


async def test_it_pages_a_long_pool(new_client: Any) -> None:
    await Expert.insert(*(Expert(name=f"专家{n}") for n in range(45)))
    olga = await signed_in(new_client, "olga")
    third = await olga.http.get("/experts?specialty=&page=3")
    assert third.status_code == 200 and len(listed(third)) == 5


async def test_it_lets_a_district_officer_read_but_not_edit(new_client: Any) -> None:
    expert_id = await add_expert()
    olga = await signed_in(new_client, "olga")
    shown = await olga.http.get(f"/experts/{expert_id}")
    assert shown.status_code == 200 and f"/experts/{expert_id}/edit" not in shown.text
    assert (await olga.http.get(f"/experts/{expert_id}/edit")).status_code == 403
    assert (await olga.http.get("/experts/new")).status_code == 403
    eve = await signed_in(new_client, "eve")
    assert (await eve.http.get(f"/experts/{expert_id}")).status_code == 403


async def test_it_records_and_removes_a_conflict_after_confirmation(life: Life, new_client: Any) -> None:
    expert_id = await add_expert()
    enterprise = await life.enterprise("alice")
    carl = await signed_in(new_client, "carl")
    page = f"/experts/{expert_id}"
    refused = await post(carl, f"{page}/conflicts", {"enterprise": "88888", "kind": "kin"}, page)
    assert refused.status_code == 400 and "没有这个编号或信用代码的企业" in refused.text
    added = await post(
        carl, f"{page}/conflicts", {"enterprise": str(enterprise), "kind": "equity", "note": "持股"}, page
    )
    assert added.status_code == 302
    [conflict] = await ExpertConflict.select().where(ExpertConflict.expert == expert_id)
    assert conflict["enterprise"] == enterprise and conflict["kind"] == "equity"
    assert conflict["declared_by"] == life.id("carl")
    assert "持股" in (await carl.http.get(page)).text
    asked = await carl.http.get(f"{page}/conflicts/{conflict['id']}/remove")
    assert asked.status_code == 200 and "移除" in asked.text and await ExpertConflict.count() == 1
    removed = await post(
        carl, f"{page}/conflicts/{conflict['id']}/remove", {}, f"{page}/conflicts/{conflict['id']}/remove"
    )
    assert removed.status_code == 302 and await ExpertConflict.count() == 0


async def test_it_lets_an_expert_edit_only_his_own_profile(life: Life, new_client: Any) -> None:
    eve_id = await life.expert("eve")
    await give_cases(life, "eve", 1)
    other = await add_expert()
    eve = await signed_in(new_client, "eve")
    shown = await eve.http.get("/experts/me")
    assert shown.status_code == 200 and "1 / 5" in shown.text
    back = (today() + timedelta(days=7)).isoformat()
    saved = await post(
        eve, "/experts/me", {"capacity": "3", "away_until": back, "bio": "改了", "name": "篡改"}, "/experts/me"
    )
    assert saved.status_code == 302
    row = await profile(eve_id)
    assert (row["capacity"], row["available"], row["away_until"].isoformat(), row["bio"], row["name"]) == (
        3,
        False,
        back,
        "改了",
        "李工",
    )
    past = (today() - timedelta(days=1)).isoformat()
    refused = await post(eve, "/experts/me", {"capacity": "0", "away_until": past, "available": "yes"}, "/experts/me")
    assert refused.status_code == 400
    assert "容量不能低于目前在办的案件数" in refused.text and "返回日期不能早于今天" in refused.text
    assert (await eve.http.get(f"/experts/{other}/edit")).status_code == 403
    assert (await eve.http.get("/experts")).status_code == 403


async def test_it_tells_an_expert_account_without_a_profile(new_client: Any) -> None:
    eve = await signed_in(new_client, "eve")
    assert (await eve.http.get("/experts/me")).status_code == 404
    olga = await signed_in(new_client, "olga")
    assert (await olga.http.get("/experts/me")).status_code == 403


async def test_it_speaks_english_when_asked(new_client: Any) -> None:
    carl = await signed_in(new_client, "carl", english=True)
    refused = await post(carl, "/experts/new", {**PROFILE, "name": ""}, "/experts/new")
    assert refused.status_code == 400 and "Enter the expert&#39;s name." in refused.text
