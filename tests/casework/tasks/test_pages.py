"""Broker tasks through the pages: an officer dispatches, the broker is told, completes it on his phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.tables import Notification
from casework.tables import Attachment, CaseEvent, Task
from core.jobs import job_queue
from tests.casework.tasks.conftest import PDF, PNG, World, in_days
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio

NO_FILE = {"file": ("", b"", "application/octet-stream")}  # what a browser sends when no file is chosen


async def post_multipart(client: Any, path: str, data: dict[str, str], files: Any, csrf_from: str) -> Any:
    token = await client.csrf(csrf_from)
    return await client.http.post(path, data={"_csrf_token": token, **data}, files=files)


async def signed_in(new_client: Any, username: str) -> Any:
    client = new_client()
    await client.login(username)
    return client


def task_id_of(response: Any) -> int:
    assert response.status_code == 302, response.text
    return int(response.headers["location"].split("/")[2].split("?")[0])


def version_on(page: Any) -> str:
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found, "no version on the page"
    return found.group(1)


# The events tasks write, and those around them; other features' events (notices sent …) are not counted.
OURS = ("filed", "task_dispatched", "task_done", "task_cancelled", "visit", "attachment")


async def event_kinds(case_id: int) -> list[str]:
    rows = await CaseEvent.select(CaseEvent.kind).where(CaseEvent.case == case_id).order_by(CaseEvent.id)
    return [row["kind"] for row in rows if row["kind"] in OURS]


async def test_it_tells_the_broker_of_a_visit_and_records_his_visit_on_the_case(new_client: Any, world: World) -> None:
    olga = await signed_in(new_client, "olga")
    form = await olga.http.get(f"/tasks/new?case_id={world.case_a}")
    assert form.status_code == 200
    assert f'<option value="{world.id("alice")}" selected' in form.text  # the case's filing broker by default
    assert f'value="{world.id("anna")}"' in form.text
    assert f'value="{world.id("ivan")}"' not in form.text and f'value="{world.id("bob")}"' not in form.text

    dispatched = await olga.post_form(
        "/tasks/new",
        {
            "case_id": str(world.case_a),
            "kind": "visit",
            "broker_id": str(world.id("alice")),
            "due_on": in_days(2).isoformat(),
            "instructions": "上门了解冷库建设进度",
        },
        csrf_from=f"/tasks/new?case_id={world.case_a}",
    )
    task_id = task_id_of(dispatched)
    assert await event_kinds(world.case_a) == ["filed", "task_dispatched"]

    alice_inbox = Notification.user == world.id("alice")
    assert await Notification.count().where(alice_inbox & (Notification.kind == "task_dispatched")) == 0
    run_worker_until_idle()
    # Run again, as a retry would: still one message.
    job_queue().enqueue("casework.tasks.jobs.notify_task_dispatched", task_id, job_id=f"again-{task_id}")
    run_worker_until_idle()
    told = await Notification.select().where(alice_inbox & (Notification.kind == "task_dispatched"))
    assert [(n["subject"], n["link"]) for n in told] == [("New task: visit an enterprise", f"/tasks/{task_id}")]

    alice = await signed_in(new_client, "alice")
    assert "新任务：走访" in (await alice.http.get("/notifications")).text
    mine = await alice.http.get("/tasks/mine")
    assert f'href="/tasks/{task_id}"' in mine.text and "开州区春华柑橘家庭农场" in mine.text

    page = await alice.http.get(f"/tasks/{task_id}")
    assert 'enctype="multipart/form-data"' in page.text and "上门了解冷库建设进度" in page.text
    version = version_on(page)

    refused = await post_multipart(
        alice, f"/tasks/{task_id}/complete", {"version": version, "note": "  "}, NO_FILE, f"/tasks/{task_id}"
    )
    assert refused.status_code == 400
    assert "请填写走访所见及商定事项。" in refused.text

    note = "冷库主体已完工，约定下月验收"
    done = await post_multipart(
        alice,
        f"/tasks/{task_id}/complete",
        {"version": version, "note": note},
        {"file": ("现场.png", PNG, "image/png")},
        f"/tasks/{task_id}",
    )
    assert done.status_code == 302, done.text
    task = await Task.select().where(Task.id == task_id).first()
    assert task["status"] == "done" and task["record"] == note and task["done_at"] is not None
    photo = await Attachment.select().where(Attachment.id == task["attachment"]).first()
    assert photo["case"] == world.case_a and photo["purpose"] == "photo" and photo["content_type"] == "image/png"
    assert await event_kinds(world.case_a) == ["filed", "task_dispatched", "attachment", "task_done", "visit"]
    visit = await CaseEvent.select().where(CaseEvent.kind == "visit").output(load_json=True).first()
    assert visit["note"] == note and visit["data"]["task"] == task_id and visit["data"]["task_kind"] == "visit"

    again = await post_multipart(
        alice, f"/tasks/{task_id}/complete", {"version": version, "note": note}, NO_FILE, f"/tasks/{task_id}"
    )
    assert again.status_code == 409
    assert "此任务已经完成。" in again.text and note in again.text  # what he typed is still there to copy
    assert await CaseEvent.count().where(CaseEvent.kind == "task_done") == 1


async def test_it_keeps_the_officers_input_and_says_in_chinese_what_is_wrong(new_client: Any, world: World) -> None:
    olga = await signed_in(new_client, "olga")
    form_path = f"/tasks/new?case_id={world.case_a}"
    typed = {
        "case_id": str(world.case_a),
        "kind": "survey",
        "broker_id": str(world.id("alice")),
        "due_on": in_days(-1).isoformat(),
        "instructions": "请了解今年的用工人数",
    }
    cases = [
        ({}, "完成期限不能早于今天"),
        ({"due_on": in_days(1).isoformat(), "broker_id": str(world.id("bob"))}, "这位经纪人属于其他区县"),
        ({"due_on": in_days(1).isoformat(), "broker_id": "999999"}, "请从列表中选择一位在岗经纪人"),
        ({"due_on": in_days(1).isoformat(), "broker_id": str(world.id("ivan"))}, "请从列表中选择一位在岗经纪人"),
        ({"due_on": "", "kind": ""}, "请选择任务类型"),
    ]
    for changes, message in cases:
        refused = await olga.post_form("/tasks/new", {**typed, **changes}, csrf_from=form_path)
        assert refused.status_code == 400, changes
        assert message in refused.text, changes
        assert "请了解今年的用工人数" in refused.text  # the instructions as typed
    assert await Task.count() == 0
    assert await event_kinds(world.case_a) == ["filed"]


async def test_it_dispatches_from_the_enterprise_page_a_task_that_keeps_no_file(new_client: Any, world: World) -> None:
    olga = await signed_in(new_client, "olga")
    enterprise_page = await olga.http.get(f"/enterprises/{world.enterprise_a}")
    assert f'href="/tasks/new?enterprise_id={world.enterprise_a}"' in enterprise_page.text
    form_path = f"/tasks/new?enterprise_id={world.enterprise_a}"
    assert "文件随案件保存" in (await olga.http.get(form_path)).text  # the form says why no file can be kept
    typed = {
        "enterprise_id": str(world.enterprise_a),
        "kind": "collect_document",
        "broker_id": str(world.id("anna")),
        "due_on": in_days(0).isoformat(),
        "instructions": "收集营业执照复印件",
    }
    refused = await olga.post_form("/tasks/new", typed, csrf_from=form_path)
    assert refused.status_code == 400 and "请在案件页面派发此任务" in refused.text

    task_id = task_id_of(await olga.post_form("/tasks/new", {**typed, "kind": "visit"}, csrf_from=form_path))
    anna = await signed_in(new_client, "anna")
    page = await anna.http.get(f"/tasks/{task_id}")
    assert "此任务未关联案件，无法保存文件。" in page.text and 'type="file"' not in page.text
    photo = {"file": ("现场.png", PNG, "image/png")}
    refused = await post_multipart(
        anna, f"/tasks/{task_id}/complete", {"version": "1", "note": "已走访"}, photo, f"/tasks/{task_id}"
    )
    assert refused.status_code == 400 and "此任务未关联案件，无法保存文件。" in refused.text
    done = await post_multipart(
        anna, f"/tasks/{task_id}/complete", {"version": "1", "note": "已走访"}, NO_FILE, f"/tasks/{task_id}"
    )
    assert done.status_code == 302
    assert (await Task.select(Task.status, Task.case).where(Task.id == task_id).first()) == {
        "status": "done",
        "case": None,
    }
    assert await CaseEvent.count().where(CaseEvent.kind.like("task%")) == 0  # no case, no case events


async def test_it_asks_for_the_document_and_keeps_it_with_the_case(new_client: Any, world: World) -> None:
    task_id = await world.dispatch(kind="collect_document", instructions="收集营业执照")
    alice = await signed_in(new_client, "alice")
    path = f"/tasks/{task_id}"
    missing = await post_multipart(alice, f"{path}/complete", {"version": "1", "note": "营业执照"}, NO_FILE, path)
    assert missing.status_code == 400 and "请上传收集到的材料。" in missing.text and "营业执照" in missing.text
    lying = {"file": ("执照.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}
    refused = await post_multipart(alice, f"{path}/complete", {"version": "1"}, lying, path)
    assert refused.status_code == 400 and await Attachment.count() == 0
    done = await post_multipart(
        alice, f"{path}/complete", {"version": "1"}, {"file": ("执照.pdf", PDF, "application/pdf")}, path
    )
    assert done.status_code == 302
    kept = await Attachment.select().first()
    assert kept["case"] == world.case_a and kept["purpose"] == "document" and kept["original_name"] == "执照.pdf"
    assert f"/cases/{world.case_a}/attachments/{kept['id']}" in (await alice.http.get(path)).text


async def test_it_lets_the_officer_cancel_with_a_reason_and_tells_the_broker(new_client: Any, world: World) -> None:
    task_id = await world.dispatch()
    olga = await signed_in(new_client, "olga")
    path = f"/tasks/{task_id}"
    refused = await olga.post_form(f"{path}/cancel", {"version": "1", "reason": " "}, csrf_from=path)
    assert refused.status_code == 400 and "请填写原因。" in refused.text
    cancelled = await olga.post_form(f"{path}/cancel", {"version": "1", "reason": "企业已停业"}, csrf_from=path)
    assert cancelled.status_code == 302
    run_worker_until_idle()
    told = await Notification.select(Notification.kind, Notification.link).where(Notification.user == world.id("alice"))
    assert {(n["kind"], n["link"]) for n in told} >= {("task_cancelled", path)}
    assert ("task_dispatched", path) not in {(n["kind"], n["link"]) for n in told}  # cancelled before it ran
    assert await event_kinds(world.case_a) == ["filed", "task_dispatched", "task_cancelled"]

    alice = await signed_in(new_client, "alice")
    late = await post_multipart(alice, f"{path}/complete", {"version": "1", "note": "已走访"}, NO_FILE, path)
    assert late.status_code == 409 and "此任务已被取消。" in late.text and "企业已停业" in late.text


async def test_it_shows_the_tasks_on_the_case_page_and_the_district_list(new_client: Any, world: World) -> None:
    task_id = await world.dispatch()
    olga = await signed_in(new_client, "olga")
    case_page = await olga.http.get(f"/cases/{world.case_a}")
    assert f'href="/tasks/{task_id}"' in case_page.text
    assert f'href="/tasks/new?case_id={world.case_a}"' in case_page.text
    listed = await olga.http.get("/tasks")
    assert listed.status_code == 200 and f'href="/tasks/{task_id}"' in listed.text
    assert f'href="/tasks/{task_id}"' not in (await olga.http.get("/tasks?status=done")).text
    assert f'href="/tasks/{task_id}"' in (await olga.http.get(f"/tasks?status=all&broker={world.id('alice')}")).text
    assert f'href="/tasks/{task_id}"' not in (await olga.http.get(f"/tasks?broker={world.id('anna')}")).text
    assert f'href="/tasks/{task_id}"' not in (await olga.http.get("/tasks?overdue=1")).text
    oscar = await signed_in(new_client, "oscar")
    assert f'href="/tasks/{task_id}"' not in (await oscar.http.get("/tasks")).text
    alice = await signed_in(new_client, "alice")
    assert 'href="/tasks/mine"' in (await alice.http.get("/tasks/mine")).text  # the nav's link for brokers
    assert 'href="/tasks"' in listed.text  # and for officers


async def test_it_keeps_the_past_due_badge_on_one_line_wherever_a_task_shows(new_client: Any, world: World) -> None:
    task_id = await world.dispatch()
    await Task.update({Task.due_on: in_days(-2)}).where(Task.id == task_id)
    badge = '<strong class="overdue nowrap">已逾期</strong>'  # .nowrap: white-space: nowrap (static/fuchi.css)
    olga = await signed_in(new_client, "olga")
    for path in ("/tasks", f"/tasks/{task_id}", f"/cases/{world.case_a}"):
        assert badge in (await olga.http.get(path)).text, path
    alice = await signed_in(new_client, "alice")
    assert badge in (await alice.http.get("/tasks/mine")).text


async def test_it_asks_the_officer_before_it_cancels_a_task(new_client: Any, world: World) -> None:
    task_id = await world.dispatch()
    olga = await signed_in(new_client, "olga")
    page = await olga.http.get(f"/tasks/{task_id}")
    cancel_form = re.search(rf'<form method="post" action="/tasks/{task_id}/cancel"[^>]*>', page.text)
    assert cancel_form, "no cancel form"
    assert 'data-confirm="确定要取消此任务吗？经纪人会收到通知，取消后的任务无法恢复。"' in cancel_form.group(0)
