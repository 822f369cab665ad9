"""Outgoing text messages: written encrypted in the caller's transaction, sent by a light job after commit.

The job is given the message's id only: neither the phone nor the code is ever in a job's payload,
a log line or an event. It claims the message with a conditional UPDATE, so a re-run (a retry, the
outbox sweep) sends it at most once; a code that expired while Redis was down is not sent at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from casework.confirmations.gateway import OutgoingText, gateway
from casework.tables import CaseEvent, Confirmation, TextMessage
from core.crypto import decrypt, encrypt
from core.db import write_transaction
from core.jobs import JobKind, promise_job

log = logging.getLogger(__name__)

SEND_JOB = "casework.confirmations.jobs.send_text_message"


def job_id(message_id: int) -> str:
    return f"text-message-{message_id}"


async def queue_text(case_id: int, confirmation_id: int, phone: str, text: str) -> str:
    """Inside the caller's transaction: keep the message and promise its sending; returns the job id to dispatch."""
    rows = await TextMessage.insert(
        TextMessage(
            case=case_id,
            confirmation=confirmation_id,
            phone_cipher=encrypt(phone),
            body_cipher=encrypt(text),
            status="queued",
        )
    ).returning(TextMessage.id)
    message_id: int = rows[0]["id"]
    await promise_job(SEND_JOB, [message_id], job_id(message_id), kind=JobKind.LIGHT, timeout_seconds=60)
    return job_id(message_id)


async def _still_wanted(confirmation_id: int | None, now: datetime) -> bool:
    """A code is worth sending while it can still be typed in."""
    if confirmation_id is None:
        return True
    row = (
        await Confirmation.select(Confirmation.expires_at, Confirmation.confirmed_at)
        .where(Confirmation.id == confirmation_id)
        .first()
    )
    return row is not None and row["confirmed_at"] is None and row["expires_at"] is not None and row["expires_at"] > now


async def deliver_text(message_id: int) -> str:
    """Send one queued message through the gateway; returns its status afterwards."""
    now = datetime.now(UTC)
    claimed = (
        await TextMessage.update({TextMessage.status: "sending", TextMessage.attempts: TextMessage.attempts + 1})
        .where((TextMessage.id == message_id) & (TextMessage.status == "queued"))
        .returning(
            TextMessage.id,
            TextMessage.case,
            TextMessage.confirmation,
            TextMessage.phone_cipher,
            TextMessage.body_cipher,
        )
    )
    if not claimed:
        row = await TextMessage.select(TextMessage.status).where(TextMessage.id == message_id).first()
        return row["status"] if row else "missing"  # sent (or being sent) by an earlier run
    message = claimed[0]
    if not await _still_wanted(message["confirmation"], now):
        await TextMessage.update({TextMessage.status: "expired"}).where(TextMessage.id == message_id)
        log.info("text message %d not sent: its code can no longer be used", message_id)
        return "expired"
    sender = gateway()
    try:
        reference = sender.send(
            OutgoingText(message_id, decrypt(message["phone_cipher"]), decrypt(message["body_cipher"]))
        )
    except Exception:
        # Put it back for the retry; the exception goes on to RQ, which retries the job.
        await TextMessage.update({TextMessage.status: "queued"}).where(TextMessage.id == message_id)
        raise
    async with write_transaction():
        await TextMessage.update(
            {
                TextMessage.status: "sent",
                TextMessage.sent_at: datetime.now(UTC),
                TextMessage.gateway: sender.name,
                TextMessage.gateway_ref: reference[:100],
            }
        ).where(TextMessage.id == message_id)
        await CaseEvent.insert(
            CaseEvent(
                case=message["case"],
                kind="text_sent",
                data={"message": message_id, "confirmation": message["confirmation"], "gateway": sender.name},
            )
        )
    log.info("text message %d sent via %s", message_id, sender.name)
    return "sent"


@dataclass(frozen=True)
class KeptText:
    id: int
    status: str
    phone: str
    text: str
    confirmation: int | None


async def last_text(case_id: int, confirmation_id: int | None = None) -> KeptText | None:
    """The last text message kept for a case (or one confirmation), decrypted: for tests, the demo and the CLI."""
    condition: Any = TextMessage.case == case_id
    if confirmation_id is not None:
        condition &= TextMessage.confirmation == confirmation_id
    row = (
        await TextMessage.select(
            TextMessage.id,
            TextMessage.status,
            TextMessage.phone_cipher,
            TextMessage.body_cipher,
            TextMessage.confirmation,
        )
        .where(condition)
        .order_by(TextMessage.id, ascending=False)
        .first()
    )
    if row is None:
        return None
    return KeptText(
        row["id"], row["status"], decrypt(row["phone_cipher"]), decrypt(row["body_cipher"]), row["confirmation"]
    )
