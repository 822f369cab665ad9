"""Nobody reaches what lies outside his scope by guessing an id: pages, API, lists and counts.

Alice (broker, district A) files a case. Bob (broker, district B) and Oscar (officer, district B)
must get nothing of it; Olga (officer, district A) and Carl (city) see it.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.policy import Actor, Role
from casework.services import file_need
from enterprises.services import register_enterprise
from tests.conftest import DISTRICT_A

pytestmark = pytest.mark.anyio

SECRET_NAME = "开州区机密竹编合作社"


@pytest.fixture
async def alices_case(personas: Any) -> dict[str, int]:
    alice = Actor(personas.ids["alice"], Role.BROKER, DISTRICT_A)
    form = {
        "name": SECRET_NAME,
        "district": DISTRICT_A,
        "town": "临江镇",
        "founder_name": "谭巧玲",
        "founder_phone": "15823456789",
        "legal_form": "farmers_cooperative",
    }
    enterprise_id = await register_enterprise(alice, form)
    case_id = await file_need(alice, enterprise_id, {"category": "market", "description": "找销路"})
    return {"enterprise": enterprise_id, "case": case_id}


OUTSIDERS = ["bob", "oscar"]
PAGES = ["/enterprises/{enterprise}", "/cases/{case}"]
API = [
    "/api/v1/enterprises/{enterprise}",
    "/api/v1/enterprises/{enterprise}/needs",
    "/api/v1/cases/{case}",
    "/api/v1/cases/{case}/events",
]


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("path", PAGES)
async def test_it_hides_another_districts_records_on_pages(
    client: Any, alices_case: dict[str, int], outsider: str, path: str
) -> None:
    await client.login(outsider)
    response = await client.http.get(path.format(**alices_case))
    assert response.status_code == 404
    assert SECRET_NAME not in response.text


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("path", API)
async def test_it_hides_another_districts_records_in_the_api(
    client: Any, alices_case: dict[str, int], outsider: str, path: str
) -> None:
    headers = await client.api_token(outsider)
    response = await client.http.get(path.format(**alices_case), headers=headers)
    assert response.status_code == 404
    assert SECRET_NAME not in response.text


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_it_leaves_another_districts_records_out_of_lists_and_counts(
    client: Any, alices_case: dict[str, int], outsider: str
) -> None:
    headers = await client.api_token(outsider)
    for path in ("/api/v1/cases", "/api/v1/enterprises", f"/api/v1/enterprises?district={DISTRICT_A}"):
        body = (await client.http.get(path, headers=headers)).json()
        assert body["total"] == 0 and body["items"] == [], path
    await client.login(outsider)
    listing = "/cases/queue" if outsider == "oscar" else "/cases/mine"
    page = await client.http.get(listing)
    assert SECRET_NAME not in page.text
    assert "(1)" not in page.text  # the per-state counts leak nothing either
    assert SECRET_NAME not in (await client.http.get(f"/enterprises?q={SECRET_NAME[:3]}")).text


@pytest.mark.parametrize("outsider", OUTSIDERS)
async def test_it_refuses_changes_to_another_districts_case(
    client: Any, alices_case: dict[str, int], outsider: str
) -> None:
    headers = await client.api_token(outsider)
    for transition in ("triage", "withdraw"):
        response = await client.http.post(
            f"/api/v1/cases/{alices_case['case']}/transitions",
            json={"transition": transition, "version": 1, "reason": "x"},
            headers=headers,
        )
        assert response.status_code == 404
    need = {"category": "legal", "description": "x"}
    response = await client.http.post(
        f"/api/v1/enterprises/{alices_case['enterprise']}/needs", json=need, headers=headers
    )
    assert response.status_code in (403, 404)


@pytest.mark.parametrize("insider", ["alice", "olga", "carl"])
async def test_it_shows_the_case_to_those_within_reach(client: Any, alices_case: dict[str, int], insider: str) -> None:
    headers = await client.api_token(insider)
    response = await client.http.get(f"/api/v1/cases/{alices_case['case']}", headers=headers)
    assert response.status_code == 200
    assert response.json()["enterprise_name"] == SECRET_NAME


async def test_it_keeps_a_broker_out_of_another_brokers_cases_in_his_own_district(
    client: Any, alices_case: dict[str, int], personas: Any
) -> None:
    personas.add("anna", Role.BROKER, DISTRICT_A)
    headers = await client.api_token("anna")
    assert (await client.http.get(f"/api/v1/cases/{alices_case['case']}", headers=headers)).status_code == 404


@pytest.mark.parametrize(("user", "path"), [("alice", "/cases/queue"), ("olga", "/admin/users"), ("eve", "/experts")])
async def test_it_forbids_pages_beyond_the_role(client: Any, personas: Any, user: str, path: str) -> None:
    await client.login(user)
    assert (await client.http.get(path)).status_code == 403
