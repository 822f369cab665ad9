"""The pool's API: officers read and filter it, the city edits it, an expert changes only his own profile."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from experts.services import today
from tests.casework.life import Life
from tests.conftest import DISTRICT_A
from tests.experts.pool import add_expert, give_cases, profile

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("personas")]
API = "/api/v1/experts"


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def test_it_lists_and_filters_the_pool_for_officers(client: Any) -> None:
    money = await add_expert(name="甲", specialties=["financing"], districts=[DISTRICT_A], capacity=3)
    await add_expert(name="乙", specialties=["legal"], available=False)
    token = await client.api_token("olga")
    found = await client.http.get(API, params={"specialty": "financing"}, headers=token)
    assert found.status_code == 200, found.text
    assert [item["id"] for item in found.json()["items"]] == [money]
    assert found.json()["items"][0]["load"] == 0 and found.json()["total"] == 1
    taking = await client.http.get(API, params={"availability": "available", "per_page": 1}, headers=token)
    assert taking.json()["total"] == 1
    assert (await client.http.get(API, params={"specialty": "cooking"}, headers=token)).status_code == 400
    one = await client.http.get(f"{API}/{money}", headers=token)
    assert one.status_code == 200 and one.json()["capacity"] == 3
    assert (await client.http.get(f"{API}/999999", headers=token)).status_code == 404


async def test_it_lets_the_city_create_and_change_an_expert(client: Any) -> None:
    carl = await client.api_token("carl")
    made = await client.http.post(
        API, json={"name": "张会计", "specialties": ["financing"], "industries": ["a"], "username": "eve"}, headers=carl
    )
    assert made.status_code == 201, made.text
    expert_id = made.json()["id"]
    assert made.json()["industries"] == ["A"] and made.json()["username"] == "eve"
    changed = await client.http.patch(f"{API}/{expert_id}", json={"capacity": 2, "districts": []}, headers=carl)
    assert changed.status_code == 200, changed.text
    assert changed.json()["capacity"] == 2 and changed.json()["specialties"] == ["financing"]
    bad = await client.http.patch(f"{API}/{expert_id}", json={"districts": ["999999"]}, headers=carl)
    assert bad.status_code == 422 and "districts" in bad.json()["errors"]
    olga = await client.api_token("olga")
    assert (await client.http.patch(f"{API}/{expert_id}", json={"capacity": 3}, headers=olga)).status_code == 403


async def test_it_lets_an_expert_change_his_own_profile_and_nothing_else(life: Life, client: Any) -> None:
    eve_id = await life.expert("eve")
    await give_cases(life, "eve", 2)
    other = await add_expert()
    eve = await client.api_token("eve")
    mine = await client.http.get(f"{API}/me", headers=eve)
    assert mine.status_code == 200 and mine.json()["id"] == eve_id and mine.json()["load"] == 2
    back = (today() + timedelta(days=2)).isoformat()
    changed = await client.http.patch(f"{API}/me", json={"away_until": back, "bio": "在外地"}, headers=eve)
    assert changed.status_code == 200, changed.text
    assert changed.json()["away_until"] == back and changed.json()["capacity"] == 5
    below = await client.http.patch(f"{API}/me", json={"capacity": 1}, headers=eve)
    assert below.status_code == 422 and below.json()["errors"] == {
        "capacity": "容量不能低于目前在办的案件数；请先办结或交还案件。"
    }
    past = (today() - timedelta(days=1)).isoformat()
    assert (await client.http.patch(f"{API}/me", json={"away_until": past}, headers=eve)).status_code == 422
    cleared = await client.http.patch(f"{API}/me", json={"away_until": ""}, headers=eve)
    assert cleared.json()["away_until"] is None
    assert (await client.http.patch(f"{API}/{other}", json={"capacity": 9}, headers=eve)).status_code == 403
    assert (await client.http.get(f"{API}/{other}", headers=eve)).status_code == 403
    assert (await profile(other))["capacity"] == 5


async def test_it_refuses_out_of_bounds_values_before_the_rules(client: Any) -> None:
    carl = await client.api_token("carl")
    assert (await client.http.post(API, json={"name": "甲", "capacity": 51}, headers=carl)).status_code == 400
    assert (await client.http.post(API, json={"name": ""}, headers=carl)).status_code == 400
