"""`promise_mail`: one mail per new message of a user who turned e-mail on, in his language, once."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.mail.rules import MailStatus
from accounts.mail.service import promise_mail
from accounts.mail.tables import MailMessage
from accounts.tables import Notification, User
from core.db import write_transaction
from core.tables import OutboxJob
from tests.mail.conftest import turn_on_email

pytestmark = pytest.mark.anyio


async def notify(*user_ids: int, key: str = "e1") -> list[int]:
    rows = await Notification.insert(
        *[
            Notification(
                user=user_id,
                kind="case_submit",
                subject="Case {number} was submitted and awaits triage",
                body="The broker submitted the case.",
                link="/cases/12",
                dedupe_key=f"{key}:{user_id}",
            )
            for user_id in user_ids
        ]
    ).returning(Notification.id)
    return [row["id"] for row in rows]


async def test_it_writes_one_mail_per_message_of_a_user_who_turned_email_on(personas: Any) -> None:
    olga, oscar, alice, bob = (personas.ids[n] for n in ("olga", "oscar", "alice", "bob"))
    turn_on_email(olga, "olga@example.com")
    turn_on_email(alice, "alice@example.com", "en")
    # Bob gave an address but turned e-mail off; Oscar never gave one.
    await User.update({User.email: "bob@example.com", User.email_on: False}).where(User.id == bob)

    async with write_transaction():
        ids = await notify(olga, oscar, alice, bob)
        job_ids = await promise_mail(ids)

    mails = await MailMessage.select().order_by(MailMessage.id)
    assert [(m["user"], m["to_address"], m["language"], m["status"]) for m in mails] == [
        (olga, "olga@example.com", "zh_CN", MailStatus.QUEUED),
        (alice, "alice@example.com", "en", MailStatus.QUEUED),
    ]
    assert job_ids == [f"mail-{m['id']}" for m in mails]
    assert await OutboxJob.count().where(OutboxJob.job_id.is_in(job_ids)) == 2
    chinese, english = mails
    assert chinese["subject"] == "扶持：案件 12 已提交，等待受理"
    assert "Olga，您好" in chinese["body"] and "/cases/12" in chinese["body"]
    assert english["subject"] == "Fuchi: Case 12 was submitted and awaits triage"
    assert "Hello Alice," in english["body"] and "The broker submitted the case." in english["body"]


async def test_it_writes_a_message_s_mail_once_however_often_it_is_promised(personas: Any) -> None:
    turn_on_email(personas.ids["olga"], "olga@example.com")
    async with write_transaction():
        ids = await notify(personas.ids["olga"])
        first = await promise_mail(ids)
    async with write_transaction():
        again = await promise_mail(ids)

    assert len(first) == 1 and again == []
    assert await MailMessage.count() == 1


async def test_it_writes_nothing_when_nobody_turned_email_on(personas: Any) -> None:
    async with write_transaction():
        ids = await notify(personas.ids["olga"], personas.ids["alice"])
        assert await promise_mail(ids) == []
    assert await MailMessage.count() == 0
