"""Tasks through the API, their order in a broker's list, completing once under a double submit, and the
enterprise page's needs with their cases."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from accounts.tables import Notification
from casework.services import transition_case
from casework.tables import CaseEvent, Task
from casework.tasks.completing import CompletionRequest, complete_task
from core.errors import Conflict
from tests.casework.tasks.conftest import PDF, World, in_days
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio


async def test_it_runs_a_document_task_through_the_api(client: Any, world: World) -> None:
    carl, bob = await client.api_token("carl"), await client.api_token("bob")
    body = {
        "kind": "collect_document",
        "due_on": in_days(4).isoformat(),
        "broker_id": world.id("bob"),
        "instructions": "收集茶园土地流转合同",
        "case_id": world.case_b,
    }
    created = await client.http.post("/api/v1/tasks", json=body, headers=carl)
    assert created.status_code == 201, created.text
    task = created.json()
    assert (task["status"], task["kind"], task["case_id"], task["version"]) == (
        "open",
        "collect_document",
        world.case_b,
        1,
    )
    assert task["enterprise_id"] == world.enterprise_b and task["overdue"] is False
    run_worker_until_idle()
    inbox = (await client.http.get("/api/v1/notifications", headers=bob)).json()["items"]
    assert [n["subject"] for n in inbox if n["kind"] == "task_dispatched"] == ["New task: collect a document"]

    path = f"/api/v1/tasks/{task['id']}"
    assert (await client.http.get(path, headers=bob)).json()["actions"] == ["complete"]
    missing = await client.http.post(f"{path}/complete", json={"version": 1, "note": "合同"}, headers=bob)
    assert missing.status_code == 422 and set(missing.json()["errors"]) == {"file"}

    other = await client.http.post(
        f"/api/v1/cases/{world.case_b}/attachments",
        files={"file": ("合同.pdf", PDF, "application/pdf")},
        data={"purpose": "document"},
        headers=bob,
    )
    assert other.status_code == 201, other.text
    attachment_id = other.json()["id"]
    wrong = await client.http.post(f"{path}/complete", json={"version": 1, "attachment_id": 999999}, headers=bob)
    assert wrong.status_code == 422 and set(wrong.json()["errors"]) == {"attachment_id"}
    stale = await client.http.post(f"{path}/complete", json={"version": 2, "attachment_id": attachment_id}, headers=bob)
    assert stale.status_code == 409

    done = await client.http.post(f"{path}/complete", json={"version": 1, "attachment_id": attachment_id}, headers=bob)
    assert done.status_code == 201, done.text
    assert (done.json()["status"], done.json()["attachment_id"], done.json()["version"]) == ("done", attachment_id, 2)
    again = await client.http.post(f"{path}/complete", json={"version": 2, "attachment_id": attachment_id}, headers=bob)
    assert again.status_code == 409 and again.json()["detail"] == "此任务已经完成。"
    kinds = [e["kind"] for e in (await client.http.get(f"/api/v1/cases/{world.case_b}/events", headers=carl)).json()]
    assert kinds.count("task_dispatched") == 1 and kinds.count("task_done") == 1

    done_list = await client.http.get("/api/v1/tasks", params={"status": "done"}, headers=carl)
    assert [t["id"] for t in done_list.json()["items"]] == [task["id"]]
    cancel = await client.http.post(f"{path}/cancel", json={"version": 2, "reason": "重复"}, headers=carl)
    assert cancel.status_code == 409  # a finished task stays finished


async def test_it_refuses_a_past_due_date_through_the_api_with_a_chinese_message(client: Any, world: World) -> None:
    olga = await client.api_token("olga")
    body = {
        "kind": "survey",
        "due_on": in_days(-1).isoformat(),
        "broker_id": world.id("alice"),
        "instructions": "了解用工",
        "enterprise_id": world.enterprise_a,
    }
    refused = await client.http.post("/api/v1/tasks", json=body, headers=olga)
    assert refused.status_code == 422
    assert refused.json()["errors"]["due_on"] == "完成期限不能早于今天，请选择今天或以后的日期。"
    neither = await client.http.post("/api/v1/tasks", json={**body, "enterprise_id": None}, headers=olga)
    assert neither.status_code == 422 and set(neither.json()["errors"]) == {"enterprise_id"}
    mismatch = {**body, "due_on": in_days(1).isoformat(), "case_id": world.case_a, "enterprise_id": world.enterprise_b}
    refused = await client.http.post("/api/v1/tasks", json=mismatch, headers=olga)
    assert refused.status_code == 422 and set(refused.json()["errors"]) == {"enterprise_id"}
    assert await Task.count() == 0


async def test_it_completes_a_task_once_when_it_is_submitted_many_times_at_once(world: World) -> None:
    task_id = await world.dispatch()
    alice = world.actor("alice")
    attempts = [complete_task(alice, task_id, CompletionRequest(version=1, note=f"第{n}次提交")) for n in range(8)]
    outcomes = await asyncio.gather(*attempts, return_exceptions=True)
    assert sum(outcome is None for outcome in outcomes) == 1
    assert all(isinstance(outcome, Conflict) for outcome in outcomes if outcome is not None), outcomes
    assert await CaseEvent.count().where(CaseEvent.kind == "task_done") == 1
    assert await CaseEvent.count().where(CaseEvent.kind == "visit") == 1
    task = await Task.select(Task.status, Task.version).where(Task.id == task_id).first()
    assert task == {"status": "done", "version": 2}


async def test_it_lists_a_brokers_open_tasks_by_due_date_overdue_first_then_those_finished(
    client: Any, world: World
) -> None:
    later = await world.dispatch(due_on=in_days(10))
    today = await world.dispatch(due_on=in_days(0))
    soon = await world.dispatch(due_on=in_days(5))
    overdue = await world.dispatch(due_on=in_days(1))
    # Dispatching refuses a past date, so the task falls overdue the way it does in life: its day passes.
    await Task.update({Task.due_on: in_days(-2)}).where(Task.id == overdue)
    finished = await world.dispatch(due_on=in_days(1))
    await complete_task(world.actor("alice"), finished, CompletionRequest(version=1, note="已走访"))
    annas = await world.dispatch(broker="anna")

    alice = await client.api_token("alice")
    listed = (await client.http.get("/api/v1/tasks", headers=alice)).json()
    assert [t["id"] for t in listed["items"]] == [overdue, today, soon, later, finished]
    assert [t["overdue"] for t in listed["items"]] == [True, False, False, False, False]
    overdue_only = (await client.http.get("/api/v1/tasks", params={"overdue": "true"}, headers=alice)).json()
    assert [t["id"] for t in overdue_only["items"]] == [overdue]
    first = (await client.http.get("/api/v1/tasks", params={"per_page": 2}, headers=alice)).json()
    second = (await client.http.get("/api/v1/tasks", params={"per_page": 2, "page": 2}, headers=alice)).json()
    assert [t["id"] for t in first["items"] + second["items"]] == [overdue, today, soon, later]
    assert first["total"] == 5

    await client.login("alice")
    mine = (await client.http.get("/tasks/mine")).text
    positions = [mine.index(f'href="/tasks/{task_id}"') for task_id in (overdue, today, soon, later, finished)]
    assert positions == sorted(positions)
    assert mine.count('<strong class="overdue nowrap">已逾期</strong>') == 1
    assert "最近完成" in mine and f'href="/tasks/{annas}"' not in mine


async def test_it_shows_each_need_of_the_enterprise_with_its_case_state_and_link(new_client: Any, world: World) -> None:
    alice = new_client()
    await alice.login("alice")
    page = (await alice.http.get(f"/enterprises/{world.enterprise_a}")).text
    assert f'href="/cases/{world.case_a}"' in page and "已提交" in page
    assert "派发任务" not in page  # brokers do not dispatch
    await transition_case(world.actor("olga"), world.case_a, "triage", 1)
    olga = new_client()
    await olga.login("olga")
    page = (await olga.http.get(f"/enterprises/{world.enterprise_a}")).text
    assert f'href="/cases/{world.case_a}"' in page and "已受理" in page
    assert f'href="/tasks/new?enterprise_id={world.enterprise_a}"' in page
    carl = new_client()
    await carl.login("carl")
    assert f'href="/cases/{world.case_b}"' in (await carl.http.get(f"/enterprises/{world.enterprise_b}")).text
    assert await Notification.count().where(Notification.kind == "task_dispatched") == 0
