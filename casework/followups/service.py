"""Follow-up rows written with the change that implies them, inside the caller's transaction.

A case's move (`casework.moving`), a filing, a measure's progress and a task's completion call
these functions inside their write transaction; each returns the ids of the follow-ups it opened
or resumed, which the caller hands to `casework.followups.scheduling.schedule_near` after the
commit. If that fails (Redis down), the sweep schedules them a minute later: the rows are the truth.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from casework.followups.rules import (
    DEFAULTS,
    OPEN_STATES,
    CaseFacts,
    Changes,
    FollowUpKind,
    FollowUpState,
    MeasureFacts,
    Opening,
    Settings,
    changes_for,
    morning_of,
    next_visit,
    resumed_due,
)
from casework.reading import live_leads
from casework.tables import Case, DistrictSetting, FollowUp, Measure
from casework.workflow import CaseState, FollowUpEffect
from core.config import settings as config
from core.working_days import next_working_day

# Follow-ups that a task's end closes: the task's own due date, and the visit or survey that opened it.
_TASK_KINDS = (FollowUpKind.TASK_DUE, FollowUpKind.VISIT, FollowUpKind.OUTCOME_SURVEY)
_MEASURE_KINDS = (FollowUpKind.MEASURE_REMINDER, FollowUpKind.MEASURE_OVERDUE)
_SETTING_FIELDS = tuple(f.name for f in fields(Settings))


async def settings_for(district: str) -> Settings:
    """The district's follow-up settings, or the defaults."""
    row = (
        await DistrictSetting.select(*(getattr(DistrictSetting, name) for name in _SETTING_FIELDS))
        .where(DistrictSetting.district == district)
        .first()
    )
    return DEFAULTS if row is None else Settings(**{name: row[name] for name in _SETTING_FIELDS})


async def _open(case_id: int, district: str, openings: Iterable[Opening]) -> list[int]:
    rows = [
        FollowUp(
            case=case_id,
            district=district,
            kind=opening.kind,
            key=opening.key,
            follows=opening.follows,
            assignee=opening.assignee,
            due_at=opening.due_at,
            data=opening.data,
        )
        for opening in openings
    ]
    if not rows:
        return []
    # The key makes opening idempotent: a re-run, or the same clock opened twice, adds nothing.
    inserted = await FollowUp.insert(*rows).on_conflict(target=FollowUp.key, action="DO NOTHING").returning(FollowUp.id)
    return [row["id"] for row in inserted]


async def _end(where: Any, state: FollowUpState, now: datetime, states: Iterable[str] = OPEN_STATES) -> None:
    await FollowUp.update(
        {FollowUp.state: state, FollowUp.closed_at: now, FollowUp.version: FollowUp.version + 1}
    ).where(where & FollowUp.state.is_in(list(states)))


async def _case_facts(case_id: int, event_id: int, effects: Sequence[FollowUpEffect]) -> CaseFacts:
    case = await Case.select(Case.state, Case.filed_by).where(Case.id == case_id).first()
    assert case is not None  # the caller holds the case
    wants_leads = {FollowUpEffect.OPEN_OFFER_DEADLINE, FollowUpEffect.START_MEASURE_REMINDERS} & set(effects)
    leads = await live_leads(case_id) if wants_leads else {}
    offered, accepted = leads.get("offered"), leads.get("accepted")
    measures: tuple[MeasureFacts, ...] = ()
    if FollowUpEffect.START_MEASURE_REMINDERS in effects:
        rows = await Measure.select(Measure.id, Measure.due_on, Measure.status).where(Measure.case == case_id)
        measures = tuple(MeasureFacts(r["id"], r["due_on"], r["status"]) for r in rows)
    return CaseFacts(
        case_id=case_id,
        event_id=event_id,
        state=CaseState(case["state"]),
        filer=case["filed_by"],
        offer=None if offered is None else (offered["id"], offered["expert_user"]),
        lead_expert=None if accepted is None else accepted["expert_user"],
        measures=measures,
    )


async def apply_changes(case_id: int, district: str, changes: Changes, now: datetime) -> list[int]:
    """Write what a transition does to the case's follow-ups; the ids to schedule."""
    of_case = FollowUp.case == case_id
    # An escalated follow-up still waits for what it follows: the move that brings it ends it too.
    unfinished = [*OPEN_STATES, FollowUpState.ESCALATED]
    if changes.close:
        await _end(of_case & FollowUp.kind.is_in(list(changes.close)), FollowUpState.DONE, now, unfinished)
    if changes.cancel:
        await _end(of_case & FollowUp.kind.is_in(list(changes.cancel)), FollowUpState.CANCELLED, now, unfinished)
    resumed: list[int] = []
    if changes.pause:
        await FollowUp.update(
            {FollowUp.state: FollowUpState.PAUSED, FollowUp.paused_at: now, FollowUp.version: FollowUp.version + 1}
        ).where(of_case & (FollowUp.state == FollowUpState.PENDING))
    if changes.resume:
        paused = await FollowUp.select(FollowUp.id, FollowUp.due_at, FollowUp.paused_at).where(
            of_case & (FollowUp.state == FollowUpState.PAUSED)
        )
        for row in paused:
            await FollowUp.update(
                {
                    FollowUp.state: FollowUpState.PENDING,
                    FollowUp.due_at: resumed_due(row["due_at"], row["paused_at"] or now, now),
                    FollowUp.paused_at: None,
                    FollowUp.version: FollowUp.version + 1,
                }
            ).where((FollowUp.id == row["id"]) & (FollowUp.state == FollowUpState.PAUSED))
            resumed.append(row["id"])
    return resumed + await _open(case_id, district, changes.open)


async def follow_transition(
    case_id: int, district: str, event_id: int, effects: Sequence[FollowUpEffect], now: datetime | None = None
) -> list[int]:
    """The follow-ups a case's move opens, closes, pauses or cancels, written in the move's transaction."""
    if not effects:
        return []
    now = now or datetime.now(UTC)
    case = await _case_facts(case_id, event_id, effects)
    changes = changes_for(effects, case, now, await settings_for(district), config.display_timezone)
    return await apply_changes(case_id, district, changes, now)


async def task_dispatched(task_id: int, case_id: int | None, district: str, broker: int, due_on: Any) -> list[int]:
    """A dispatched task's due date: its broker is told the morning after, then the officers."""
    if case_id is None:
        return []  # the ladder speaks of a case; a task on an enterprise alone is the officer's to chase
    due = morning_of(next_working_day(due_on), config.display_timezone)
    opening = Opening(FollowUpKind.TASK_DUE, f"task:{task_id}", due, task_id, broker)
    return await _open(case_id, district, [opening])


async def task_finished(task_id: int, now: datetime | None = None) -> list[int]:
    """A task was completed or cancelled: the follow-ups it answers are done; a visit opens the next one."""
    now = now or datetime.now(UTC)
    answered = (
        await FollowUp.update(
            {FollowUp.state: FollowUpState.DONE, FollowUp.closed_at: now, FollowUp.version: FollowUp.version + 1}
        )
        .where(
            (FollowUp.follows == task_id)
            & FollowUp.kind.is_in(list(_TASK_KINDS))
            & FollowUp.state.is_in([*OPEN_STATES, FollowUpState.ESCALATED])
        )
        .returning(FollowUp.case, FollowUp.district, FollowUp.kind, FollowUp.assignee)
    )
    opened: list[int] = []
    for row in answered:
        if row["kind"] != FollowUpKind.VISIT:
            continue
        case = await Case.select(Case.state).where(Case.id == row["case"]).first()
        if case is not None and case["state"] == CaseState.IN_PROGRESS:
            settings = await settings_for(row["district"])
            visit = next_visit(row["case"], now, settings, config.display_timezone, row["assignee"])
            opened += await _open(row["case"], row["district"], [visit])
    return opened


async def measure_moved(measure_id: int, status: str, now: datetime | None = None) -> None:
    """A measure done or dropped needs no reminder and no overdue alert any more."""
    if status in ("done", "dropped"):
        where = (FollowUp.follows == measure_id) & FollowUp.kind.is_in(list(_MEASURE_KINDS))
        await _end(where, FollowUpState.DONE, now or datetime.now(UTC), [*OPEN_STATES, FollowUpState.ESCALATED])
