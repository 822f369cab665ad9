"""Where a text message to a founder's phone goes: the gateway interface and the one used by default.

The project has no SMS provider. The default `RecordingGateway` sends nothing: the message stays as
the record in `casework_text_message` (phone and text encrypted), which the demo and the tests read
back (`casework.confirmations.texts.last_text`). A provider's gateway implements `TextGateway` and
is installed once at start-up with `use_gateway`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingText:
    id: int
    phone: str
    text: str


class TextGateway(Protocol):
    name: str

    def send(self, message: OutgoingText) -> str:
        """Hand the message over; returns the gateway's reference for it, or raises so the job is retried."""
        ...


class RecordingGateway:
    """Keeps the message as the record and reports it sent; nothing leaves the machine."""

    name = "recorded"

    def send(self, message: OutgoingText) -> str:
        return f"recorded-{message.id}"


_configured: list[TextGateway] = [RecordingGateway()]


def gateway() -> TextGateway:
    return _configured[0]


def use_gateway(chosen: TextGateway) -> None:
    """Install the gateway texts are sent through (once, when the app or a worker starts)."""
    _configured[0] = chosen
