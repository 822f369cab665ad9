"""Background jobs of casework (run by `rq worker`; synchronous, given ids only)."""

from __future__ import annotations

from piccolo.utils.sync import run_sync

from casework.filing import file_needs_in_transaction
from casework.telling import deliver_notifications
from enterprises.imports.need_filing import register_need_filer

# Imports run in the workers, which never build the app: casework hands the import its need filer here too.
register_need_filer(file_needs_in_transaction)


def notify_case_event(event_id: int) -> None:
    """Put a case event's messages in its recipients' inboxes; running it twice writes them once."""
    run_sync(deliver_notifications(event_id))
