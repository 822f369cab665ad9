"""Background jobs of accounts (run by `rq worker`; synchronous)."""

from __future__ import annotations

from accounts.tables import Notification, User


def send_welcome_notification(user_id: int) -> None:
    """Put a welcome message in a new user's inbox; running it twice leaves one message."""
    if not User.exists().where(User.id == user_id).run_sync():
        return
    Notification.insert(
        Notification(
            user=user_id,
            kind="welcome",
            subject="Welcome to Fuchi",
            body="Your account is ready.",
            dedupe_key=f"welcome:{user_id}",
        )
    ).on_conflict(target=Notification.dedupe_key, action="DO NOTHING").run_sync()
