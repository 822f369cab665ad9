"""The e-mail preference page, the inbox's "mark all as read", the demo mailbox."""

from __future__ import annotations

import dataclasses
import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from accounts.mail import controllers, mailbox
from accounts.tables import Notification, User
from core.config import settings
from operations.mail_sink import start_sink
from tests.mail.conftest import free_port

pytestmark = pytest.mark.anyio


async def preference(user_id: int) -> dict[str, Any]:
    row = await User.select(User.email, User.email_on, User.email_locale).where(User.id == user_id).first()
    assert row is not None
    return row


async def test_it_saves_a_broker_s_address_and_choice(personas: Any, client: Any) -> None:
    await client.login("alice")
    saved = await client.post_form("/account/email", {"email": " Alice@Example.COM ", "email_on": "1"})

    assert saved.status_code in (302, 303)
    assert await preference(personas.ids["alice"]) == {
        "email": "Alice@example.com",
        "email_on": True,
        "email_locale": "zh_CN",
    }
    page = await client.http.get("/account/email?saved=1")
    assert "电子邮件设置已保存" in page.text and 'value="Alice@example.com"' in page.text


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("alice.example.com", "请输入有效的电子邮箱地址"),
        ("alice@example", "请输入有效的电子邮箱地址"),
        ("alice@example.com\r\nBcc: eve@example.com", "请输入有效的电子邮箱地址"),
        ("", "请输入接收邮件的电子邮箱地址"),
    ],
)
async def test_it_refuses_a_bad_address_in_the_user_s_language(
    personas: Any, client: Any, address: str, message: str
) -> None:
    await client.login("eve")
    refused = await client.post_form("/account/email", {"email": address, "email_on": "1"})

    assert refused.status_code == 400
    assert message in refused.text
    assert (await preference(personas.ids["eve"]))["email_on"] is False


async def test_it_turns_email_off_and_refuses_a_form_without_its_token(personas: Any, client: Any) -> None:
    await client.login("alice")
    await client.post_form("/account/email", {"email": "alice@example.com", "email_on": "1"})
    await client.post_form("/account/email", {"email": "alice@example.com"})
    assert (await preference(personas.ids["alice"]))["email_on"] is False

    forged = await client.http.post("/account/email", data={"email": "x@example.com", "email_on": "1"})
    assert forged.status_code == 403


async def test_it_marks_every_message_read_on_the_page_and_through_the_api(personas: Any, client: Any) -> None:
    alice = personas.ids["alice"]
    await Notification.insert(
        *[Notification(user=alice, kind="welcome", subject="Welcome to Fuchi", dedupe_key=f"k{i}") for i in range(30)]
    )
    await client.login("alice")
    marked = await client.post_form("/notifications/read-all", {}, csrf_from="/account/email")
    assert marked.status_code in (302, 303)
    assert await Notification.count().where(Notification.read_at.is_null()) == 0

    await Notification.insert(Notification(user=alice, kind="welcome", subject="Welcome to Fuchi", dedupe_key="k99"))
    headers = await client.api_token("alice")
    response = await client.http.post("/api/v1/notifications/read-all", headers=headers)
    assert response.status_code == 200 and response.json() == {"read": 1}


async def test_it_hides_the_mailbox_outside_demo_mode(personas: Any, client: Any) -> None:
    await client.login("adam")
    assert (await client.http.get("/admin/mailbox")).status_code == 404


async def test_it_shows_what_the_demo_sink_received_newest_first(
    personas: Any, client: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(controllers, "settings", dataclasses.replace(settings, demo=True))
    monkeypatch.setattr(mailbox, "mailbox_dir", lambda: tmp_path)
    port = free_port()
    sink = start_sink("127.0.0.1", port, tmp_path)
    try:
        for subject in ("扶持：案件 3 已结案", "扶持：案件 4 已暂停"):
            message = EmailMessage()
            message["From"] = "Fuchi 扶持 <noreply@fuchi.local>"
            message["To"] = "olga@example.com"
            message["Subject"] = subject
            message.set_content("奥尔加，您好：\n案件已更新。")
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
                smtp.send_message(message)
    finally:
        sink.stop()

    await client.login("adam")
    page = await client.http.get("/admin/mailbox")
    assert page.status_code == 200
    assert page.text.index("扶持：案件 4 已暂停") < page.text.index("扶持：案件 3 已结案")
    assert "案件已更新" in page.text
    await client.login("alice")
    assert (await client.http.get("/admin/mailbox")).status_code == 403
