"""The thin end-to-end flow over HTTP: a broker files a need; his district's officer sees it, no other."""

from __future__ import annotations

from typing import Any

import pytest

from casework.tables import Case, CaseEvent

pytestmark = pytest.mark.anyio

ENTERPRISE = {
    "name": "开州区春华柑橘家庭农场",
    "legal_form": "family_farm",
    "district": "500154",
    "town": "汉丰街道",
    "founder_name": "周春华",
    "founder_phone": "139 8345 1234",
}
NEED = {
    "category": "financing",
    "description": "扩建冷库需要资金",
    "urgency": "high",
    "amount_sought": "300000",
}


async def register_and_file(client: Any) -> int:
    """Alice registers an enterprise and files a need through the pages; returns the case id."""
    registered = await client.post_form("/enterprises/new", ENTERPRISE)
    assert registered.status_code == 302, registered.text
    enterprise_path = registered.headers["location"].split("?")[0]
    filed = await client.post_form(f"{enterprise_path}/needs", NEED, csrf_from=enterprise_path)
    assert filed.status_code == 302, filed.text
    return int(filed.headers["location"].split("/")[2].split("?")[0])


async def test_it_puts_a_filed_need_in_the_queue_of_the_brokers_district_only(
    client: Any, new_client: Any, personas: Any
) -> None:
    await client.login("alice")
    case_id = await register_and_file(client)

    case = await Case.select().where(Case.id == case_id).first()
    assert case["state"] == "submitted" and case["district"] == "500154"
    assert await CaseEvent.count().where(CaseEvent.case == case_id) == 1

    mine = await client.http.get("/cases/mine")
    assert ENTERPRISE["name"] in mine.text and "已提交" in mine.text

    olga = new_client()
    await olga.login("olga")
    assert ENTERPRISE["name"] in (await olga.http.get("/cases/queue")).text

    oscar = new_client()
    await oscar.login("oscar")
    assert ENTERPRISE["name"] not in (await oscar.http.get("/cases/queue")).text

    carl = new_client()
    await carl.login("carl")
    assert ENTERPRISE["name"] in (await carl.http.get("/cases/queue")).text


async def test_it_lets_the_district_officer_accept_the_case(client: Any, new_client: Any, personas: Any) -> None:
    await client.login("alice")
    case_id = await register_and_file(client)
    olga = new_client()
    await olga.login("olga")
    accepted = await olga.post_form(
        f"/cases/{case_id}/transitions",
        {"transition": "triage", "version": "1"},
        csrf_from=f"/cases/{case_id}",
    )
    assert accepted.status_code == 302
    page = await olga.http.get(f"/cases/{case_id}")
    assert "已受理" in page.text
    assert [e["kind"] for e in await CaseEvent.select(CaseEvent.kind).order_by(CaseEvent.id)] == [
        "filed",
        "triage",
    ]


async def test_it_refuses_a_stale_change_instead_of_overwriting(client: Any, new_client: Any, personas: Any) -> None:
    await client.login("alice")
    case_id = await register_and_file(client)
    olga, carl = new_client(), new_client()
    await olga.login("olga")
    await carl.login("carl")
    form = {"transition": "triage", "version": "1"}
    first = await olga.post_form(f"/cases/{case_id}/transitions", form, csrf_from=f"/cases/{case_id}")
    decline = {"transition": "decline", "version": "1", "reason": "重复"}
    second = await carl.post_form(f"/cases/{case_id}/transitions", decline, csrf_from=f"/cases/{case_id}")
    assert first.status_code == 302
    assert second.status_code == 409  # carl read version 1 too; his decline must not silently win
    assert (await Case.select(Case.state).where(Case.id == case_id).first())["state"] == "triaged"


async def test_it_keeps_the_input_and_shows_each_error_in_chinese(client: Any, personas: Any) -> None:
    await client.login("alice")
    response = await client.post_form("/enterprises/new", {**ENTERPRISE, "founder_phone": "12345", "town": ""})
    assert response.status_code == 400
    assert 'value="开州区春华柑橘家庭农场"' in response.text  # the name she typed is still there
    assert 'id="e-founder_phone"' in response.text and 'id="e-town"' in response.text
    assert "手机" in response.text  # the phone error, in Chinese


async def test_it_runs_the_same_flow_through_the_api(client: Any, personas: Any) -> None:
    alice = await client.api_token("alice")
    created = await client.http.post("/api/v1/enterprises", json=ENTERPRISE, headers=alice)
    assert created.status_code == 201, created.text
    enterprise = created.json()
    assert enterprise["founder_phone"] == "139****1234"  # masked in API responses
    filed = await client.http.post(f"/api/v1/enterprises/{enterprise['id']}/needs", json=NEED, headers=alice)
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert case["state"] == "submitted"

    olga = await client.api_token("olga")
    queue = (await client.http.get("/api/v1/cases?state=submitted", headers=olga)).json()
    assert [c["id"] for c in queue["items"]] == [case["id"]] and queue["total"] == 1
    oscar = await client.api_token("oscar")
    assert (await client.http.get("/api/v1/cases", headers=oscar)).json()["total"] == 0

    moved = await client.http.post(
        f"/api/v1/cases/{case['id']}/transitions", json={"transition": "triage", "version": 1}, headers=olga
    )
    assert moved.status_code == 201 and moved.json()["state"] == "triaged"
    stale = await client.http.post(
        f"/api/v1/cases/{case['id']}/transitions",
        json={"transition": "decline", "version": 1, "reason": "x"},
        headers=olga,
    )
    assert stale.status_code == 409
    events = (await client.http.get(f"/api/v1/cases/{case['id']}/events", headers=olga)).json()
    assert [e["kind"] for e in events] == ["filed", "triage"]


async def test_it_reports_bad_api_input_field_by_field(client: Any, personas: Any) -> None:
    alice = await client.api_token("alice")
    response = await client.http.post(
        "/api/v1/enterprises", json={**ENTERPRISE, "founder_phone": "12", "district": "500118"}, headers=alice
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"founder_phone", "district"}
