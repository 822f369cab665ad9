"""Pure rules of notification e-mail: its states, whom to mail, addresses, when to give up."""

from __future__ import annotations

import re
from enum import StrEnum


class MailStatus(StrEnum):
    QUEUED = "queued"  # rendered, waiting for (another) try
    SENT = "sent"  # the SMTP server took it
    FAILED = "failed"  # every try failed; an administrator may send it again

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    MailStatus.QUEUED: "Waiting to be sent",
    MailStatus.SENT: "Sent",
    MailStatus.FAILED: "Failed",
}

ADDRESS_MAX = 254  # RFC 5321's limit on a path
BAD_ADDRESS = "Enter an e-mail address like name@example.com."
ADDRESS_NEEDED = "Enter the address to send e-mail to."

# Deliberately plain: one @, no spaces or angle brackets, a dotted domain. The SMTP server is the
# judge of the rest; this only catches typing mistakes and header injection.
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


def normalise_address(text: str) -> str:
    """The address as stored: trimmed, its domain in lower case."""
    local, at, domain = text.strip().rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else text.strip()


def address_problem(address: str, email_on: bool) -> str | None:
    """The message id of what is wrong with an e-mail preference, or None."""
    if not address:
        return ADDRESS_NEEDED if email_on else None
    if len(address) > ADDRESS_MAX or not address.isascii() or not _ADDRESS.match(address):
        return BAD_ADDRESS
    return None


def wants_mail(email_on: bool, address: str) -> bool:
    """Whether a user's notifications are e-mailed to him."""
    return email_on and bool(address)


def gives_up(attempts: int, max_retries: int) -> bool:
    """Whether a try, the `attempts`-th since the mail was queued, is the last (RQ retries `max_retries` times)."""
    return attempts > max_retries


def number_of(link: str) -> str:
    """The number at the end of a message's link (`/cases/12` -> "12"): the `{number}` of its subject."""
    last = link.rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdigit() else ""


def error_summary(kind: str, code: int | None) -> str:
    """What is kept of an SMTP failure: its kind and code. Its text may repeat the address; it is not kept."""
    return f"{kind} {code}" if code is not None else kind


def mail_job_id(mail_id: int, resends: int) -> str:
    """The send job of a mail, and of each time it is sent again: deterministic, so it is queued once."""
    return f"mail-{mail_id}" if resends == 0 else f"mail-{mail_id}-again-{resends}"
