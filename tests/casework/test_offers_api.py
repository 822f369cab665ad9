"""The offers API: Olga (officer, district A) offers Alice's case to Eve (expert), Eve answers it.

Oscar (officer, B) and Bob (broker, B) do not reach the case; Ed, another expert, neither; Alice,
the filing broker, reaches the case but may not offer it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from casework.tables import Assignment
from casework.workflow import CaseState, Transition
from tests.casework.life import Life
from tests.casework.workspace.offers import lapse, offered

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition


@pytest.fixture
def life(personas: Any) -> Life:
    return Life(personas)


class Api:
    """Bearer tokens by persona, on one client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.tokens: dict[str, dict[str, str]] = {}

    async def headers(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            self.tokens[username] = await self.client.api_token(username)
        return self.tokens[username]

    async def get(self, username: str, path: str) -> Any:
        return await self.client.http.get(path, headers=await self.headers(username))

    async def post(self, username: str, path: str, body: dict[str, Any]) -> Any:
        return await self.client.http.post(path, json=body, headers=await self.headers(username))


@pytest.fixture
def api(client: Any) -> Api:
    return Api(client)


async def status_of(offer_id: int) -> str:
    row = await Assignment.select(Assignment.status).where(Assignment.id == offer_id).first()
    assert row is not None
    return str(row["status"])


async def test_it_lets_an_officer_offer_a_triaged_case(api: Api, life: Life) -> None:
    expert = await life.expert("eve")
    case_id = await life.case()
    await life.bring_to(case_id, S.TRIAGED)

    made = await api.post(
        "olga", f"/api/v1/cases/{case_id}/offers", {"expert": expert, "version": await life.version(case_id)}
    )

    assert made.status_code == 201, made.text
    offer = made.json()
    assert offer["status"] == "offered" and offer["expert_id"] == expert and offer["expert_name"] == "李工"
    assert offer["deadline"] is not None and offer["offered_by_name"] == "Olga"
    assert await life.state(case_id) is S.ASSIGNED
    listed = (await api.get("olga", f"/api/v1/cases/{case_id}/offers")).json()
    assert [row["id"] for row in listed] == [offer["id"]]


@pytest.mark.parametrize("who", ["alice", "eve"])
async def test_it_lets_only_officers_offer_a_case(api: Api, life: Life, who: str) -> None:
    expert = await life.expert("eve")
    case_id = await life.case()
    await life.bring_to(case_id, S.TRIAGED)

    made = await api.post(
        who, f"/api/v1/cases/{case_id}/offers", {"expert": expert, "version": await life.version(case_id)}
    )

    assert made.status_code == 403
    assert await life.state(case_id) is S.TRIAGED


async def test_it_refuses_an_offer_on_a_stale_version_or_another_districts_case(api: Api, life: Life) -> None:
    expert = await life.expert("eve")
    case_id = await life.case()
    await life.bring_to(case_id, S.TRIAGED)
    version = await life.version(case_id)

    assert (
        await api.post("oscar", f"/api/v1/cases/{case_id}/offers", {"expert": expert, "version": version})
    ).status_code == 404
    stale = await api.post("olga", f"/api/v1/cases/{case_id}/offers", {"expert": expert, "version": version - 1})
    assert stale.status_code == 409
    assert await Assignment.count().where(Assignment.case == case_id) == 0


async def test_it_shows_a_cases_offers_to_officers_in_reach_and_to_the_offered_expert(api: Api, life: Life) -> None:
    case_id, offer_id = await offered(life)
    await life.expert("ed", name="王工")

    for who in ("olga", "carl", "eve"):
        listed = await api.get(who, f"/api/v1/cases/{case_id}/offers")
        assert listed.status_code == 200 and [row["id"] for row in listed.json()] == [offer_id], who
    for who in ("oscar", "bob", "ed"):
        assert (await api.get(who, f"/api/v1/cases/{case_id}/offers")).status_code == 404, who
    # Alice filed the case and reaches it, but offers are between the officers and the experts.
    assert (await api.get("alice", f"/api/v1/cases/{case_id}/offers")).json() == []


async def test_it_lets_the_offered_expert_accept_without_a_version(api: Api, life: Life) -> None:
    case_id, offer_id = await offered(life)

    accepted = await api.post("eve", f"/api/v1/cases/{case_id}/offers/{offer_id}/accept", {})

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted" and accepted.json()["deadline"] is None
    assert await life.state(case_id) is S.ASSIGNED
    assert (await api.get("eve", "/api/v1/me/offers")).json()["total"] == 0


async def test_it_refuses_a_decline_without_a_reason_and_changes_nothing(api: Api, life: Life) -> None:
    case_id, offer_id = await offered(life)

    refused = await api.post("eve", f"/api/v1/cases/{case_id}/offers/{offer_id}/decline", {"reason": " "})

    assert refused.status_code == 422 and refused.json()["errors"]["reason"] == "请填写原因。"
    assert await status_of(offer_id) == "offered"
    declined = await api.post("eve", f"/api/v1/cases/{case_id}/offers/{offer_id}/decline", {"reason": "不熟悉该行业"})
    assert declined.status_code == 200 and declined.json()["reason"] == "不熟悉该行业"
    assert await life.state(case_id) is S.TRIAGED


async def test_it_refuses_to_answer_a_lapsed_offer_with_a_clear_message(api: Api, life: Life) -> None:
    case_id, offer_id = await offered(life)
    await lapse(offer_id)
    version = await life.version(case_id)

    for path, body in (("accept", {}), ("decline", {"reason": "太忙"})):
        refused = await api.post("eve", f"/api/v1/cases/{case_id}/offers/{offer_id}/{path}", body)
        assert refused.status_code == 409
        assert re.fullmatch(r"该邀请已于 \d{4}-\d{2}-\d{2} 过期，无法再答复，未作任何更改。", refused.json()["detail"])
    assert await status_of(offer_id) == "lapsed" and await life.version(case_id) == version


async def test_it_refuses_an_old_offer_once_the_case_was_offered_again(api: Api, life: Life) -> None:
    case_id, first = await offered(life)
    await lapse(first)
    await life.move("olga", case_id, T.ASSIGN, expert=life.experts["eve"])

    refused = await api.post("eve", f"/api/v1/cases/{case_id}/offers/{first}/accept", {})

    assert refused.status_code == 409
    assert await Assignment.count().where((Assignment.case == case_id) & (Assignment.status == "accepted")) == 0


async def test_it_refuses_someone_elses_offer(api: Api, life: Life) -> None:
    case_id, offer_id = await offered(life)
    await life.expert("ed", name="王工")

    # Ed does not reach the case at all; Olga reaches it, but the offer is Eve's to answer.
    assert (await api.post("ed", f"/api/v1/cases/{case_id}/offers/{offer_id}/accept", {})).status_code == 404
    theirs = await api.post("olga", f"/api/v1/cases/{case_id}/offers/{offer_id}/accept", {})
    assert theirs.status_code == 409 and "另一位专家" in theirs.json()["detail"]
    assert await status_of(offer_id) == "offered"


async def test_it_hides_another_districts_case_and_an_offer_of_another_case(api: Api, life: Life) -> None:
    case_id, offer_id = await offered(life)
    other_case, _other_offer = await offered(life)

    assert (await api.post("oscar", f"/api/v1/cases/{case_id}/offers/{offer_id}/accept", {})).status_code == 404
    assert (await api.post("eve", f"/api/v1/cases/{other_case}/offers/{offer_id}/accept", {})).status_code == 404
    assert await status_of(offer_id) == "offered"


async def test_it_lists_the_experts_open_offers(api: Api, life: Life) -> None:
    case_id, offer_id = await offered(life, category="financing")

    mine = await api.get("eve", "/api/v1/me/offers")

    assert mine.status_code == 200
    [offer] = mine.json()["items"]
    assert offer["id"] == offer_id and offer["case_id"] == case_id and offer["categories"] == ["financing"]
    assert offer["enterprise_name"].startswith("测试竹编合作社") and offer["deadline"] is not None
    assert "founder" not in str(offer)
    assert (await api.get("olga", "/api/v1/me/offers")).status_code == 403
