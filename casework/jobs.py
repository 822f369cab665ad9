"""Background jobs of casework (run by `rq worker`; synchronous, given ids only)."""

from __future__ import annotations

from piccolo.utils.sync import run_sync

from casework.telling import deliver_notifications


def notify_case_event(event_id: int) -> None:
    """Put a case event's messages in its recipients' inboxes; running it twice writes them once."""
    run_sync(deliver_notifications(event_id))
