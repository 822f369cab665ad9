"""Filing a need as a case, and carrying cases along when their enterprise is merged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from accounts.policy import Actor
from casework.followups.scheduling import schedule_near
from casework.followups.service import follow_transition
from casework.notifying import FILED
from casework.tables import Case, CaseEvent, CaseNeed
from casework.telling import promise_notifications, told_of
from casework.workflow import CaseState, FollowUpEffect, Party, Priority
from core.db import write_transaction
from core.jobs import dispatch
from core.text import normalise_lines
from enterprises.classification import Urgency
from enterprises.services import record_need
from enterprises.tables import Need

# A need's urgency sets the case's first priority; the officer may change it at triage later.
_PRIORITY_OF = {
    Urgency.LOW: Priority.LOW,
    Urgency.NORMAL: Priority.NORMAL,
    Urgency.HIGH: Priority.HIGH,
    Urgency.URGENT: Priority.URGENT,
}


async def move_cases_of_merged_enterprise(merged_id: int, survivor_id: int) -> int:
    """A merged enterprise's cases follow it to the record kept (runs inside the merge's transaction)."""
    moved = (
        await Case.update({Case.enterprise: survivor_id, Case.updated_at: datetime.now(UTC)})
        .where(Case.enterprise == merged_id)
        .returning(Case.id)
    )
    return len(moved)


async def file_need(actor: Actor, enterprise_id: int, form: Mapping[str, str], as_draft: bool = False) -> int:
    """File a need of an enterprise the broker may see as a submitted (or draft) case; returns the case id.

    A case filed straight into the queue is a submission: the district's officers are told.
    """
    async with write_transaction():
        filed = await _file_one(actor, enterprise_id, form, as_draft)
    await send_filed(filed)
    return filed.case_ids[0]


@dataclass(frozen=True)
class FiledNeeds:
    """Cases filed inside a transaction, and what to send once it commits (`send_filed`)."""

    case_ids: list[int] = field(default_factory=list)
    jobs: list[str] = field(default_factory=list)
    follow_ups: list[int] = field(default_factory=list)

    def __add__(self, other: FiledNeeds) -> FiledNeeds:
        return FiledNeeds(self.case_ids + other.case_ids, self.jobs + other.jobs, self.follow_ups + other.follow_ups)

    async def send(self) -> None:
        await send_filed(self)


async def file_needs_in_transaction(actor: Actor, enterprise_id: int, forms: Sequence[Mapping[str, str]]) -> FiledNeeds:
    """File needs of an enterprise as submitted cases, one case per need, inside the caller's open transaction.

    What `file_need` does for each, except sending: the caller hands the result to `send_filed` after
    its commit. A need the enterprise already has on record (same category and description) is not
    filed again, so a ledger imported twice files its needs once.
    """
    on_record = {
        (row["category"], row["description"])
        for row in await Need.select(Need.category, Need.description).where(Need.enterprise == enterprise_id)
    }
    filed = FiledNeeds()
    for form in forms:
        key = (form.get("category", ""), normalise_lines(form.get("description", ""))[:4000])
        if key in on_record:
            continue
        on_record.add(key)
        filed += await _file_one(actor, enterprise_id, form, as_draft=False)
    return filed


async def send_filed(filed: FiledNeeds) -> None:
    """After the commit: queue the notifications promised and give RQ the follow-ups that are near."""
    if filed.jobs:
        await dispatch(filed.jobs)
    await schedule_near(filed.follow_ups)


async def _file_one(actor: Actor, enterprise_id: int, form: Mapping[str, str], as_draft: bool) -> FiledNeeds:
    """A need recorded and its case filed, its event, notifications and triage clock (inside a transaction)."""
    state = CaseState.DRAFT if as_draft else CaseState.SUBMITTED
    need = await record_need(actor, enterprise_id, form)
    rows = await Case.insert(
        Case(
            enterprise=enterprise_id,
            filed_by=actor.user_id,
            district=need.district,
            priority=_PRIORITY_OF[need.urgency],
            state=state,
        )
    ).returning(Case.id)
    case_id: int = rows[0]["id"]
    await CaseNeed.insert(CaseNeed(case=case_id, need=need.need_id))
    parties = [] if as_draft else [Party.DISTRICT_OFFICERS]
    told = await told_of(case_id, {"filed_by": actor.user_id, "district": need.district}, parties, actor.user_id)
    event = await CaseEvent.insert(
        CaseEvent(
            case=case_id,
            actor=actor.user_id,
            kind=FILED,
            from_state="",
            to_state=state,
            data={"notify": told} if told else {},
        )
    ).returning(CaseEvent.id)
    jobs = await promise_notifications(event[0]["id"], told)
    effects = [] if as_draft else [FollowUpEffect.OPEN_TRIAGE_CLOCK]
    follow_ups = await follow_transition(case_id, need.district, event[0]["id"], effects)
    return FiledNeeds([case_id], jobs, follow_ups)
