"""Follow-ups' rules: what each workflow effect opens or closes, when each kind falls due, whom it tells.

Pure: no web, database or queue; `now` is given. A follow-up acts when it falls due and then
climbs its ladder: the first act (a reminder, an offer's lapse, a task opened for the broker) and,
while what it follows is still not done, an escalation every `escalate_after_working_days`
working days — the assignee, then the district's officers, then the city's officers.
Deadlines are counted in mainland Chinese working days (`core.working_days`), in Beijing time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from casework.workflow import CaseState, FollowUpEffect
from core.working_days import (
    add_working_days,
    at_local,
    deadline_after,
    next_working_day,
    working_day_on_or_after,
    working_days_before,
)


class FollowUpKind(StrEnum):
    TRIAGE_DUE = "triage_due"
    OFFER_DEADLINE = "offer_deadline"
    PLAN_REVIEW_DUE = "plan_review_due"
    MEASURE_REMINDER = "measure_reminder"
    MEASURE_OVERDUE = "measure_overdue"
    VISIT = "visit"
    OUTCOME_SURVEY = "outcome_survey"
    TASK_DUE = "task_due"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    FollowUpKind.TRIAGE_DUE: "Triage due",
    FollowUpKind.OFFER_DEADLINE: "Offer deadline",
    FollowUpKind.PLAN_REVIEW_DUE: "Plan review due",
    FollowUpKind.MEASURE_REMINDER: "Measure reminder",
    FollowUpKind.MEASURE_OVERDUE: "Measure overdue",
    FollowUpKind.VISIT: "Periodic visit",
    FollowUpKind.OUTCOME_SURVEY: "Outcome survey",
    FollowUpKind.TASK_DUE: "Task due",
}


class FollowUpState(StrEnum):
    PENDING = "pending"  # waits for its due time
    PAUSED = "paused"  # its case is on hold; the time left is kept
    DONE = "done"  # what it followed happened, or its single act was made
    ESCALATED = "escalated"  # it climbed its whole ladder; only what it follows can close it now
    CANCELLED = "cancelled"  # no longer needed: the case ended, the offer was answered …


OPEN_STATES = frozenset({FollowUpState.PENDING, FollowUpState.PAUSED})


class Rung(StrEnum):
    """Who is told at one step of a follow-up."""

    ASSIGNEE = "assignee"
    DISTRICT_OFFICERS = "district_officers"
    CITY_OFFICERS = "city_officers"


class FirstAct(StrEnum):
    """What a follow-up does when it first falls due, besides telling its first rung."""

    TELL = "tell"
    LAPSE_OFFER = "lapse_offer"  # the offer lapses; the case returns to the officers' queue
    OPEN_TASK = "open_task"  # a visit or survey task for the enterprise's broker


@dataclass(frozen=True)
class KindRule:
    first: FirstAct
    ladder: tuple[Rung, ...]  # whom each act tells, in order; its length is how often it acts


_FULL = (Rung.ASSIGNEE, Rung.DISTRICT_OFFICERS, Rung.CITY_OFFICERS)
RULES: dict[FollowUpKind, KindRule] = {
    # The officers are the assignees of triage and plan review: the city is the next rung.
    FollowUpKind.TRIAGE_DUE: KindRule(FirstAct.TELL, (Rung.DISTRICT_OFFICERS, Rung.CITY_OFFICERS)),
    FollowUpKind.PLAN_REVIEW_DUE: KindRule(FirstAct.TELL, (Rung.DISTRICT_OFFICERS, Rung.CITY_OFFICERS)),
    # An offer acts once: it lapses, and the expert and the officers are told.
    FollowUpKind.OFFER_DEADLINE: KindRule(FirstAct.LAPSE_OFFER, (Rung.DISTRICT_OFFICERS,)),
    FollowUpKind.MEASURE_REMINDER: KindRule(FirstAct.TELL, (Rung.ASSIGNEE,)),
    FollowUpKind.MEASURE_OVERDUE: KindRule(FirstAct.TELL, _FULL),
    # A visit or survey first opens the broker's task; the ladder starts when the task is overdue.
    FollowUpKind.VISIT: KindRule(FirstAct.OPEN_TASK, _FULL),
    FollowUpKind.OUTCOME_SURVEY: KindRule(FirstAct.OPEN_TASK, _FULL),
    FollowUpKind.TASK_DUE: KindRule(FirstAct.TELL, _FULL),
}


class OfferLapse(StrEnum):
    """What becomes of a case whose offer lapsed: a district's choice."""

    QUEUE = "queue"  # back to the officers' queue of triaged cases
    NEXT = "next"  # offered to the next ranked expert, if there is one

    @property
    def label(self) -> str:
        return _LAPSE_LABELS[self]


_LAPSE_LABELS = {
    OfferLapse.QUEUE: "Return it to the queue for assignment",
    OfferLapse.NEXT: "Offer it to the next recommended expert",
}


SURVEY_MONTHS = (3, 6, 12)
MORNING = time(9, 0)  # reminders and due dates land at the start of a working day


@dataclass(frozen=True)
class Settings:
    """A district's follow-up settings (`casework_district_setting`, or these defaults)."""

    offer_working_days: int = 3
    offer_minutes: int | None = None  # a short deadline for demonstrations and training
    triage_working_days: int = 2
    plan_review_working_days: int = 3
    escalate_after_working_days: int = 1
    measure_remind_working_days: int = 1
    visit_every_days: int = 30
    task_working_days: int = 5
    on_offer_lapse: str = OfferLapse.QUEUE.value  # an `OfferLapse` value


DEFAULTS = Settings()


@dataclass(frozen=True)
class MeasureFacts:
    id: int
    due_on: date
    status: str


@dataclass(frozen=True)
class Opening:
    """A follow-up to open: written with the change that implies it."""

    kind: FollowUpKind
    key: str
    due_at: datetime
    follows: int | None = None
    assignee: int | None = None
    data: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Changes:
    """What one transition does to a case's follow-ups."""

    open: tuple[Opening, ...] = ()
    close: frozenset[FollowUpKind] = frozenset()  # pending ones of these kinds are done
    cancel: frozenset[FollowUpKind] = frozenset()
    pause: bool = False
    resume: bool = False


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need of a case after its move."""

    case_id: int
    event_id: int
    state: CaseState
    filer: int | None = None
    offer: tuple[int, int | None] | None = None  # (assignment id, expert's user) of the open offer
    lead_expert: int | None = None
    measures: tuple[MeasureFacts, ...] = ()


_E = FollowUpEffect
_CLOSES = {
    _E.CLOSE_TRIAGE_CLOCK: FollowUpKind.TRIAGE_DUE,
    _E.CLOSE_OFFER_DEADLINE: FollowUpKind.OFFER_DEADLINE,
    _E.CLOSE_PLAN_REVIEW_CLOCK: FollowUpKind.PLAN_REVIEW_DUE,
}
_ALL = frozenset(FollowUpKind)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day (31 Aug + 6 → 28 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    following = date(year + month // 12, month % 12 + 1, 1)
    return min(day.replace(year=year, month=month, day=1) + timedelta(days=day.day - 1), following - timedelta(days=1))


def morning_of(day: date, zone: tzinfo) -> datetime:
    """The start of the first working day on or after `day`."""
    return at_local(working_day_on_or_after(day), MORNING, zone)


def offer_deadline(now: datetime, settings: Settings, zone: tzinfo) -> datetime:
    if settings.offer_minutes:
        return now + timedelta(minutes=settings.offer_minutes)
    return deadline_after(now, settings.offer_working_days, zone)


def measure_openings(
    case_id: int,
    measures: Iterable[MeasureFacts],
    lead_expert: int | None,
    now: datetime,
    settings: Settings,
    zone: tzinfo,
) -> list[Opening]:
    """A reminder before each open measure's due date (unless already past) and an alert the day after it."""
    openings = []
    for measure in measures:
        if measure.status not in ("todo", "doing"):
            continue
        remind = at_local(working_days_before(measure.due_on, settings.measure_remind_working_days), MORNING, zone)
        if remind > now:
            key = f"measure-reminder:{measure.id}:{measure.due_on.isoformat()}"
            openings.append(Opening(FollowUpKind.MEASURE_REMINDER, key, remind, measure.id, lead_expert))
        overdue = at_local(next_working_day(measure.due_on), MORNING, zone)
        key = f"measure-overdue:{measure.id}:{measure.due_on.isoformat()}"
        openings.append(Opening(FollowUpKind.MEASURE_OVERDUE, key, max(overdue, now), measure.id, lead_expert))
    return openings


def next_visit(case_id: int, after: datetime, settings: Settings, zone: tzinfo, filer: int | None) -> Opening:
    """The visit `visit_every_days` after `after` (keyed by its day, so a cycle restarted the same day is one)."""
    due = morning_of((after.astimezone(zone) + timedelta(days=settings.visit_every_days)).date(), zone)
    return Opening(FollowUpKind.VISIT, f"visit:{case_id}:{due.date().isoformat()}", due, assignee=filer)


def changes_for(
    effects: Iterable[FollowUpEffect], case: CaseFacts, now: datetime, settings: Settings, zone: tzinfo
) -> Changes:
    """The follow-ups a transition's effects open, close, cancel, pause or resume."""
    opened: list[Opening] = []
    close: set[FollowUpKind] = set()
    cancel: set[FollowUpKind] = set()
    pause = resume = False
    cid, event = case.case_id, case.event_id
    for effect in effects:
        if effect in _CLOSES:
            close.add(_CLOSES[effect])
        elif effect is _E.OPEN_TRIAGE_CLOCK:
            due = deadline_after(now, settings.triage_working_days, zone)
            opened.append(Opening(FollowUpKind.TRIAGE_DUE, f"triage:{cid}:{event}", due))
        elif effect is _E.OPEN_PLAN_REVIEW_CLOCK:
            due = deadline_after(now, settings.plan_review_working_days, zone)
            opened.append(Opening(FollowUpKind.PLAN_REVIEW_DUE, f"plan-review:{cid}:{event}", due))
        elif effect is _E.OPEN_OFFER_DEADLINE and case.offer is not None:
            assignment, expert_user = case.offer
            due = offer_deadline(now, settings, zone)
            opened.append(Opening(FollowUpKind.OFFER_DEADLINE, f"offer:{assignment}", due, assignment, expert_user))
        elif effect is _E.START_MEASURE_REMINDERS:
            opened.extend(measure_openings(cid, case.measures, case.lead_expert, now, settings, zone))
        elif effect is _E.START_VISIT_CYCLE:
            opened.append(next_visit(cid, now, settings, zone, case.filer))
        elif effect is _E.CANCEL_VISIT_CYCLE:
            cancel.add(FollowUpKind.VISIT)
        elif effect is _E.SCHEDULE_OUTCOME_SURVEYS:
            today = now.astimezone(zone).date()
            for months in SURVEY_MONTHS:
                due = morning_of(add_months(today, months), zone)
                key = f"survey:{cid}:{months}:{today.isoformat()}"
                opened.append(
                    Opening(FollowUpKind.OUTCOME_SURVEY, key, due, assignee=case.filer, data={"months": months})
                )
        elif effect is _E.PAUSE_CLOCKS:
            pause = True
        elif effect is _E.RESUME_CLOCKS:
            resume = True
        elif effect is _E.CANCEL_ALL:
            cancel |= _ALL
    return Changes(tuple(opened), frozenset(close), frozenset(cancel), pause, resume)


@dataclass(frozen=True)
class Act:
    """What a follow-up does at its current step, and when it next falls due (None: it has finished)."""

    first: FirstAct | None  # only at step 0
    rung: Rung | None  # whom it tells; None when this act tells no one (a task opened)
    next_due: datetime | None
    finished_state: FollowUpState | None  # the state it ends in after this act, if it ends
    task_due_on: date | None = None  # the due date of the task it opens, when it opens one


# A case in these states no longer needs anything that was due (surveys go on after a case closes).
_GONE = frozenset({CaseState.DECLINED, CaseState.WITHDRAWN, CaseState.MERGED})


def is_moot(kind: FollowUpKind, case_state: CaseState) -> bool:
    """Whether a follow-up that fell due must be cancelled rather than act: its case was withdrawn meanwhile."""
    if case_state in _GONE:
        return True
    if kind is FollowUpKind.OUTCOME_SURVEY:
        return False
    if kind is FollowUpKind.OFFER_DEADLINE:
        return case_state is not CaseState.ASSIGNED
    return case_state is CaseState.CLOSED and kind is not FollowUpKind.TASK_DUE


def act_at(kind: FollowUpKind, step: int, now: datetime, settings: Settings, zone: tzinfo) -> Act:
    """What a follow-up of `kind` that has acted `step` times does now."""
    rule = RULES[kind]
    escalate = deadline_after(now, settings.escalate_after_working_days, zone)
    if step == 0 and rule.first is FirstAct.OPEN_TASK:
        # The task's own due date is the next step: its first rung is the broker, told it is overdue.
        task_due = task_due_on(now, settings, zone)
        return Act(FirstAct.OPEN_TASK, None, at_local(next_working_day(task_due), MORNING, zone), None, task_due)
    # A task-opening kind's ladder is told from step 1; the others from step 0.
    index = step - 1 if rule.first is FirstAct.OPEN_TASK else step
    if index >= len(rule.ladder):
        return Act(None, None, None, FollowUpState.ESCALATED)
    last = index == len(rule.ladder) - 1
    first = rule.first if step == 0 else None
    if last:
        single = len(rule.ladder) == 1 and rule.first is not FirstAct.OPEN_TASK
        return Act(first, rule.ladder[index], None, FollowUpState.DONE if single else FollowUpState.ESCALATED)
    return Act(first, rule.ladder[index], escalate, None)


def task_due_on(now: datetime, settings: Settings, zone: tzinfo) -> date:
    """The due date of a visit or survey task opened now."""
    return add_working_days(now.astimezone(zone).date(), settings.task_working_days)


def resumed_due(due_at: datetime, paused_at: datetime, now: datetime) -> datetime:
    """A paused follow-up's due time once its case resumes: the time it had left is kept."""
    return due_at + max(now - paused_at, timedelta(0))
