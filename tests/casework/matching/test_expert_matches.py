"""The ranked, explained experts of a case: the API, the case page's suggestions, and assigning from them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from accounts.policy import Role
from casework.tables import Assignment
from casework.workflow import CaseState, Transition
from experts.tables import Expert, ExpertConflict
from tests.casework.life import Life
from tests.conftest import DISTRICT_B

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def pool(life: Life) -> dict[str, int]:
    """Eve leads on markets in the district; Ed only supports it; Fay is away; Gus declared a conflict."""
    eve = await life.expert("eve", name="李工")
    ed = await life.expert("ed", name="王工")
    await Expert.update({Expert.specialties: [], Expert.supporting_specialties: ["market"]}).where(Expert.id == ed)
    ids = {"eve": eve, "ed": ed}
    for username, name in (("fay", "赵工"), ("gus", "钱工")):
        life.personas.add(username, Role.EXPERT)
        rows = await Expert.insert(
            Expert(name=name, user=life.id(username), specialties=["market"], organisation="重庆工商大学")
        ).returning(Expert.id)
        ids[username] = rows[0]["id"]
    await Expert.update({Expert.away_until: date.today() + timedelta(days=20)}).where(Expert.id == ids["fay"])
    return ids


async def triaged(life: Life, conflicted: int | None = None) -> int:
    case = await life.case(category="market")
    await life.move("olga", case, T.TRIAGE)
    if conflicted is not None:
        enterprise = (await Assignment.raw("SELECT enterprise FROM casework_case WHERE id = {}", case))[0]["enterprise"]
        await ExpertConflict.insert(ExpertConflict(expert=conflicted, enterprise=enterprise, kind="kin"))
    return case


async def test_it_ranks_the_experts_best_first_with_reasons_and_says_who_is_left_out(client: Any, life: Life) -> None:
    ids = await pool(life)
    case = await triaged(life, conflicted=ids["gus"])

    response = await client.http.get(f"/api/v1/cases/{case}/expert-matches", headers=await client.api_token("olga"))

    assert response.status_code == 200, response.text
    body = response.json()
    assert [m["expert_id"] for m in body["matches"]] == [ids["eve"], ids["ed"]]
    assert [m["rank"] for m in body["matches"]] == [1, 2]
    best = body["matches"][0]
    assert best["score"] == pytest.approx(sum(part["points"] for part in best["parts"]), abs=0.5)
    assert [part["kind"] for part in best["parts"]][:1] == ["specialty"]
    assert any("牵头" in reason or "市场" in reason for reason in best["reasons"]), best["reasons"]
    assert (body["ranked"], body["excluded_count"]) == (2, 2)
    assert {x["expert_id"]: x["reason"] for x in body["excluded"]} == {ids["fay"]: "away", ids["gus"]: "conflict"}
    assert all(x["explanation"] for x in body["excluded"])


async def test_it_limits_the_list(client: Any, life: Life) -> None:
    await pool(life)
    case = await triaged(life)

    body = (
        await client.http.get(f"/api/v1/cases/{case}/expert-matches?limit=1", headers=await client.api_token("carl"))
    ).json()

    assert (len(body["matches"]), body["ranked"], body["limit"]) == (1, 3, 1)  # Eve, Gus and Ed may take it


async def test_it_hides_a_case_of_another_district(client: Any, life: Life) -> None:
    await pool(life)
    case = await triaged(life)

    response = await client.http.get(f"/api/v1/cases/{case}/expert-matches", headers=await client.api_token("oscar"))

    assert response.status_code == 404


@pytest.mark.parametrize("username", ["eve", "alice"])
async def test_it_refuses_experts_and_brokers(client: Any, life: Life, username: str) -> None:
    await pool(life)
    case = await triaged(life)

    response = await client.http.get(f"/api/v1/cases/{case}/expert-matches", headers=await client.api_token(username))

    assert response.status_code == 403


async def test_it_suggests_experts_on_the_case_page_and_assigns_the_one_chosen(client: Any, life: Life) -> None:
    ids = await pool(life)
    case = await triaged(life, conflicted=ids["gus"])
    await client.login("olga")

    html = (await client.http.get(f"/cases/{case}")).text

    assert "推荐专家" in html
    section = html[html.index('class="card suggested-experts"') :]
    section = section[: section.index("</section>")]
    assert section.index("李工") < section.index("王工")  # best first
    assert "利益冲突" in section and "赵工" in section  # the excluded, with why
    buttons = re.findall(r'name="expert" value="(\d+)"', section)
    assert buttons == [str(ids["eve"]), str(ids["ed"])]
    version = re.search(r'name="version" value="(\d+)"', section)
    assert version is not None

    token = await client.csrf(f"/cases/{case}")
    response = await client.http.post(
        f"/cases/{case}/transitions",
        data={"_csrf_token": token, "transition": "assign", "version": version.group(1), "expert": str(ids["ed"])},
    )

    assert response.status_code in (302, 303), response.text
    assert await life.state(case) is S.ASSIGNED
    offer = await Assignment.select(Assignment.expert, Assignment.status).where(Assignment.case == case).first()
    assert offer == {"expert": ids["ed"], "status": "offered"}
    assert "推荐专家" not in (await client.http.get(f"/cases/{case}")).text  # assigned: nothing to suggest


async def test_it_suggests_nothing_to_a_broker_or_on_a_case_not_yet_triaged(client: Any, life: Life) -> None:
    await pool(life)
    submitted, triaged_case = await life.case(), await triaged(life)
    await client.login("olga")
    assert "推荐专家" not in (await client.http.get(f"/cases/{submitted}")).text
    await client.login("alice")
    assert "推荐专家" not in (await client.http.get(f"/cases/{triaged_case}")).text


async def test_it_leaves_out_experts_serving_other_districts(client: Any, life: Life) -> None:
    ids = await pool(life)
    await Expert.update({Expert.districts: [DISTRICT_B]}).where(Expert.id == ids["ed"])
    case = await triaged(life)

    body = (
        await client.http.get(f"/api/v1/cases/{case}/expert-matches", headers=await client.api_token("olga"))
    ).json()

    assert [m["expert_id"] for m in body["matches"]] == [ids["eve"], ids["gus"]]  # no Ed, listed nor excluded
    assert ids["ed"] not in {x["expert_id"] for x in body["excluded"]}
