"""Sending through a real `rq worker` to a real SMTP server: in Chinese, once, retried, then failed."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest
from rq.registry import ScheduledJobRegistry

from accounts.mail.rules import MailStatus
from accounts.mail.service import promise_mail
from accounts.mail.tables import MailMessage
from accounts.tables import Notification
from core.db import write_transaction
from core.jobs import RETRY, dispatch, job_queue
from core.tables import OutboxJob
from tests.casework.life import Life
from tests.conftest import run_worker_until_idle
from tests.mail.conftest import Inbox, text_of, turn_on_email

pytestmark = pytest.mark.anyio


async def queue_a_mail(user_id: int) -> int:
    """A message for `user_id` and its mail, written and dispatched as a service does."""
    async with write_transaction():
        rows = await Notification.insert(
            Notification(
                user=user_id,
                kind="case_decline",
                subject="Case {number} was declined",
                body="Open the case to read the reason.",
                link="/cases/7",
                dedupe_key=f"test:{user_id}",
            )
        ).returning(Notification.id)
        job_ids = await promise_mail([rows[0]["id"]])
    await dispatch(job_ids)
    mail = await MailMessage.select(MailMessage.id).first()
    assert mail is not None
    return int(mail["id"])


async def mail_row(mail_id: int) -> dict[str, Any]:
    row = await MailMessage.select().where(MailMessage.id == mail_id).first()
    assert row is not None
    return row


async def test_it_mails_a_filed_case_to_the_officer_in_chinese_through_a_real_worker(
    personas: Any, smtp_server: Inbox
) -> None:
    life = Life(personas)
    turn_on_email(personas.ids["olga"], "olga@example.com")
    case_id = await life.case()
    run_worker_until_idle()  # tells the case's people; their mail is queued and sent in the same run

    [message] = smtp_server.received
    assert isinstance(message, EmailMessage)
    assert message["To"] == "olga@example.com"
    assert str(message["Subject"]) == f"扶持：新案件 {case_id} 已登记，等待受理"
    body = text_of(message)
    assert "Olga，您好" in body and f"/cases/{case_id}" in body and "扶持系统" in body
    [mail] = await MailMessage.select()
    assert mail["status"] == MailStatus.SENT and mail["sent_at"] is not None and mail["attempts"] == 1
    outbox = await OutboxJob.select().where(OutboxJob.job_id == f"mail-{mail['id']}").first()
    assert outbox is not None and outbox["done_at"] is not None


async def test_it_sends_a_mail_once_however_often_its_job_or_the_telling_runs(
    personas: Any, smtp_server: Inbox
) -> None:
    life = Life(personas)
    turn_on_email(personas.ids["olga"], "olga@example.com")
    await life.case()
    run_worker_until_idle()
    [mail] = await MailMessage.select(MailMessage.id)
    [told] = await OutboxJob.select(OutboxJob.args).where(OutboxJob.func == "casework.jobs.notify_case_event")

    job_queue().enqueue("accounts.mail.jobs.send_mail", mail["id"], job_id="mail-again")
    job_queue().enqueue("casework.jobs.notify_case_event", told["args"][0], job_id="tell-again")
    run_worker_until_idle()

    assert len(smtp_server.received) == 1
    assert await MailMessage.count() == 1


async def test_it_retries_a_refused_mail_marks_it_failed_after_the_last_try_and_sends_it_again(
    personas: Any, smtp_server: Inbox, client: Any
) -> None:
    smtp_server.refuse = True
    turn_on_email(personas.ids["olga"], "olga@example.com")
    mail_id = await queue_a_mail(personas.ids["olga"])

    run_worker_until_idle()
    # The first try raised: RQ holds the job for its retry, after RETRY's first interval.
    assert f"mail-{mail_id}" in ScheduledJobRegistry(queue=job_queue()).get_job_ids()  # type: ignore[no-untyped-call]
    row = await mail_row(mail_id)
    assert (row["status"], row["attempts"], row["last_error"]) == (MailStatus.QUEUED, 1, "SMTPDataError 550")

    # The retries, run now rather than after their back-off.
    for retry in range(RETRY.max):
        job_queue().enqueue("accounts.mail.jobs.send_mail", mail_id, job_id=f"retry-{retry}")
    run_worker_until_idle()
    row = await mail_row(mail_id)
    assert (row["status"], row["attempts"]) == (MailStatus.FAILED, RETRY.max + 1)
    assert smtp_server.refused == RETRY.max + 1

    job_queue().enqueue("accounts.mail.jobs.send_mail", mail_id, job_id="after-the-last")
    run_worker_until_idle()
    assert smtp_server.refused == RETRY.max + 1  # given up: not tried again

    await client.login("adam")
    listed = await client.http.get("/admin/email")
    assert listed.status_code == 200
    assert "olga@example.com" in listed.text and "SMTPDataError 550" in listed.text
    assert f"/admin/email/{mail_id}/send-again" in listed.text

    smtp_server.refuse = False
    again = await client.post_form(f"/admin/email/{mail_id}/send-again", {}, csrf_from="/admin/email")
    assert again.status_code in (302, 303)
    row = await mail_row(mail_id)
    assert (row["status"], row["attempts"], row["resends"]) == (MailStatus.QUEUED, 0, 1)
    twice = await client.post_form(f"/admin/email/{mail_id}/send-again", {}, csrf_from="/admin/email")
    assert twice.status_code == 409  # already queued: a second click queues nothing
    run_worker_until_idle()

    assert len(smtp_server.received) == 1
    assert (await mail_row(mail_id))["status"] == MailStatus.SENT
    assert f"/admin/email/{mail_id}/send-again" not in (await client.http.get("/admin/email")).text


async def test_it_shows_failed_mail_to_administrators_only(personas: Any, client: Any) -> None:
    await client.login("alice")
    assert (await client.http.get("/admin/email")).status_code == 403
