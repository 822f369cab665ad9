"""What `/health` asks of follow-ups: how many fell due and have not been acted on."""

from __future__ import annotations

from datetime import datetime, timedelta

from casework.followups.rules import FollowUpState
from casework.tables import FollowUp


async def count_overdue_follow_ups(now: datetime, grace: timedelta) -> int:
    """Pending follow-ups due more than `grace` before `now`: each one is a promise the jobs did not keep.

    A paused follow-up waits for its case, and a done, escalated or cancelled one is closed: none
    of them counts. The grace leaves the sweep (every minute) and a busy queue their time.
    """
    return int(
        await FollowUp.count().where((FollowUp.state == FollowUpState.PENDING) & (FollowUp.due_at < now - grace))
    )
