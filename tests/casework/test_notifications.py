"""Who is told of each move: the messages a real `rq` worker puts in the right inboxes, once."""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.policy import Role
from accounts.tables import Notification
from casework.tables import CaseEvent
from casework.workflow import CaseState, Transition
from core.jobs import job_queue
from tests.casework.life import Life
from tests.conftest import DISTRICT_A, run_worker_until_idle

pytestmark = pytest.mark.anyio
S, T = CaseState, Transition


@pytest.fixture
def life(personas: Any) -> Life:
    personas.add("otto", Role.DISTRICT_OFFICER, DISTRICT_A)  # a second officer of district A
    return Life(personas)


async def inbox(life: Life, username: str) -> list[dict[str, Any]]:
    return await (
        Notification.select(Notification.subject, Notification.link, Notification.kind, Notification.read_at)
        .where(Notification.user == life.id(username))
        .order_by(Notification.id)
    )


async def subjects(life: Life, username: str) -> list[str]:
    return [n["subject"] for n in await inbox(life, username)]


async def test_it_tells_every_officer_of_the_district_of_a_filed_case_and_nobody_else(life: Life) -> None:
    case_id = await life.case()
    run_worker_until_idle()

    for officer in ("olga", "otto"):
        assert await inbox(life, officer) == [
            {
                "subject": "Case {number} was filed and awaits triage",
                "link": f"/cases/{case_id}",
                "kind": "case_filed",
                "read_at": None,
            }
        ]
    for outsider in ("alice", "oscar", "carl", "bob"):
        assert await inbox(life, outsider) == []
    notified = await CaseEvent.select(CaseEvent.data).where(CaseEvent.kind == "notified").output(load_json=True)
    assert [n["data"]["count"] for n in notified] == [2]


async def test_it_tells_each_party_the_issue_names_as_the_case_moves_on(life: Life) -> None:
    case_id = await life.case()
    expert = await life.expert("eve")
    await life.move("olga", case_id, T.RETURN_TO_BROKER, "贷款用途？")
    await life.move("alice", case_id, T.SUBMIT, "建冷库")
    await life.move("olga", case_id, T.TRIAGE)
    await life.move("olga", case_id, T.ASSIGN, expert=expert)
    await life.move("eve", case_id, T.ACCEPT_ASSIGNMENT)
    await life.move("eve", case_id, T.START_DIAGNOSIS)
    await life.diagnose(case_id)
    await life.move("eve", case_id, T.FINISH_DIAGNOSIS)
    await life.plan(case_id)
    await life.move("eve", case_id, T.SUBMIT_PLAN)
    await life.move("olga", case_id, T.RETURN_PLAN, "期限不明确")
    run_worker_until_idle()

    assert await subjects(life, "alice") == [
        "Case {number} was returned to you with a question",
        "Case {number} was accepted for support",
        "An expert was offered case {number}",
        "Diagnosis of case {number} has started",
    ]
    assert await subjects(life, "eve") == [
        "You are offered case {number}",
        "The plan for case {number} was returned with comments",
    ]
    olga = await subjects(life, "olga")
    assert olga == [
        "Case {number} was filed and awaits triage",
        "Case {number} was submitted and awaits triage",
        "The expert accepted case {number}",
        "The plan for case {number} awaits your approval",
    ]
    # Otto, the other officer of the district, hears of what olga did (she is not told of her own acts).
    assert len(await subjects(life, "otto")) == len(olga)
    assert await inbox(life, "oscar") == []


async def test_it_writes_each_message_once_however_often_the_job_runs(life: Life) -> None:
    case_id = await life.case()
    moved = await life.move("olga", case_id, T.TRIAGE)
    run_worker_until_idle()
    # The same job again (a retry, the sweep after a lost Redis), through the real worker.
    job_queue().enqueue("casework.jobs.notify_case_event", moved.event_id)
    run_worker_until_idle()

    assert await subjects(life, "alice") == ["Case {number} was accepted for support"]
    notified = await CaseEvent.select(CaseEvent.data).where(CaseEvent.kind == "notified").output(load_json=True)
    assert sorted(n["data"]["transition"] for n in notified) == ["filed", "triage"]


async def test_it_promises_no_job_when_nobody_is_to_be_told(life: Life) -> None:
    case_id = await life.case()
    await life.bring_to(case_id, S.DIAGNOSING)
    await life.diagnose(case_id)
    moved = await life.move("eve", case_id, T.FINISH_DIAGNOSIS)  # tells no one
    assert moved.notified == ()
    event = await CaseEvent.select(CaseEvent.data).where(CaseEvent.id == moved.event_id).output(load_json=True).first()
    assert event is not None and "notify" not in event["data"]


async def test_it_shows_the_unread_count_and_reads_the_inbox_when_it_is_opened(client: Any, life: Life) -> None:
    case_id = await life.case()
    await life.move("olga", case_id, T.RETURN_TO_BROKER, "贷款用途？")
    await life.move("alice", case_id, T.SUBMIT, "建冷库")
    await life.move("olga", case_id, T.TRIAGE)
    run_worker_until_idle()
    await client.login("alice")

    assert "2 条未读" in (await client.http.get("/cases/mine")).text

    page = await client.http.get("/notifications")
    assert f'<a href="/cases/{case_id}"><strong>案件 {case_id} 已退回给您补充信息</strong></a>' in page.text
    assert f"案件 {case_id} 已受理" in page.text
    assert page.text.count('class="unread-message"') == 2  # shown as new this once
    assert "条未读" not in page.text  # and already read in the header
    assert all(n["read_at"] is not None for n in await inbox(life, "alice"))
    again = await client.http.get("/notifications")
    assert "unread-message" not in again.text and "条未读" not in again.text


async def test_it_links_each_message_to_its_case_in_the_api(client: Any, life: Life) -> None:
    case_id = await life.case()
    await life.move("olga", case_id, T.TRIAGE)
    run_worker_until_idle()
    headers = await client.api_token("alice")
    body = (await client.http.get("/api/v1/notifications", headers=headers)).json()
    assert [(n["link"], n["read"]) for n in body["items"]] == [(f"/cases/{case_id}", False)]
    assert re.fullmatch(r"Case \{number\} .+", body["items"][0]["subject"])
