"""A follow-up that fell due acts: it claims its row, does its step, and tells whom its ladder names.

Everything one step does is one transaction: the claim (a conditional UPDATE on the row's id, its
version and its state — zero rows back means another run got there first, or the row changed since
the job was queued), the offer's lapse or the broker's task, and the inbox messages (keyed by the
row, the step and the user). A run killed half-way commits nothing and its retry acts once; a run
that comes second does nothing at all.

An offer that lapses in a district whose setting is "next" moves on, in the same transaction, to
the best ranked expert who has not yet had his chance at the case (`casework.matching`): a new
offer by the system with its own deadline. With nobody left, or "queue", the case goes back to the
officers' queue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from accounts.inbox import post_messages
from accounts.tables import Notification
from casework.assigning import offer_lead
from casework.followups.messages import message_for, task_instructions
from casework.followups.rules import Act, FirstAct, FollowUpKind, FollowUpState, OfferLapse, Rung, act_at, is_moot
from casework.followups.scheduling import schedule_rows
from casework.followups.service import follow_transition, settings_for
from casework.matching.service import next_expert
from casework.moving import today as bureau_today
from casework.notifying import Message
from casework.notifying import message_for as case_message
from casework.tables import Assignment, Case, CaseEvent, FollowUp, Task
from casework.telling import city_officers, district_officers
from casework.workflow import CaseState, FollowUpEffect, Party, Transition
from core.config import settings as config
from core.db import write_transaction
from core.i18n import gettext
from core.jobs import dispatch, promise_job
from experts.tables import Expert

log = logging.getLogger(__name__)

OFFER_LAPSED = "offer_expired"  # the case event of a lapse, as the timeline names it
OFFERED_ON = "offer_escalated"  # the case event of the offer made on to the next expert

MOVED_ON = Message(
    "The offer of case {number} lapsed and went to the next expert",
    "The expert did not answer in time; the case is now offered to the next recommended expert.",
)


@dataclass(frozen=True)
class Lapse:
    """What an offer's lapse did: whom the case was offered on to (a user id), and that offer's deadline."""

    offered_to: int | None = None
    deadlines: list[dict[str, Any]] = field(default_factory=list)  # id, version, due time: scheduled after commit


async def _people(rung: Rung, row: dict[str, Any]) -> tuple[int, ...]:
    if rung is Rung.ASSIGNEE and row["assignee"] is not None:
        return (row["assignee"],)
    if rung is Rung.CITY_OFFICERS:
        return await city_officers()
    # An assignee nobody holds (an expert without a login) falls to the district's officers.
    return await district_officers(row["district"])


async def _tell(row: dict[str, Any], step: int, act: Act, lapse: Lapse | None = None) -> list[str]:
    """The step's inbox messages, once each however often the step runs; the mail jobs to dispatch."""
    users = set(await _people(act.rung, row)) if act.rung is not None else set()
    if act.first is FirstAct.LAPSE_OFFER and row["assignee"] is not None:
        users.add(row["assignee"])  # the expert learns his offer lapsed, beside the officers
    offered_to = lapse.offered_to if lapse is not None else None
    if offered_to is not None:
        users.add(offered_to)  # and the next expert, that the case is now offered to him
    messages = []
    kind = FollowUpKind(row["kind"])
    for user_id in sorted(users):
        rung = Rung.ASSIGNEE if user_id == row["assignee"] else (act.rung or Rung.DISTRICT_OFFICERS)
        message = message_for(kind, rung)
        label = f"follow_up_{kind}"
        if user_id == offered_to:
            message, label = case_message(Transition.ASSIGN, Party.OFFERED_EXPERT), f"case_{Transition.ASSIGN}"
        elif offered_to is not None and rung is not Rung.ASSIGNEE:
            message = MOVED_ON
        messages.append(
            Notification(
                user=user_id,
                kind=label,
                subject=message.subject,
                body=message.body,
                link=f"/cases/{row['case']}",
                dedupe_key=f"follow-up:{row['id']}:{step}:{user_id}",
            )
        )
    _ids, mail_jobs = await post_messages(messages)
    return mail_jobs


async def _offer_on(case_id: int) -> dict[str, Any] | None:
    """Offer the case to the best ranked expert who has not had it yet (by the system); None if nobody may take it.

    The lapsed offer is already written, so matching counts its expert among those passed over.
    """
    match = await next_expert(case_id, bureau_today())
    if match is None:
        return None
    # Only an expert with a login can answer an offer: matching ranks the whole pool.
    if not await Expert.exists().where((Expert.id == match.expert_id) & Expert.user.is_not_null()):
        return None
    return await offer_lead(case_id, match.expert_id, None)


async def _lapse_offer(row: dict[str, Any]) -> Lapse | None:
    """The offer lapses; the case moves on to the next expert or back to the officers' queue, as its
    district says. None if the offer was answered meanwhile."""
    now = datetime.now(UTC)
    lapsed = (
        await Assignment.update({Assignment.status: "lapsed", Assignment.answered_at: now})
        .where((Assignment.id == row["follows"]) & (Assignment.status == "offered"))
        .returning(Assignment.expert)
    )
    if not lapsed:
        return None
    case_id = row["case"]
    expert = await Expert.select(Expert.name).where(Expert.id == lapsed[0]["expert"]).first()
    onward = None
    if (await settings_for(row["district"])).on_offer_lapse == OfferLapse.NEXT:
        onward = await _offer_on(case_id)
    target = CaseState.ASSIGNED if onward is not None else CaseState.TRIAGED
    await Case.update({Case.state: target, Case.version: Case.version + 1, Case.updated_at: now}).where(
        (Case.id == case_id) & (Case.state == CaseState.ASSIGNED)
    )
    await CaseEvent.insert(
        CaseEvent(
            case=case_id,
            kind=OFFER_LAPSED,
            from_state=CaseState.ASSIGNED.value,
            to_state=target.value,
            data={
                "assignment": row["follows"],
                "expert": lapsed[0]["expert"],
                "expert_name": expert["name"] if expert else "",
                "follow_up": row["id"],
            },
        )
    )
    if onward is None:
        return Lapse()
    event = await CaseEvent.insert(
        CaseEvent(
            case=case_id,
            kind=OFFERED_ON,
            from_state=CaseState.ASSIGNED.value,
            to_state=CaseState.ASSIGNED.value,
            data={**onward, "follow_up": row["id"]},
        )
    ).returning(CaseEvent.id)
    opened = await follow_transition(case_id, row["district"], event[0]["id"], [FollowUpEffect.OPEN_OFFER_DEADLINE])
    deadlines = (
        await FollowUp.select(FollowUp.id, FollowUp.version, FollowUp.due_at).where(FollowUp.id.is_in(opened))
        if opened
        else []  # Piccolo refuses an empty IN list
    )
    user = await Assignment.select(Assignment.expert_user).where(Assignment.id == onward["assignment"]).first()
    return Lapse(offered_to=user["expert_user"] if user else None, deadlines=deadlines)


async def _open_task(row: dict[str, Any], due_on: date) -> int | None:
    """The broker's visit or survey task; None when the case has no broker to give it to."""
    case = (
        await Case.select(Case.enterprise, Case.filed_by, Case.enterprise.registered_by.as_alias("registrar"))
        .where(Case.id == row["case"])
        .first()
    )
    if case is None:
        return None
    broker = row["assignee"] or case["filed_by"] or case["registrar"]
    if broker is None:
        return None
    kind = FollowUpKind(row["kind"])
    message, params = task_instructions(kind, (row["data"] or {}).get("months"))
    inserted = await Task.insert(
        Task(
            district=row["district"],
            case=row["case"],
            enterprise=case["enterprise"],
            broker=broker,
            kind="survey" if kind is FollowUpKind.OUTCOME_SURVEY else "visit",
            instructions=gettext(config.default_locale, message, **params),
            due_on=due_on,
        )
    ).returning(Task.id)
    return int(inserted[0]["id"])


async def act_on(
    follow_up_id: int, version: int, now: datetime | None = None
) -> tuple[list[str], list[dict[str, Any]]]:
    """Act on a follow-up if it is due and still at `version`; the jobs to dispatch, and the rows to
    schedule (id, version, due time): this one as it waits for its next step, and the deadline of an
    offer it moved on to the next expert."""
    now = now or datetime.now(UTC)
    jobs: list[str] = []
    async with write_transaction():
        row = (
            await FollowUp.select(*FollowUp.all_columns(), FollowUp.case.state.as_alias("case_state"))
            .where(FollowUp.id == follow_up_id)
            .output(load_json=True)
            .first()
        )
        if row is None or row["version"] != version or row["state"] != FollowUpState.PENDING or row["due_at"] > now:
            return [], []
        kind = FollowUpKind(row["kind"])
        moot = is_moot(kind, CaseState(row["case_state"]))
        act = act_at(kind, row["step"], now, await settings_for(row["district"]), config.display_timezone)
        state = FollowUpState.CANCELLED if moot else (act.finished_state or FollowUpState.PENDING)
        claimed = (
            await FollowUp.update(
                {
                    FollowUp.version: version + 1,
                    FollowUp.step: FollowUp.step + (0 if moot else 1),
                    FollowUp.state: state,
                    FollowUp.acted_at: now,
                    FollowUp.due_at: act.next_due or row["due_at"],
                    **({FollowUp.closed_at: now} if state is not FollowUpState.PENDING else {}),
                }
            )
            .where(
                (FollowUp.id == follow_up_id)
                & (FollowUp.version == version)
                & (FollowUp.state == FollowUpState.PENDING)
            )
            .returning(FollowUp.id)
        )
        if not claimed or moot:
            # Cancelled, not sent: its case was withdrawn, declined or merged meanwhile.
            return [], []
        lapse = None
        if act.first is FirstAct.LAPSE_OFFER:
            lapse = await _lapse_offer(row)
            if lapse is None:
                await FollowUp.update({FollowUp.state: FollowUpState.CANCELLED}).where(FollowUp.id == follow_up_id)
                return [], []
        if act.first is FirstAct.OPEN_TASK and act.task_due_on is not None:
            task_id = await _open_task(row, act.task_due_on)
            if task_id is not None:
                data = {**(row["data"] or {}), "task": task_id}
                await FollowUp.update({FollowUp.follows: task_id, FollowUp.data: data}).where(
                    FollowUp.id == follow_up_id
                )
                job = f"task-dispatched-{task_id}"
                await promise_job("casework.tasks.jobs.notify_task_dispatched", [task_id], job, timeout_seconds=30)
                jobs.append(job)
        jobs += await _tell(row, row["step"], act, lapse)
    # The next expert's offer deadline, when the offer moved on, is scheduled like the row's next step.
    opened = lapse.deadlines if lapse is not None else []
    if act.next_due is None:
        return jobs, opened
    return jobs, [{"id": follow_up_id, "version": version + 1, "due_at": act.next_due}, *opened]


async def act_and_schedule(follow_up_id: int, version: int) -> None:
    """The job's whole work: act, then dispatch what the act promised and schedule the next step."""
    jobs, again = await act_on(follow_up_id, version)
    await dispatch(jobs)
    schedule_rows(again)
