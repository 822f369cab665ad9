"""A real SMTP server (aiosmtpd) for the mail tests, and the environment that points the worker at it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from accounts.tables import User


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received, parsed; `refuse` makes it answer 550 to every message."""

    received: list[EmailMessage] = field(default_factory=list)
    refused: int = 0
    refuse: bool = False

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse:
            self.refused += 1
            return "550 Mailbox unavailable"
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content or b"")
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """An SMTP server on a free port; `rq worker`s started by the test inherit its address."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("FUCHI_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FUCHI_SMTP_PORT", str(port))
    yield inbox
    controller.stop()


def turn_on_email(user_id: int, address: str, locale: str = "") -> None:
    User.update({User.email: address, User.email_on: True, User.email_locale: locale}).where(
        User.id == user_id
    ).run_sync()


def text_of(message: EmailMessage) -> str:
    part: Any = message.get_body(preferencelist=("plain",))
    return str(part.get_content())
