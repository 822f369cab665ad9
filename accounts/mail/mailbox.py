"""The demo mailbox: what the local SMTP sink (`operations/mail_sink.py`) received, read back for a page.

Each mail is one .eml file in `mailbox_dir()`, named so that names sort by arrival.
"""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

from core.config import settings

MAX_BODY_CHARS = 20_000


def mailbox_dir() -> Path:
    return settings.var_dir / "mailbox"


@dataclass(frozen=True)
class ReceivedMail:
    name: str
    sender: str
    to: str
    subject: str
    date: str
    body: str


def read_mail(path: Path) -> ReceivedMail:
    """One received mail with its headers decoded (RFC 2047) and its text part decoded."""
    message = BytesParser(policy=policy.default).parse(path.open("rb"))
    part = message.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    return ReceivedMail(
        name=path.name,
        sender=str(message.get("From", "")),
        to=str(message.get("To", "")),
        subject=str(message.get("Subject", "")),
        date=str(message.get("Date", "")),
        body=str(body)[:MAX_BODY_CHARS],
    )


def received(page: int, per_page: int, folder: Path | None = None) -> tuple[list[ReceivedMail], int]:
    """A page of the received mails, newest first, and how many there are."""
    folder = folder or mailbox_dir()
    names = sorted((p for p in folder.glob("*.eml") if p.is_file()), key=lambda p: p.name, reverse=True)
    chosen = names[(page - 1) * per_page : page * per_page]
    return [read_mail(path) for path in chosen], len(names)
