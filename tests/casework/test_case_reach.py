"""Who reaches a case over HTTP, on every page and API route of the case life.

Alice (broker, A) files; Olga (officer, A), Carl (city) and Adam (admin, reading as the city reads)
reach it; Bob (broker, B), Oscar (officer, B) and Ed (an expert not assigned) get 404 everywhere; Eve
reaches it while she holds an offered or accepted assignment, and its enterprise read-only and
masked; a broker tasked on the case reaches it too. A role that may never do a thing gets 403.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.policy import Role
from casework.workflow import Transition
from tests.casework.life import Life
from tests.conftest import DISTRICT_A

pytestmark = pytest.mark.anyio
T = Transition


@pytest.fixture
async def life(personas: Any) -> Life:
    world = Life(personas)
    await world.expert("eve", name="李工")
    await world.expert("ed", name="王工")
    return world


PAGES = ["/cases/{case}"]
API = ["/api/v1/cases/{case}", "/api/v1/cases/{case}/events"]


async def can_read(client: Any, username: str, case_id: int) -> list[int]:
    """The statuses of every read route of the case for `username`: pages by session, API by token."""
    new = client()
    await new.login(username)
    headers = await new.api_token(username)
    statuses = [(await new.http.get(path.format(case=case_id))).status_code for path in PAGES]
    statuses += [(await new.http.get(path.format(case=case_id), headers=headers)).status_code for path in API]
    return statuses


@pytest.mark.parametrize("outsider", ["bob", "oscar", "ed"])
async def test_it_hides_the_case_from_those_outside_its_reach(new_client: Any, life: Life, outsider: str) -> None:
    case_id = await life.case()
    assert await can_read(new_client, outsider, case_id) == [404, 404, 404]

    user = new_client()
    await user.login(outsider)
    form = {"transition": "triage", "version": "1"}
    token = await user.csrf("/cases/mine" if outsider != "oscar" else "/cases/queue")
    page = await user.http.post(f"/cases/{case_id}/transitions", data={"_csrf_token": token, **form})
    assert page.status_code == 404
    headers = await user.api_token(outsider)
    api = await user.http.post(
        f"/api/v1/cases/{case_id}/transitions", json={"transition": "triage", "version": 1}, headers=headers
    )
    assert api.status_code == 404
    listed = await user.http.get("/api/v1/cases", headers=headers)
    assert case_id not in [c["id"] for c in listed.json()["items"]]


@pytest.mark.parametrize("insider", ["alice", "olga", "carl", "adam"])
async def test_it_shows_the_case_to_those_within_its_reach(new_client: Any, life: Life, insider: str) -> None:
    case_id = await life.case()
    assert await can_read(new_client, insider, case_id) == [200, 200, 200]


async def test_it_lets_the_administrator_find_a_case_in_the_queue_and_only_read_it(new_client: Any, life: Life) -> None:
    case_id = await life.case()
    adam = new_client()
    await adam.login("adam")

    queue = await adam.http.get("/cases/queue")
    assert queue.status_code == 200 and f'href="/cases/{case_id}"' in queue.text
    assert 'href="/cases/queue"' in queue.text  # the menu offers what the policy allows
    page = await adam.http.get(f"/cases/{case_id}")
    assert page.status_code == 200
    assert 'name="transition"' not in page.text and f'action="/cases/{case_id}/notes"' not in page.text


async def test_it_lets_an_expert_reach_a_case_while_he_holds_a_live_assignment(new_client: Any, life: Life) -> None:
    case_id = await life.case()
    assert await can_read(new_client, "eve", case_id) == [404, 404, 404]
    await life.move("olga", case_id, T.TRIAGE)
    await life.move("olga", case_id, T.ASSIGN, expert=life.experts["eve"])
    assert await can_read(new_client, "eve", case_id) == [200, 200, 200]  # offered: he must read it to answer
    assert await can_read(new_client, "ed", case_id) == [404, 404, 404]

    eve = new_client()
    await eve.login("eve")
    mine = await eve.http.get("/cases/mine")
    assert f'href="/cases/{case_id}"' in mine.text
    page = await eve.http.get(f"/cases/{case_id}")
    assert "接受指派" in page.text or 'value="accept_assignment"' in page.text

    declined = await eve.post_form(
        f"/cases/{case_id}/transitions",
        {"transition": "decline_assignment", "version": str(await life.version(case_id)), "reason": "日程已满"},
        csrf_from=f"/cases/{case_id}",
    )
    assert declined.status_code == 302 and declined.headers["location"] == "/cases/mine"
    assert await can_read(new_client, "eve", case_id) == [404, 404, 404]


async def test_it_lets_an_expert_read_his_cases_enterprise_masked_and_never_change_it(
    new_client: Any, life: Life
) -> None:
    enterprise = await life.enterprise()
    case_id = await life.case(enterprise=enterprise)
    other_enterprise = await life.enterprise()
    eve = new_client()
    await eve.login("eve")
    headers = await eve.api_token("eve")
    assert (await eve.http.get(f"/enterprises/{enterprise}")).status_code == 404

    await life.move("olga", case_id, T.TRIAGE)
    await life.move("olga", case_id, T.ASSIGN, expert=life.experts["eve"])
    await life.move("eve", case_id, T.ACCEPT_ASSIGNMENT)

    page = await eve.http.get(f"/enterprises/{enterprise}")
    assert page.status_code == 200 and "63861234" not in page.text  # the founder's phone, masked
    api = await eve.http.get(f"/api/v1/enterprises/{enterprise}", headers=headers)
    assert api.status_code == 200 and "63861234" not in api.text
    listed = (await eve.http.get("/api/v1/enterprises", headers=headers)).json()
    assert [e["id"] for e in listed["items"]] == [enterprise]
    assert (await eve.http.get(f"/enterprises/{other_enterprise}")).status_code == 404
    assert (await eve.http.get(f"/enterprises/{enterprise}/edit")).status_code == 403
    changed = await eve.http.patch(f"/api/v1/enterprises/{enterprise}", json={"town": "别处"}, headers=headers)
    assert changed.status_code == 403


async def test_it_lets_a_broker_reach_a_case_he_is_tasked_on(new_client: Any, life: Life) -> None:
    life.personas.add("anna", Role.BROKER, DISTRICT_A)
    enterprise = await life.enterprise()
    case_id = await life.case(enterprise=enterprise)
    anna = new_client()
    await anna.login("anna")
    assert (await anna.http.get(f"/cases/{case_id}")).status_code == 404

    await life.task(case_id, "anna", enterprise)  # written by the tasks feature in real life

    assert (await anna.http.get(f"/cases/{case_id}")).status_code == 200
    assert f'href="/cases/{case_id}"' in (await anna.http.get("/cases/mine")).text
    headers = await anna.api_token("anna")
    assert [c["id"] for c in (await anna.http.get("/api/v1/cases", headers=headers)).json()["items"]] == [case_id]
    # Tasked is not filed: she may read the case, not withdraw it.
    refused = await anna.http.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"transition": "withdraw", "version": 1, "reason": "x"},
        headers=headers,
    )
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("username", "method", "path"),
    [
        ("adam", "POST", "/cases/{case}/transitions"),  # administrators move no case
        ("adam", "API", "/api/v1/cases/{case}/transitions"),
        ("eve", "GET", "/cases/queue"),
        ("olga", "GET", "/cases/mine"),
        ("olga", "FILE", "/api/v1/cases"),  # only brokers file
    ],
)
async def test_it_forbids_what_the_role_may_never_do(
    new_client: Any, life: Life, username: str, method: str, path: str
) -> None:
    case_id = await life.case()
    user = new_client()
    await user.login(username)
    url = path.format(case=case_id)
    if method == "GET":
        response = await user.http.get(url)
    elif method == "POST":
        token = await user.csrf(f"/cases/{case_id}")
        response = await user.http.post(url, data={"_csrf_token": token, "transition": "triage", "version": "1"})
    elif method == "API":
        headers = await user.api_token(username)
        response = await user.http.post(url, json={"transition": "triage", "version": 1}, headers=headers)
    else:
        headers = await user.api_token(username)
        body = {"enterprise_id": 1, "category": "market", "description": "x"}
        response = await user.http.post(url, json=body, headers=headers)
    assert response.status_code == 403
