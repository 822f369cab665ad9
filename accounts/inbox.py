"""Putting messages in users' inboxes, each once, with the e-mail of those who chose it.

Every writer of notifications (a case's move, a follow-up, a task, a welcome) goes through
`post_messages` inside its write transaction: a message whose `dedupe_key` is already there is
skipped, so a re-run of its job posts and mails nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from accounts.mail.service import promise_mail
from accounts.tables import Notification


async def post_messages(messages: Sequence[Notification]) -> tuple[list[int], list[str]]:
    """The ids of the messages new in their inboxes, and the mail jobs to dispatch after the commit."""
    if not messages:
        return [], []
    inserted = (
        await Notification.insert(*messages)
        .on_conflict(target=Notification.dedupe_key, action="DO NOTHING")
        .returning(Notification.id)
    )
    ids = [row["id"] for row in inserted]
    return ids, await promise_mail(ids)
