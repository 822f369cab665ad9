"""Telling people that a case moved: who, found inside the move's transaction; the inbox, by a job.

The service that writes an event names its recipients (`casework.notifying`) in the event's data
and promises `casework.jobs.notify_case_event` in the same transaction. The job writes one inbox
message per recipient and the timeline's `notified` event, together: a re-run finds the messages
there (their `dedupe_key` is the event and the user) and writes nothing, the event included.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from accounts.inbox import post_messages
from accounts.policy import Role
from accounts.tables import Notification, User
from casework.notifying import CasePeople, message_for, recipients
from casework.reading import live_leads
from casework.tables import CaseEvent
from casework.workflow import Party
from core.db import write_transaction
from core.jobs import dispatch, promise_job

NOTIFIED = "notified"
JOB = "casework.jobs.notify_case_event"


async def district_officers(district: str) -> tuple[int, ...]:
    """The active district officers of a district, by id."""
    rows = await User.select(User.id).where(
        (User.role == Role.DISTRICT_OFFICER) & (User.district == district) & (User.is_active == True)  # noqa: E712
    )
    return tuple(sorted(r["id"] for r in rows))


async def city_officers() -> tuple[int, ...]:
    """The active city officers, by id: the last rung of a follow-up's escalation."""
    rows = await User.select(User.id).where((User.role == Role.CITY_OFFICER) & (User.is_active == True))  # noqa: E712
    return tuple(sorted(r["id"] for r in rows))


async def case_people(
    case_id: int, case: Mapping[str, Any], parties: Iterable[Party], released: int | None = None
) -> CasePeople:
    """Who stands in the parties' relations to the case now; only the relations asked for are read.

    `released`: the user whose offer or lead the move itself ended (so no longer found among the live leads).
    """
    wanted = frozenset(parties)
    leads = await live_leads(case_id) if wanted & {Party.LEAD_EXPERT, Party.OFFERED_EXPERT} else {}
    return CasePeople(
        filer=case["filed_by"],
        district_officers=await district_officers(case["district"]) if Party.DISTRICT_OFFICERS in wanted else (),
        lead_expert=(leads.get("accepted") or {}).get("expert_user"),
        offered_expert=(leads.get("offered") or {}).get("expert_user"),
        released_expert=released if Party.RELEASED_EXPERT in wanted else None,
    )


async def told_of(
    case_id: int, case: Mapping[str, Any], parties: Iterable[Party], actor_id: int | None, released: int | None = None
) -> list[list[Any]]:
    """The recipients of an event as `[user id, party]` pairs, for the event's data."""
    chosen = frozenset(parties)
    people = await case_people(case_id, case, chosen, released)
    return [[user_id, party.value] for user_id, party in recipients(chosen, people, actor_id).items()]


def job_id(event_id: int) -> str:
    return f"case-event-{event_id}-notify"


async def promise_notifications(event_id: int, told: list[list[Any]]) -> list[str]:
    """Promise, inside the event's transaction, the job telling its recipients; the job ids to dispatch."""
    if not told:
        return []
    await promise_job(JOB, [event_id], job_id(event_id), timeout_seconds=60)
    return [job_id(event_id)]


async def deliver_notifications(event_id: int) -> int:
    """Write the inbox messages of one case event and its `notified` event; returns how many were new.

    The e-mail of the new messages (for users who turned it on) is written with them and sent after.
    """
    event = (
        await CaseEvent.select(CaseEvent.case, CaseEvent.kind, CaseEvent.data)
        .where(CaseEvent.id == event_id)
        .output(load_json=True)
        .first()
    )
    if event is None:
        return 0
    told = [(int(user_id), Party(party)) for user_id, party in (event["data"] or {}).get("notify", [])]
    if not told:
        return 0
    case_id, kind = event["case"], event["kind"]
    messages = []
    for user_id, party in told:
        message = message_for(kind, party)
        messages.append(
            Notification(
                user=user_id,
                kind=f"case_{kind}",
                subject=message.subject,
                body=message.body,
                link=f"/cases/{case_id}",
                dedupe_key=f"case-event:{event_id}:{user_id}",
            )
        )
    async with write_transaction():
        inserted, mail_jobs = await post_messages(messages)
        # Written with the messages or not at all: a re-run that adds no message adds no event.
        if inserted:
            await CaseEvent.insert(
                CaseEvent(
                    case=case_id,
                    kind=NOTIFIED,
                    data={
                        "count": len(inserted),
                        "users": sorted(user_id for user_id, _party in told),
                        "transition": kind,
                        "event": event_id,
                    },
                )
            )
    await dispatch(mail_jobs)
    return len(inserted)
