"""The demo's follow-ups: some overdue, some falling due in the first minutes of `make run`, many done.

The moves that seed the demo cases opened and closed their follow-ups through the real services.
Here time is moved on for a few of them, as days passing would have: a triage deadline and a
measure already overdue (the scheduler's first sweep acts on them, so the inbox fills), a measure
reminder and an outcome survey due a few minutes after the start, and 永川区 set to a 3-minute offer
deadline, so a newcomer who offers a case there sees it lapse and the officer told.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from casework.followups.rules import FollowUpKind, FollowUpState
from casework.tables import Case, DistrictSetting, FollowUp
from casework.workflow import CaseState

SHORT_OFFER_MINUTES = 3

# (kind, state of its case, minutes from now it falls due: negative is overdue)
_MOVED: tuple[tuple[FollowUpKind, CaseState, int], ...] = (
    (FollowUpKind.TRIAGE_DUE, CaseState.SUBMITTED, -180),
    (FollowUpKind.MEASURE_OVERDUE, CaseState.IN_PROGRESS, -60),
    (FollowUpKind.MEASURE_REMINDER, CaseState.IN_PROGRESS, 2),
    (FollowUpKind.OUTCOME_SURVEY, CaseState.MONITORING, 4),
)


async def seed_follow_ups(short_offer_district: str, user_id: int) -> int:
    """Move a few follow-ups' time on and shorten one district's offer deadline; returns how many moved."""
    await DistrictSetting.insert(
        DistrictSetting(district=short_offer_district, offer_minutes=SHORT_OFFER_MINUTES, updated_by=user_id)
    )
    now, moved = datetime.now(UTC), 0
    for kind, state, minutes in _MOVED:
        row = (
            await FollowUp.select(FollowUp.id)
            .where(
                (FollowUp.kind == kind)
                & (FollowUp.state == FollowUpState.PENDING)
                & FollowUp.case.is_in(Case.select(Case.id).where(Case.state == state))
            )
            .order_by(FollowUp.due_at)
            .first()
        )
        if row is None:
            continue
        # A new version, as any reschedule takes: the job queued for the old time does nothing.
        await FollowUp.update(
            {FollowUp.due_at: now + timedelta(minutes=minutes), FollowUp.version: FollowUp.version + 1}
        ).where(FollowUp.id == row["id"])
        moved += 1
    return moved
