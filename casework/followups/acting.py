"""A follow-up that fell due acts: it claims its row, does its step, and tells whom its ladder names.

Everything one step does is one transaction: the claim (a conditional UPDATE on the row's id, its
version and its state — zero rows back means another run got there first, or the row changed since
the job was queued), the offer's lapse or the broker's task, and the inbox messages (keyed by the
row, the step and the user). A run killed half-way commits nothing and its retry acts once; a run
that comes second does nothing at all.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from accounts.inbox import post_messages
from accounts.tables import Notification
from casework.followups.messages import message_for, task_instructions
from casework.followups.rules import Act, FirstAct, FollowUpKind, FollowUpState, Rung, act_at, is_moot
from casework.followups.scheduling import schedule_rows
from casework.followups.service import settings_for
from casework.tables import Assignment, Case, CaseEvent, FollowUp, Task
from casework.telling import city_officers, district_officers
from casework.workflow import CaseState
from core.config import settings as config
from core.db import write_transaction
from core.i18n import gettext
from core.jobs import dispatch, promise_job
from experts.tables import Expert

log = logging.getLogger(__name__)

OFFER_LAPSED = "offer_expired"  # the case event of a lapse, as the timeline names it


async def _people(rung: Rung, row: dict[str, Any]) -> tuple[int, ...]:
    if rung is Rung.ASSIGNEE and row["assignee"] is not None:
        return (row["assignee"],)
    if rung is Rung.CITY_OFFICERS:
        return await city_officers()
    # An assignee nobody holds (an expert without a login) falls to the district's officers.
    return await district_officers(row["district"])


async def _tell(row: dict[str, Any], step: int, act: Act) -> list[str]:
    """The step's inbox messages, once each however often the step runs; the mail jobs to dispatch."""
    users = set(await _people(act.rung, row)) if act.rung is not None else set()
    if act.first is FirstAct.LAPSE_OFFER and row["assignee"] is not None:
        users.add(row["assignee"])  # the expert learns his offer lapsed, beside the officers
    messages = []
    kind = FollowUpKind(row["kind"])
    for user_id in sorted(users):
        rung = Rung.ASSIGNEE if user_id == row["assignee"] else (act.rung or Rung.DISTRICT_OFFICERS)
        message = message_for(kind, rung)
        messages.append(
            Notification(
                user=user_id,
                kind=f"follow_up_{kind}",
                subject=message.subject,
                body=message.body,
                link=f"/cases/{row['case']}",
                dedupe_key=f"follow-up:{row['id']}:{step}:{user_id}",
            )
        )
    _ids, mail_jobs = await post_messages(messages)
    return mail_jobs


async def _lapse_offer(row: dict[str, Any]) -> bool:
    """The offer lapses and the case goes back to the officers' queue; False if it was answered meanwhile."""
    lapsed = (
        await Assignment.update({Assignment.status: "lapsed", Assignment.answered_at: datetime.now(UTC)})
        .where((Assignment.id == row["follows"]) & (Assignment.status == "offered"))
        .returning(Assignment.expert)
    )
    if not lapsed:
        return False
    expert = await Expert.select(Expert.name).where(Expert.id == lapsed[0]["expert"]).first()
    await Case.update(
        {Case.state: CaseState.TRIAGED, Case.version: Case.version + 1, Case.updated_at: datetime.now(UTC)}
    ).where((Case.id == row["case"]) & (Case.state == CaseState.ASSIGNED))
    await CaseEvent.insert(
        CaseEvent(
            case=row["case"],
            kind=OFFER_LAPSED,
            from_state=CaseState.ASSIGNED.value,
            to_state=CaseState.TRIAGED.value,
            data={
                "assignment": row["follows"],
                "expert": lapsed[0]["expert"],
                "expert_name": expert["name"] if expert else "",
                "follow_up": row["id"],
            },
        )
    )
    return True


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
    """Act on a follow-up if it is due and still at `version`; the jobs to dispatch, and the row as it now
    waits for its next step (id, version, due time) when it has one."""
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
        if act.first is FirstAct.LAPSE_OFFER and not await _lapse_offer(row):
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
        jobs += await _tell(row, row["step"], act)
    if act.next_due is None:
        return jobs, []
    return jobs, [{"id": follow_up_id, "version": version + 1, "due_at": act.next_due}]


async def act_and_schedule(follow_up_id: int, version: int) -> None:
    """The job's whole work: act, then dispatch what the act promised and schedule the next step."""
    jobs, again = await act_on(follow_up_id, version)
    await dispatch(jobs)
    schedule_rows(again)
