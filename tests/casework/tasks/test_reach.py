"""Who reaches which task, over the pages and the API: a broker his own, an officer his district's, the city all."""

from __future__ import annotations

from typing import Any

import pytest

from casework.tables import Task
from tests.casework.tasks.conftest import World, in_days

pytestmark = pytest.mark.anyio


async def test_it_shows_a_task_only_to_its_broker_his_districts_officer_and_the_city(
    new_client: Any, world: World
) -> None:
    task_id = await world.dispatch()
    expected = {"alice": 200, "olga": 200, "carl": 200, "anna": 404, "bob": 404, "oscar": 404, "eve": 404, "adam": 404}
    for username, status in expected.items():
        client = new_client()
        await client.login(username)
        assert (await client.http.get(f"/tasks/{task_id}")).status_code == status, username
        headers = await client.api_token(username)
        assert (await client.http.get(f"/api/v1/tasks/{task_id}", headers=headers)).status_code == status, username


async def test_it_answers_404_to_a_broker_completing_or_an_officer_cancelling_anothers_task(
    new_client: Any, world: World
) -> None:
    task_id = await world.dispatch()
    bob, oscar, anna = new_client(), new_client(), new_client()
    for client, name in ((bob, "bob"), (oscar, "oscar"), (anna, "anna")):
        await client.login(name)
    csrf_from = "/tasks/mine"
    assert (await bob.post_form(f"/tasks/{task_id}/complete", {"version": "1"}, csrf_from)).status_code == 404
    assert (await anna.post_form(f"/tasks/{task_id}/complete", {"version": "1"}, csrf_from)).status_code == 404
    cancel = {"version": "1", "reason": "x"}
    assert (await oscar.post_form(f"/tasks/{task_id}/cancel", cancel, "/tasks")).status_code == 404
    api = [
        ("bob", f"/api/v1/tasks/{task_id}/complete", {"version": 1, "note": "x"}, 404),
        ("oscar", f"/api/v1/tasks/{task_id}/cancel", {"version": 1, "reason": "x"}, 404),
        ("eve", f"/api/v1/tasks/{task_id}/complete", {"version": 1, "note": "x"}, 403),  # experts complete nothing
        ("olga", f"/api/v1/tasks/{task_id}/complete", {"version": 1, "note": "x"}, 403),  # officers neither
    ]
    for username, path, body, status in api:
        headers = await bob.api_token(username)
        assert (await bob.http.post(path, json=body, headers=headers)).status_code == status, username
    assert (await Task.select(Task.status).where(Task.id == task_id).first())["status"] == "open"


async def test_it_keeps_officers_to_their_district_when_dispatching(new_client: Any, world: World) -> None:
    oscar = new_client()
    await oscar.login("oscar")
    assert (await oscar.http.get(f"/tasks/new?case_id={world.case_a}")).status_code == 404
    assert (await oscar.http.get(f"/tasks/new?enterprise_id={world.enterprise_a}")).status_code == 404
    headers = await oscar.api_token("oscar")
    body = {
        "kind": "visit",
        "due_on": in_days(1).isoformat(),
        "broker_id": world.id("alice"),
        "instructions": "走访",
        "case_id": world.case_a,
    }
    assert (await oscar.http.post("/api/v1/tasks", json=body, headers=headers)).status_code == 404
    # The city dispatches in any district, to that district's brokers only.
    carl = await oscar.api_token("carl")
    to_bob = await oscar.http.post("/api/v1/tasks", json={**body, "broker_id": world.id("bob")}, headers=carl)
    assert to_bob.status_code == 422 and set(to_bob.json()["errors"]) == {"broker_id"}
    made = await oscar.http.post("/api/v1/tasks", json=body, headers=carl)
    assert made.status_code == 201, made.text
    assert made.json()["district"] == "500154" and made.json()["broker_id"] == world.id("alice")
    eve = await oscar.api_token("eve")
    assert (await oscar.http.post("/api/v1/tasks", json=body, headers=eve)).status_code == 403
    assert await Task.count() == 1


async def test_it_lists_only_the_tasks_within_reach(new_client: Any, world: World) -> None:
    in_a = await world.dispatch()
    in_b = await world.dispatch(officer="oscar", broker="bob", case_id=world.case_b)
    client = new_client()
    expected = {"alice": [in_a], "bob": [in_b], "anna": [], "olga": [in_a], "oscar": [in_b], "carl": [in_a, in_b]}
    for username, ids in expected.items():
        headers = await client.api_token(username)
        listed = await client.http.get("/api/v1/tasks", headers=headers)
        assert listed.status_code == 200, username
        assert sorted(t["id"] for t in listed.json()["items"]) == ids, username
        assert listed.json()["total"] == len(ids)
    for username in ("eve", "adam"):
        headers = await client.api_token(username)
        assert (await client.http.get("/api/v1/tasks", headers=headers)).status_code == 403, username
    carl = await client.api_token("carl")
    only_b = await client.http.get("/api/v1/tasks", params={"district": "500118"}, headers=carl)
    assert [t["id"] for t in only_b.json()["items"]] == [in_b]
    of_case = await client.http.get("/api/v1/tasks", params={"case": world.case_a}, headers=carl)
    assert [t["id"] for t in of_case.json()["items"]] == [in_a]
    by_broker = await client.http.get("/api/v1/tasks", params={"broker": world.id("bob")}, headers=carl)
    assert [t["id"] for t in by_broker.json()["items"]] == [in_b]
