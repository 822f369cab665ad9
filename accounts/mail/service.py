"""Notification e-mail: promising it with the inbox message, sending it, the preference, the admin list."""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Sequence
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from functools import partial
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from accounts.identity import CurrentUser
from accounts.mail.rules import (
    MailStatus,
    address_problem,
    error_summary,
    gives_up,
    mail_job_id,
    normalise_address,
    number_of,
)
from accounts.mail.tables import MailMessage
from accounts.tables import Notification, User
from core.config import ROOT, SUPPORTED_LOCALES, Smtp, SmtpSecurity, settings
from core.db import write_transaction
from core.errors import Conflict, Invalid
from core.i18n import gettext
from core.jobs import RETRY, dispatch, promise_job

log = logging.getLogger(__name__)

JOB = "accounts.mail.jobs.send_mail"
SMTP_TIMEOUT_SECONDS = 10
MAIL_TEMPLATES = ROOT / "templates" / "mail"
_TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,50}$")
_templates = Environment(
    loader=FileSystemLoader(MAIL_TEMPLATES),
    autoescape=False,  # plain text: nothing is HTML here
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


class MailNotSent(Exception):
    """The SMTP server did not take a mail; raised so that RQ tries again. Carries no address."""


# --- promising: inside the transaction that wrote the inbox messages ---------------------------


def mail_locale(chosen: str) -> str:
    """The language of a user's e-mail: the one he chose the page in when he turned it on, else the default."""
    return chosen if chosen in SUPPORTED_LOCALES else settings.default_locale


def render_mail(notification: dict[str, Any], name: str, locale: str) -> tuple[str, str]:
    """The subject and text of a notification's e-mail, in `locale`, from `templates/mail/<kind>.txt` or generic."""
    kind = str(notification["kind"])
    own = f"{kind}.txt"
    name_of_template = own if _TEMPLATE_NAME.match(kind) and (MAIL_TEMPLATES / own).is_file() else "generic.txt"
    translate = partial(gettext, locale)
    subject = translate(str(notification["subject"]), number=number_of(str(notification["link"])))
    body = translate(str(notification["body"])) if notification["body"] else ""
    text = _templates.get_template(name_of_template).render(
        _=translate, name=name, subject=subject, body=body, link=notification["link"]
    )
    return translate("Fuchi: {subject}", subject=subject), text


async def promise_mail(notification_ids: Sequence[int]) -> list[str]:
    """Write the e-mail of each notification whose user turned e-mail on, and promise its sending.

    Called inside the caller's write transaction, right after it inserted the notifications;
    returns the job ids to `dispatch` after the commit. A notification already mailed is skipped.
    """
    if not notification_ids:
        return []
    rows = await Notification.select(
        Notification.id,
        Notification.kind,
        Notification.subject,
        Notification.body,
        Notification.link,
        Notification.user.id.as_alias("user_id"),
        Notification.user.display_name.as_alias("name"),
        Notification.user.email.as_alias("email"),
        Notification.user.email_locale.as_alias("email_locale"),
    ).where(
        Notification.id.is_in(list(notification_ids))
        & (Notification.user.email_on == True)  # noqa: E712
        & (Notification.user.email != "")
        & (Notification.user.is_active == True)  # noqa: E712
    )
    if not rows:
        return []
    mails = []
    for row in rows:
        locale = mail_locale(row["email_locale"])
        subject, body = render_mail(row, row["name"], locale)
        mails.append(
            MailMessage(
                notification=row["id"],
                user=row["user_id"],
                to_address=row["email"],
                subject=subject[:300],
                body=body,
                language=locale,
                status=MailStatus.QUEUED,
            )
        )
    inserted = (
        await MailMessage.insert(*mails)
        .on_conflict(target=MailMessage.notification, action="DO NOTHING")
        .returning(MailMessage.id)
    )
    job_ids = []
    for mail in inserted:
        job_id = mail_job_id(mail["id"], 0)
        await promise_job(JOB, [mail["id"]], job_id, timeout_seconds=SMTP_TIMEOUT_SECONDS * 3)
        job_ids.append(job_id)
    return job_ids


# --- sending: the job's work (synchronous) ------------------------------------------------------


def compose(mail: dict[str, Any], smtp: Smtp) -> EmailMessage:
    """The message as sent; its Message-ID names the row, so a copy sent twice is recognisable."""
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = mail["to_address"]
    message["Subject"] = mail["subject"]
    message["Date"] = formatdate(usegmt=True)
    domain = Address(addr_spec=parseaddr(smtp.sender)[1]).domain or "fuchi.local"
    message["Message-ID"] = f"<fuchi-mail-{mail['id']}@{domain}>"
    message["Content-Language"] = "zh-CN" if mail["language"] == "zh_CN" else "en"
    message.set_content(mail["body"])
    return message


def transmit(message: EmailMessage, smtp: Smtp) -> None:
    """Hand a message to the SMTP server; raises `smtplib.SMTPException` or `OSError` when it is not taken."""
    client: smtplib.SMTP
    if smtp.security is SmtpSecurity.SSL:
        client = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if smtp.security is SmtpSecurity.STARTTLS:
            client.starttls(context=ssl.create_default_context())
        if smtp.user:
            client.login(smtp.user, smtp.password)
        client.send_message(message)


def _failure(exc: Exception) -> str:
    code: int | None = None
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
    elif isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        code = next(iter(exc.recipients.values()))[0]
    return error_summary(type(exc).__name__, code)


def deliver_mail(mail_id: int, smtp: Smtp | None = None) -> MailStatus | None:
    """Send one queued mail, then mark it sent; None when it is not queued (sent, failed or gone).

    Sent first, marked after, on the condition that it is still queued: a crash between the two
    sends it again on the retry (at least once), but a mail marked sent is never sent again. A
    failed try is counted and raises `MailNotSent` for RQ to retry; the last try marks it failed.
    """
    smtp = smtp or settings.smtp
    still_queued = (MailMessage.id == mail_id) & (MailMessage.status == MailStatus.QUEUED)
    counted = (
        MailMessage.update({MailMessage.attempts: MailMessage.attempts + 1})
        .where(still_queued)
        .returning(MailMessage.attempts)
        .run_sync()
    )
    if not counted:
        return None
    attempts = int(counted[0]["attempts"])
    mail = MailMessage.select().where(MailMessage.id == mail_id).first().run_sync()
    assert mail is not None  # counted just above; mails are never deleted
    try:
        transmit(compose(mail, smtp), smtp)
    except (smtplib.SMTPException, OSError) as exc:
        summary = _failure(exc)
        if gives_up(attempts, RETRY.max):
            MailMessage.update({MailMessage.status: MailStatus.FAILED, MailMessage.last_error: summary}).where(
                still_queued
            ).run_sync()
            log.warning(
                "mail %s failed after %d tries (%s); an administrator may send it again", mail_id, attempts, summary
            )
            return MailStatus.FAILED
        MailMessage.update({MailMessage.last_error: summary}).where(still_queued).run_sync()
        # `from None`: the SMTP server's text may name the address; RQ keeps what is raised.
        raise MailNotSent(f"mail {mail_id}, try {attempts}: {summary}") from None
    MailMessage.update(
        {MailMessage.status: MailStatus.SENT, MailMessage.sent_at: datetime.now(UTC), MailMessage.last_error: ""}
    ).where(still_queued).run_sync()
    return MailStatus.SENT


# --- the user's preference -----------------------------------------------------------------------


async def email_preference(user: CurrentUser) -> dict[str, Any]:
    """The signed-in user's address and whether his messages are e-mailed."""
    row = await User.select(User.email, User.email_on).where(User.id == user.id).first()
    return row or {"email": "", "email_on": False}


async def set_email_preference(user: CurrentUser, address: str, email_on: bool, locale: str) -> None:
    """Save the user's address and choice; his e-mail is then written in `locale` (the page's language)."""
    address = normalise_address(address)
    if (problem := address_problem(address, email_on)) is not None:
        raise Invalid({"email": problem})
    await User.update({User.email: address, User.email_on: email_on, User.email_locale: mail_locale(locale)}).where(
        User.id == user.id
    )


# --- administrators: failed mails, sending again ------------------------------------------------


async def list_mails(status: MailStatus | None, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
    """A page of mails, newest first, of one status or all; with the recipient's username."""
    where = MailMessage.status == status if status is not None else MailMessage.id > 0
    rows = await (
        MailMessage.select(
            MailMessage.id,
            MailMessage.to_address,
            MailMessage.subject,
            MailMessage.status,
            MailMessage.attempts,
            MailMessage.resends,
            MailMessage.last_error,
            MailMessage.created_at,
            MailMessage.sent_at,
            MailMessage.user.username.as_alias("username"),
        )
        .where(where)
        .order_by(MailMessage.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return rows, await MailMessage.count().where(where)


async def count_failed() -> int:
    return int(await MailMessage.count().where(MailMessage.status == MailStatus.FAILED))


async def send_again(mail_id: int) -> None:
    """Queue a failed mail again, with its tries counted afresh; `Conflict` when it is not failed (any more)."""
    async with write_transaction():
        rows = (
            await MailMessage.update(
                {
                    MailMessage.status: MailStatus.QUEUED,
                    MailMessage.attempts: 0,
                    MailMessage.resends: MailMessage.resends + 1,
                }
            )
            .where((MailMessage.id == mail_id) & (MailMessage.status == MailStatus.FAILED))
            .returning(MailMessage.resends)
        )
        if not rows:
            raise Conflict("This e-mail is not waiting to be sent again.")
        job_id = mail_job_id(mail_id, int(rows[0]["resends"]))
        await promise_job(JOB, [mail_id], job_id, timeout_seconds=SMTP_TIMEOUT_SECONDS * 3)
    await dispatch([job_id])
