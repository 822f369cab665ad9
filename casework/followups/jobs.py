"""Background jobs of follow-ups (run by `rq worker`; synchronous, given ids only)."""

from __future__ import annotations

from piccolo.utils.sync import run_sync

from casework.followups.acting import act_and_schedule


def act_on_follow_up(follow_up_id: int, version: int) -> None:
    """Act on a follow-up that fell due; a second run, or a run for an older version, does nothing."""
    run_sync(act_and_schedule(follow_up_id, version))
