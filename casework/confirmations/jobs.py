"""Background jobs of confirmations (run by `rq worker`; synchronous, given a message id only)."""

from __future__ import annotations

from piccolo.utils.sync import run_sync

from casework.confirmations.texts import deliver_text


def send_text_message(message_id: int) -> None:
    """Send a queued text message (a founder's code) once, however often the job runs."""
    run_sync(deliver_text(message_id))
