"""Background jobs of notification e-mail (run by `rq worker`; synchronous, given ids only)."""

from __future__ import annotations

from accounts.mail.service import deliver_mail


def send_mail(mail_id: int) -> None:
    """Send one notification e-mail; a mail already sent (or given up) is not sent again.

    Raises `MailNotSent` when the SMTP server does not take it, so RQ retries with back-off;
    the last try marks it failed for an administrator to send again.
    """
    deliver_mail(mail_id)
