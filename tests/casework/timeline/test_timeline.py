"""The timeline: every event of the case in order, with who and when (Asia/Shanghai), reveals merged in."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from accounts.policy import Actor, Role
from casework.services import file_need, transition_case
from casework.tables import Case, CaseEvent
from casework.telling import deliver_notifications
from enterprises.services import register_enterprise, reveal_personal_data
from enterprises.tables import Enterprise, PersonalDataAccess
from tests.casework.test_filing import ENTERPRISE, NEED
from tests.casework.timeline.conftest import Filed, upload
from tests.casework.timeline.samples import PNG
from tests.casework.timeline.test_lines import TABLE
from tests.conftest import DISTRICT_A, Personas

pytestmark = pytest.mark.anyio

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 06:38 on 1 December in Chongqing is still 30 November in UTC.
EARLY_MORNING = datetime(2025, 11, 30, 22, 38, tzinfo=UTC)


async def _case_filed_at(personas: Personas, when: datetime) -> tuple[int, int]:
    """An enterprise and a case filed for it at `when` (rows as the filing service writes them)."""
    alice = Actor(user_id=personas.ids["alice"], role=Role.BROKER, district=DISTRICT_A)
    enterprise_id = await register_enterprise(alice, ENTERPRISE)
    rows = await Case.insert(
        Case(enterprise=enterprise_id, filed_by=alice.user_id, district=DISTRICT_A, state="submitted", created_at=when)
    ).returning(Case.id)
    case_id: int = rows[0]["id"]
    await CaseEvent.insert(
        CaseEvent(case=case_id, actor=alice.user_id, kind="filed", to_state="submitted", created_at=when)
    )
    return enterprise_id, case_id


async def _reveal_at(personas: Personas, enterprise_id: int, when: datetime) -> None:
    """Olga's reveal of the founder's phone and ID number at `when` (the row as the reveal service writes it)."""
    founder = (await Enterprise.select(Enterprise.founder).where(Enterprise.id == enterprise_id).first())["founder"]
    await PersonalDataAccess.insert(
        PersonalDataAccess(
            founder=founder,
            actor=personas.ids["olga"],
            fields="phone,id_number",
            reason="核实贷款申请",
            created_at=when,
        )
    )


def timeline_items(page: str) -> list[str]:
    """The text of each line of the page's timeline, tags and spacing removed."""
    section = page.split('id="timeline"', 1)[1].split("</ol>", 1)[0]
    items = re.findall(r"<li[^>]*>(.*?)</li>", section, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", item).split()) for item in items]


async def test_it_shows_notes_and_attachments_in_order_with_who_and_when(
    filed: Filed, sign_in: Callable, client: Any
) -> None:
    alice = await sign_in("alice")
    olga = await sign_in("olga")
    carl = await client.api_token("carl")

    note = await alice.post_form(
        f"/cases/{filed.case_id}/notes", {"text": "已电话联系创业者。"}, f"/cases/{filed.case_id}"
    )
    assert note.status_code == 302 and note.headers["location"] == f"/cases/{filed.case_id}#timeline"
    assert (await upload(olga, filed.case_id, "厂房.png", PNG, "photo")).status_code == 302
    api_note = await client.http.post(
        f"/api/v1/cases/{filed.case_id}/notes", json={"text": "市局已知悉。\n下周跟进。"}, headers=carl
    )
    page = (await olga.http.get(f"/cases/{filed.case_id}")).text
    events = (await client.http.get(f"/api/v1/cases/{filed.case_id}/events", headers=carl)).json()

    assert api_note.status_code == 201, api_note.text
    assert api_note.json()["text"] == "市局已知悉。\n下周跟进。" and api_note.json()["actor_name"] == "Carl"
    stored = await CaseEvent.select(CaseEvent.created_at).order_by(CaseEvent.id)
    lines = timeline_items(page)
    assert [line.split(" · ", 1)[1] for line in lines] == [
        "Alice: 提交了需求 → 已提交",
        "Alice: 添加了备注 已电话联系创业者。",
        "Olga: 上传了附件 厂房.png（现场或产品照片） 打开附件",
        "Carl: 添加了备注 市局已知悉。下周跟进。",
    ]
    assert "市局已知悉。<br>下周跟进。" in page  # the note's line breaks are kept
    for line, event in zip(lines, stored, strict=True):
        assert line.startswith(event["created_at"].astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M · "))
    assert [e["kind"] for e in events] == ["filed", "note", "attachment", "note"]
    assert events[1]["note"] == "已电话联系创业者。" and events[1]["actor_name"] == "Alice"
    assert events[2]["data"]["name"] == "厂房.png" and events[2]["data"]["purpose"] == "photo"


async def test_it_shows_a_record_made_at_0638_on_1_december_as_1_december(
    personas: Personas, sign_in: Callable
) -> None:
    # A case filed the evening before, a note and a reveal early on 1 December, Chongqing time.
    enterprise_id, case_id = await _case_filed_at(personas, EARLY_MORNING - timedelta(hours=10))
    await CaseEvent.insert(
        CaseEvent(case=case_id, actor=personas.ids["alice"], kind="note", note="一早走访。", created_at=EARLY_MORNING)
    )
    await _reveal_at(personas, enterprise_id, EARLY_MORNING + timedelta(minutes=1))
    olga = await sign_in("olga")

    lines = timeline_items((await olga.http.get(f"/cases/{case_id}")).text)

    assert lines[1].startswith("2025-12-01 06:38 · Alice: 添加了备注")
    assert lines[2].startswith("2025-12-01 06:39 · Olga: 查看了创业者的完整手机号码和身份证号码")
    assert "所述理由： 核实贷款申请" in lines[2]


async def test_it_merges_the_founders_data_reveals_made_while_the_case_was_open(
    personas: Personas, client: Any
) -> None:
    alice = Actor(user_id=personas.ids["alice"], role=Role.BROKER, district=DISTRICT_A)
    olga = Actor(user_id=personas.ids["olga"], role=Role.DISTRICT_OFFICER, district=DISTRICT_A)
    enterprise_id = await register_enterprise(alice, ENTERPRISE)
    # Revealed once before the case was filed, once while it was open, once after it was withdrawn.
    await reveal_personal_data(olga, enterprise_id, "登记时核对")
    case_id = await file_need(alice, enterprise_id, NEED)
    await reveal_personal_data(olga, enterprise_id, "联系创业者核实贷款需求")
    await transition_case(alice, case_id, "withdraw", 1, "企业已自筹资金")
    await reveal_personal_data(olga, enterprise_id, "撤回后再次查看")
    carl = await client.api_token("carl")

    events = (await client.http.get(f"/api/v1/cases/{case_id}/events", headers=carl)).json()

    assert [e["kind"] for e in events] == ["filed", "reveal", "withdraw"]
    reveal = events[1]
    assert reveal["actor_name"] == "Olga" and reveal["note"] == "联系创业者核实贷款需求"
    assert reveal["data"] == {"fields": ["phone", "id_number"]}
    assert ENTERPRISE["founder_phone"].replace(" ", "") not in str(events)


async def test_it_reads_every_kind_of_event_on_the_page_and_in_the_api(
    filed: Filed, sign_in: Callable, client: Any
) -> None:
    # Other features append these kinds; their rows are written here as they would write them.
    for kind, source, target, data, _text, _group in TABLE:
        await CaseEvent.insert(
            CaseEvent(case=filed.case_id, kind=kind, from_state=source, to_state=target, data=data or {})
        )
    await CaseEvent.insert(CaseEvent(case=filed.case_id, kind="attachment", data={"attachment": "oops", "purpose": 5}))
    carl_page = await sign_in("carl")
    carl = await client.api_token("carl")

    page = await carl_page.http.get(f"/cases/{filed.case_id}")
    events = await client.http.get(f"/api/v1/cases/{filed.case_id}/events", headers=carl)

    assert page.status_code == 200 and events.status_code == 200
    assert len(timeline_items(page.text)) == len(TABLE) + 2
    lines = timeline_items(page.text)
    assert any("· 系统: 结案：已解决 → " in line for line in lines), lines
    assert [e["kind"] for e in events.json()] == ["filed", *[row[0] for row in TABLE], "attachment"]


async def test_it_refuses_an_empty_note_and_keeps_a_long_one_typed(
    filed: Filed, sign_in: Callable, client: Any
) -> None:
    alice = await sign_in("alice")
    token = await client.api_token("alice")

    empty = await alice.post_form(
        f"/cases/{filed.case_id}/notes", {"text": " \n "}, csrf_from=f"/cases/{filed.case_id}"
    )
    too_long = await alice.post_form(
        f"/cases/{filed.case_id}/notes", {"text": "字" * 4001}, csrf_from=f"/cases/{filed.case_id}"
    )
    api_empty = await client.http.post(f"/api/v1/cases/{filed.case_id}/notes", json={"text": ""}, headers=token)

    assert empty.status_code == 400 and "请先填写备注内容。" in empty.text
    assert too_long.status_code == 400 and "备注最多 4000 字。" in too_long.text
    assert ">" + "字" * 4001 + "</textarea>" in too_long.text
    assert api_empty.status_code == 422 and api_empty.json()["errors"] == {"text": "请先填写备注内容。"}
    assert await CaseEvent.count().where(CaseEvent.kind == "note") == 0


async def test_it_says_who_was_notified_on_the_line_of_the_event_not_on_a_line_of_its_own(
    filed: Filed, personas: Personas, sign_in: Callable
) -> None:
    olga = Actor(user_id=personas.ids["olga"], role=Role.DISTRICT_OFFICER, district=DISTRICT_A)
    await transition_case(olga, filed.case_id, "triage", 1)
    for told in await CaseEvent.select(CaseEvent.id).where(CaseEvent.kind.is_in(["filed", "triage"])):
        assert await deliver_notifications(told["id"]) == 1  # the notification job: Olga, then Alice told
    assert await CaseEvent.count().where(CaseEvent.kind == "notified") == 2
    page = (await (await sign_in("carl")).http.get(f"/cases/{filed.case_id}")).text

    assert [line.split(" · ", 1)[1] for line in timeline_items(page)] == [
        "Alice: 提交了需求 → 已提交 · 已通知 1 人",
        "Olga: 受理了案件 → 已受理 · 已通知 1 人",
    ]
    assert "event-notice" not in page
