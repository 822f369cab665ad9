"""The founder confirms a broker's visit: with the code sent to his phone, or by signing on the broker's screen."""

from __future__ import annotations

import base64
import dataclasses
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from casework.confirmations import service as confirmations
from casework.confirmations.rules import code_in_text
from casework.confirmations.texts import last_text
from casework.tables import CaseEvent, Confirmation, Task
from core.config import settings
from tests.casework.tasks.conftest import PNG, World
from tests.casework.tasks.test_pages import NO_FILE, post_multipart
from tests.conftest import run_worker_until_idle

pytestmark = pytest.mark.anyio


def confirmation_in(response: Any) -> int:
    assert response.status_code == 302, response.text
    found = re.search(r"confirmation=(\d+)", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


async def test_it_completes_a_visit_with_the_code_the_founder_received(client: Any, world: World) -> None:
    task_id = await world.dispatch()
    await client.login("alice")
    path = f"/tasks/{task_id}"
    assert "向创业者发送确认码" in (await client.http.get(path)).text
    confirmation_id = confirmation_in(await client.post_form(f"{path}/confirmation", {"method": "code"}, path))
    page = await client.http.get(f"{path}?confirmation={confirmation_id}")
    assert 'name="code"' in page.text and f'name="confirmation_id" value="{confirmation_id}"' in page.text
    run_worker_until_idle()  # the text goes out through the (recording) gateway
    kept = await last_text(world.case_a, confirmation_id)
    assert kept is not None
    code = re.search(r"(?<![0-9])[0-9]{6}(?![0-9])", kept.text)
    assert code
    wrong = "111111" if code.group(0) != "111111" else "222222"

    form = {"version": "1", "note": "冷库已完工，创业者确认", "confirmation_id": str(confirmation_id)}
    refused = await post_multipart(client, f"{path}/complete", {**form, "code": wrong}, NO_FILE, path)
    assert refused.status_code == 400 and "冷库已完工，创业者确认" in refused.text
    assert 'id="e-code"' in refused.text
    assert (await Task.select(Task.status).where(Task.id == task_id).first())["status"] == "open"

    done = await post_multipart(client, f"{path}/complete", {**form, "code": code.group(0)}, NO_FILE, path)
    assert done.status_code == 302, done.text
    task = await Task.select(Task.status, Task.confirmation).where(Task.id == task_id).first()
    assert task == {"status": "done", "confirmation": confirmation_id}
    assert (await Confirmation.select(Confirmation.confirmed_at).first())["confirmed_at"] is not None
    done_event = await CaseEvent.select(CaseEvent.data).where(CaseEvent.kind == "task_done").output(load_json=True)
    assert [e["data"]["confirmation"] for e in done_event] == [confirmation_id]
    assert "创业者已确认。" in (await client.http.get(path)).text


async def test_it_completes_a_visit_the_founder_signed_for(client: Any, world: World) -> None:
    task_id = await world.dispatch()
    await client.login("alice")
    path = f"/tasks/{task_id}"
    to_sign = await client.post_form(f"{path}/confirmation", {"method": "signature"}, path)
    assert to_sign.status_code == 302 and to_sign.headers["location"] == f"{path}/sign"
    sign_page = await client.http.get(f"{path}/sign")
    assert sign_page.status_code == 200 and "<canvas" in sign_page.text
    empty = await post_multipart(client, f"{path}/signature", {"signature": ""}, NO_FILE, f"{path}/sign")
    assert empty.status_code == 400
    drawn = "data:image/png;base64," + base64.b64encode(PNG).decode()
    confirmation_id = confirmation_in(
        await post_multipart(client, f"{path}/signature", {"signature": drawn}, NO_FILE, f"{path}/sign")
    )
    page = await client.http.get(f"{path}?confirmation={confirmation_id}")
    assert "创业者已确认。" in page.text and 'name="code"' not in page.text
    form = {"version": "1", "note": "已走访并签名", "confirmation_id": str(confirmation_id)}
    done = await post_multipart(client, f"{path}/complete", form, NO_FILE, path)
    assert done.status_code == 302, done.text
    assert (await Task.select(Task.confirmation).where(Task.id == task_id).first())["confirmation"] == confirmation_id


async def test_it_counts_only_a_confirmation_given_for_the_same_task(client: Any, world: World) -> None:
    first = await world.dispatch()
    second = await world.dispatch()
    await client.login("alice")
    drawn = "data:image/png;base64," + base64.b64encode(PNG).decode()
    signed = confirmation_in(
        await post_multipart(client, f"/tasks/{first}/signature", {"signature": drawn}, NO_FILE, f"/tasks/{first}/sign")
    )
    alice = await client.api_token("alice")
    borrowed = await client.http.post(
        f"/api/v1/tasks/{second}/complete", json={"version": 1, "note": "x", "confirmation_id": signed}, headers=alice
    )
    assert borrowed.status_code == 422 and set(borrowed.json()["errors"]) == {"confirmation"}
    asked = confirmation_in(await client.post_form(f"/tasks/{second}/confirmation", {"method": "code"}, "/tasks/mine"))
    not_yet = await client.http.post(
        f"/api/v1/tasks/{second}/complete", json={"version": 1, "note": "x", "confirmation_id": asked}, headers=alice
    )
    assert not_yet.status_code == 422 and set(not_yet.json()["errors"]) == {"code"}
    kept = await client.http.post(
        f"/api/v1/tasks/{first}/complete", json={"version": 1, "note": "x", "confirmation_id": signed}, headers=alice
    )
    assert kept.status_code == 201 and kept.json()["confirmation_id"] == signed


async def test_it_takes_the_founders_confirmation_only_at_a_visit_tied_to_a_case(client: Any, world: World) -> None:
    survey = await world.dispatch(kind="survey")
    visit_without_case = await world.dispatch(case_id=None, enterprise_id=world.enterprise_a)
    await client.login("alice")
    for task_id in (survey, visit_without_case):
        path = f"/tasks/{task_id}"
        page = await client.http.get(path)
        assert "向创业者发送确认码" not in page.text
        refused = await client.post_form(f"{path}/confirmation", {"method": "code"}, path)
        assert refused.status_code == 400 and "创业者确认只能在关联案件的走访中进行。" in refused.text
        assert (await client.http.get(f"{path}/sign")).status_code == 422
    assert await Confirmation.count() == 0


def code_field_and_confirmation(page: Any) -> int | None:
    """The confirmation the completion form carries with a code field, if it has one."""
    found = re.search(r'name="confirmation_id" value="(\d+)"', page.text)
    if 'name="code"' not in page.text:
        return None
    assert found, "a code field without the confirmation it is for"
    return int(found.group(1))


async def test_it_shows_the_code_sent_on_the_task_page_however_the_broker_opens_it(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    task_id = await world.dispatch()
    await client.login("alice")
    path = f"/tasks/{task_id}"
    confirmation_id = confirmation_in(await client.post_form(f"{path}/confirmation", {"method": "code"}, path))
    run_worker_until_idle()
    kept = await last_text(world.case_a, confirmation_id)
    assert kept is not None
    code = code_in_text(kept.text)
    assert code
    assert "上门走访开州区春华柑橘家庭农场" in kept.text and "问题已解决" not in kept.text  # what he confirms

    assert f'href="{path}"' in (await client.http.get("/tasks/mine")).text
    for reached in (f"{path}?confirmation={confirmation_id}", path):  # by the redirect, and from 我的任务
        page = await client.http.get(reached)
        assert code_field_and_confirmation(page) == confirmation_id, reached
        assert "139****1234" in page.text and "13983451234" not in page.text
        assert "还可尝试 5 次" in page.text
        assert code not in page.text and "演示模式" not in page.text  # no code on screen outside the demo
        assert "重新发送确认码" in page.text  # should the text not arrive

    monkeypatch.setattr(confirmations, "settings", dataclasses.replace(settings, demo=True))
    demo = await client.http.get(path)
    assert "演示模式" in demo.text and f'<span class="demo-code">{code}</span>' in demo.text

    form = {"version": "1", "note": "冷库已完工，创业者确认", "confirmation_id": str(confirmation_id), "code": code}
    done = await post_multipart(client, f"{path}/complete", form, NO_FILE, path)
    assert done.status_code == 302, done.text
    assert (await Task.select(Task.confirmation).where(Task.id == task_id).first())["confirmation"] == confirmation_id


async def test_it_shows_the_code_to_the_broker_only(
    new_client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(confirmations, "settings", dataclasses.replace(settings, demo=True))
    task_id = await world.dispatch()
    alice = new_client()
    await alice.login("alice")
    path = f"/tasks/{task_id}"
    confirmation_in(await alice.post_form(f"{path}/confirmation", {"method": "code"}, path))
    olga = new_client()
    await olga.login("olga")
    page = await olga.http.get(path)
    assert page.status_code == 200 and "上门了解冷库建设进度" in page.text
    assert "139****1234" not in page.text and "演示模式" not in page.text and 'name="code"' not in page.text


async def test_it_offers_a_new_code_once_the_last_one_can_no_longer_be_typed_in(client: Any, world: World) -> None:
    task_id = await world.dispatch()
    await client.login("alice")
    path = f"/tasks/{task_id}"
    confirmation_id = confirmation_in(await client.post_form(f"{path}/confirmation", {"method": "code"}, path))
    await Confirmation.update({Confirmation.expires_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        Confirmation.id == confirmation_id
    )
    from_list = await client.http.get(path)
    assert code_field_and_confirmation(from_list) is None and 'name="confirmation_id"' not in from_list.text
    assert "向创业者发送确认码" in from_list.text and "139****1234" not in from_list.text
    named = await client.http.get(f"{path}?confirmation={confirmation_id}")  # as the redirect named it
    assert code_field_and_confirmation(named) is None and "确认码已过期，请重新发送。" in named.text
    assert "重新发送确认码" in named.text

    newer = confirmation_in(await client.post_form(f"{path}/confirmation", {"method": "code"}, path))
    assert code_field_and_confirmation(await client.http.get(path)) == newer


async def test_it_keeps_the_founders_signature_on_the_task_page_reached_from_the_list(
    client: Any, world: World
) -> None:
    task_id = await world.dispatch()
    await client.login("alice")
    path = f"/tasks/{task_id}"
    drawn = "data:image/png;base64," + base64.b64encode(PNG).decode()
    signed = confirmation_in(
        await post_multipart(client, f"{path}/signature", {"signature": drawn}, NO_FILE, f"{path}/sign")
    )
    page = await client.http.get(path)
    assert "创业者已确认。" in page.text and 'name="code"' not in page.text
    assert f'name="confirmation_id" value="{signed}"' in page.text
    assert "向创业者发送确认码" not in page.text


async def test_it_shows_on_a_task_only_the_confirmation_asked_for_it(client: Any, world: World) -> None:
    first = await world.dispatch()
    second = await world.dispatch()
    await client.login("alice")
    asked = confirmation_in(await client.post_form(f"/tasks/{first}/confirmation", {"method": "code"}, "/tasks/mine"))
    assert code_field_and_confirmation(await client.http.get(f"/tasks/{first}")) == asked
    other = await client.http.get(f"/tasks/{second}?confirmation={asked}")
    assert code_field_and_confirmation(other) is None and 'name="confirmation_id"' not in other.text
    assert "向创业者发送确认码" in other.text
