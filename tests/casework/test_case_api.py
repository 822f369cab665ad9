"""The case API: lists with filters, filing, one case, its events, and transitions with their refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casework.tables import Case
from casework.workflow import CaseState, Transition
from tests.casework.life import Life

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


async def ids(client: Any, headers: dict[str, str], query: str = "") -> list[int]:
    response = await client.http.get(f"/api/v1/cases{query}", headers=headers)
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["items"]]


async def test_it_filters_the_list_by_state_district_category_age_expert_and_broker(client: Any, life: Life) -> None:
    expert = await life.expert("eve")
    market = await life.case(category="market")
    money = await life.case(category="financing")
    assigned = await life.case(category="technology")
    elsewhere = await life.case(broker="bob", category="market")
    await life.move("olga", assigned, T.TRIAGE)
    await life.move("olga", assigned, T.ASSIGN, expert=expert)
    await Case.update({Case.created_at: datetime.now(UTC) - timedelta(days=40)}).where(Case.id == money)
    carl = await client.api_token("carl")

    assert await ids(client, carl) == [elsewhere, assigned, money, market]
    assert await ids(client, carl, "?state=assigned") == [assigned]
    assert await ids(client, carl, "?district=500118") == [elsewhere]
    assert await ids(client, carl, "?category=market") == [elsewhere, market]
    assert await ids(client, carl, "?older_than_days=30") == [money]
    assert await ids(client, carl, f"?expert={expert}") == [assigned]
    assert await ids(client, carl, f"?broker={life.id('bob')}") == [elsewhere]
    assert await ids(client, carl, "?category=market&district=500154") == [market]
    # A filter never widens reach: olga sees district A only, whatever she asks for.
    assert await ids(client, await client.api_token("olga"), "?district=500118") == []
    page = (await client.http.get("/api/v1/cases?per_page=2&page=2", headers=carl)).json()
    assert (page["total"], page["page"], [c["id"] for c in page["items"]]) == (4, 2, [money, market])


@pytest.mark.parametrize("query", ["?category=cooking", "?district=999999", "?older_than_days=-1", "?expert=0"])
async def test_it_refuses_a_filter_it_does_not_know(client: Any, life: Life, query: str) -> None:
    response = await client.http.get(f"/api/v1/cases{query}", headers=await client.api_token("carl"))
    assert response.status_code in (400, 422)


async def test_it_files_a_case_through_the_api(client: Any, life: Life) -> None:
    enterprise = await life.enterprise()
    alice = await client.api_token("alice")
    body = {"enterprise_id": enterprise, "category": "financing", "description": "冷库贷款", "amount_sought": "300000"}
    filed = await client.http.post("/api/v1/cases", json=body, headers=alice)
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert (case["state"], case["enterprise_id"], case["version"]) == ("submitted", enterprise, 1)
    assert [n["category"] for n in case["needs"]] == ["financing"] and case["transitions"] == ["withdraw"]

    bob = await client.api_token("bob")
    refused = await client.http.post("/api/v1/cases", json=body, headers=bob)
    assert refused.status_code == 404  # not his enterprise


async def test_it_moves_a_case_and_answers_with_the_new_state_version_and_effects(client: Any, life: Life) -> None:
    case_id = await life.case()
    olga = await client.api_token("olga")
    response = await client.http.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": "return_to_broker", "version": 1, "reason": "贷款用途？"},
        headers=olga,
    )
    assert response.status_code == 201, response.text
    moved = response.json()
    assert (moved["from_state"], moved["state"], moved["version"]) == ("submitted", "draft", 2)
    assert moved["effects"] == ["close_triage_clock"]

    case = (await client.http.get(f"/api/v1/cases/{case_id}", headers=olga)).json()
    assert case["open_question"] == "贷款用途？" and case["state"] == "draft"
    events = (await client.http.get(f"/api/v1/cases/{case_id}/events", headers=olga)).json()
    assert [e["kind"] for e in events] == ["filed", "return_to_broker"] and events[-1]["id"] == moved["event_id"]


async def test_it_holds_closes_and_assigns_with_the_details_each_needs(client: Any, life: Life) -> None:
    case_id = await life.case()
    expert = await life.expert("eve")
    olga = await client.api_token("olga")

    async def post(body: dict[str, Any]) -> Any:
        version = await life.version(case_id)
        return await client.http.post(
            f"/api/v1/cases/{case_id}/transitions", json={"version": version, **body}, headers=olga
        )

    resume_on = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    assert (await post({"transition": "hold", "reason": "春节", "resume_on": resume_on})).status_code == 201
    case = (await client.http.get(f"/api/v1/cases/{case_id}", headers=olga)).json()
    assert (case["state"], case["held_from"], case["resume_on"]) == ("on_hold", "submitted", resume_on)
    assert (await post({"transition": "resume"})).status_code == 201
    assert (await post({"transition": "triage"})).status_code == 201
    assigned = await post({"transition": "assign", "expert": expert})
    assert assigned.status_code == 201 and assigned.json()["effects"] == ["open_offer_deadline"]
    assert (await client.http.get(f"/api/v1/cases/{case_id}", headers=olga)).json()["offered_expert_name"] == "李工"


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"transition": "decline"}, 422, {"reason"}),
        ({"transition": "merge"}, 422, {"survivor"}),
        ({"transition": "merge", "survivor": 999999}, 422, {"survivor"}),
        ({"transition": "hold", "reason": "x"}, 422, {"resume_on"}),
        ({"transition": "hold", "reason": "x", "resume_on": "2020-01-01"}, 422, {"resume_on"}),
        ({"transition": "close", "outcome": "resolved"}, 409, set()),  # not from submitted
        ({"transition": "accept_assignment"}, 403, set()),  # not an expert's to accept
        ({"transition": "triage", "version": 7}, 409, set()),  # stale
    ],
)
async def test_it_refuses_a_transition_with_the_status_and_fields_that_say_why(
    client: Any, life: Life, body: dict[str, Any], status: int, fields: set[str]
) -> None:
    case_id = await life.case()
    response = await client.http.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"version": 1, **body},
        headers=await client.api_token("olga"),
    )
    assert response.status_code == status, response.text
    assert set(response.json().get("errors") or {}) == fields
    assert await life.version(case_id) == 1 and await life.state(case_id) is S.SUBMITTED


async def test_it_says_in_chinese_that_someone_else_changed_the_case(client: Any, life: Life) -> None:
    case_id = await life.case()
    await life.move("olga", case_id, T.TRIAGE)
    response = await client.http.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": "decline", "version": 1, "reason": "重复"},
        headers=await client.api_token("carl"),
    )
    assert response.status_code == 409 and "其他人已修改" in response.json()["detail"]
