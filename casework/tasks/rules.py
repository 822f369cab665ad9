"""Broker tasks' rules: their kinds and states, who may dispatch, complete or cancel one, and what each needs.

Pure: no web, database or queue; `today` (in the bureau's time zone) is passed in. One row of
`RULES` per action says from which states, by which roles and relation (the task's broker; officers
are kept to their district by `casework.tasks.access`) to which state; `COMPLETION` says what record
completing each kind of task asks for. Services call the `check_*` functions before writing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from accounts.policy import Actor, Role
from casework.states import ENDED, CaseState
from core.errors import Conflict, Invalid, NotAllowed


class TaskKind(StrEnum):
    VISIT = "visit"
    SURVEY = "survey"
    COLLECT_DOCUMENT = "collect_document"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    TaskKind.VISIT: "Visit",
    TaskKind.SURVEY: "Survey",
    TaskKind.COLLECT_DOCUMENT: "Collect a document",
}


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    TaskStatus.OPEN: "Not done yet",
    TaskStatus.DONE: "Completed",
    TaskStatus.CANCELLED: "Cancelled",
}


class TaskAction(StrEnum):
    DISPATCH = "dispatch"
    COMPLETE = "complete"
    CANCEL = "cancel"


class Relation(StrEnum):
    """Who, within the rule's roles, may act."""

    DISTRICT = "district"  # an officer of the task's district (the city: any district)
    BROKER = "broker"  # the broker the task was dispatched to


class Ask(StrEnum):
    """Whether completing a kind of task asks for a part of the record."""

    REQUIRED = "required"
    OPTIONAL = "optional"
    NO = "no"


_OFFICERS = frozenset({Role.DISTRICT_OFFICER, Role.CITY_OFFICER})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[TaskStatus]  # empty: the action creates the task
    target: TaskStatus
    roles: frozenset[Role]
    relation: Relation
    needs_reason: bool = False


RULES: dict[TaskAction, Rule] = {
    TaskAction.DISPATCH: Rule(frozenset(), TaskStatus.OPEN, _OFFICERS, Relation.DISTRICT),
    TaskAction.COMPLETE: Rule(frozenset({TaskStatus.OPEN}), TaskStatus.DONE, frozenset({Role.BROKER}), Relation.BROKER),
    TaskAction.CANCEL: Rule(
        frozenset({TaskStatus.OPEN}), TaskStatus.CANCELLED, _OFFICERS, Relation.DISTRICT, needs_reason=True
    ),
}


@dataclass(frozen=True)
class Completion:
    """What completing one kind of task asks for, and what the case's timeline then records."""

    note: Ask
    file: Ask
    confirmation: Ask
    file_purpose: str  # the attachment's purpose: a visit's photo, a collected document
    note_message: str  # what to say when a required note is missing
    case_events: tuple[str, ...]  # CaseEvent kinds written when the task is tied to a case
    needs_case: bool = False  # a file belongs to a case: the task must be tied to one
    answers: Ask = Ask.NO  # the enterprise's outcomes (`enterprises.outcomes`), kept as an OutcomeSnapshot


COMPLETION: dict[TaskKind, Completion] = {
    TaskKind.VISIT: Completion(
        note=Ask.REQUIRED,
        file=Ask.OPTIONAL,
        confirmation=Ask.OPTIONAL,
        file_purpose="photo",
        note_message="Write what you saw and agreed at the visit.",
        case_events=("task_done", "visit"),
    ),
    # A survey's answers are the form's fields; the note is what else the founder said.
    TaskKind.SURVEY: Completion(
        note=Ask.OPTIONAL,
        file=Ask.NO,
        confirmation=Ask.NO,
        file_purpose="document",
        note_message="",
        case_events=("task_done",),
        answers=Ask.REQUIRED,
    ),
    TaskKind.COLLECT_DOCUMENT: Completion(
        note=Ask.OPTIONAL,
        file=Ask.REQUIRED,
        confirmation=Ask.NO,
        file_purpose="document",
        note_message="",
        case_events=("task_done",),
        needs_case=True,
    ),
}

CASE_ENDED = "This case has ended; it takes no new tasks."

MAX_INSTRUCTIONS = 2000
MAX_RECORD = 4000

NOT_OPEN = {
    TaskStatus.DONE: "This task is already done.",
    TaskStatus.CANCELLED: "This task was cancelled.",
}
DOCUMENT_NEEDS_CASE = "A collected document is kept with a case: dispatch this task from the case's page."
CONFIRMATION_AT_VISIT = "A founder's confirmation is taken at a visit tied to a case."
NO_FILE_WITHOUT_CASE = "This task is not tied to a case, so it cannot keep a file."


@dataclass(frozen=True)
class TaskFacts:
    """What the rules need to know of a task."""

    kind: TaskKind
    status: TaskStatus
    district: str
    broker: int
    has_case: bool


@dataclass(frozen=True)
class DispatchDraft:
    """What an officer gives to dispatch a task, with what the service found of its target and broker."""

    kind: str
    due_on: date | None
    instructions: str
    district: str  # the district of the case or enterprise the task is about
    has_case: bool
    case_state: CaseState | None = None
    broker_given: bool = True
    broker_district: str | None = None  # None: no active broker with that id


@dataclass(frozen=True)
class Record:
    """What a broker gives to complete a task."""

    note: str = ""
    has_file: bool = False
    has_confirmation: bool = False


def _in_district(actor: Actor, district: str) -> bool:
    return actor.role is Role.CITY_OFFICER or (actor.role is Role.DISTRICT_OFFICER and actor.district == district)


def _permitted(rule: Rule, actor: Actor, district: str, broker: int | None) -> bool:
    if actor.role not in rule.roles:
        return False
    if rule.relation is Relation.BROKER:
        return broker == actor.user_id
    return _in_district(actor, district)


def case_takes_tasks(case_state: str | None) -> bool:
    """Whether new tasks may be dispatched about a case in this state (None: a task about an enterprise alone).

    An ended case takes no new work: a merged one lives on in the case it joined, and a closed one
    that needs more is reopened first.
    """
    return case_state not in ENDED


def check_dispatch(draft: DispatchDraft, actor: Actor, today: date) -> TaskKind:
    """The kind of the task to dispatch, or the domain error that forbids it (each field's message at once)."""
    if not _permitted(RULES[TaskAction.DISPATCH], actor, draft.district, None):
        raise NotAllowed("You may not dispatch tasks here.")
    if not case_takes_tasks(draft.case_state):
        raise Conflict(CASE_ENDED)
    errors: dict[str, str] = {}
    if draft.kind not in TaskKind.__members__.values():
        errors["kind"] = "Choose the kind of task."
    elif COMPLETION[TaskKind(draft.kind)].needs_case and not draft.has_case:
        errors["kind"] = DOCUMENT_NEEDS_CASE
    if draft.due_on is None:
        errors["due_on"] = "Give the date the task is due by."
    elif draft.due_on < today:
        errors["due_on"] = "A task cannot be due in the past: choose today or a later day."
    if not draft.instructions.strip():
        errors["instructions"] = "Say what the broker should do."
    elif len(draft.instructions) > MAX_INSTRUCTIONS:
        errors["instructions"] = "Keep the instructions under 2000 characters."
    if not draft.broker_given or draft.broker_district is None:
        errors["broker_id"] = "Choose an active broker from the list."
    elif draft.broker_district != draft.district:
        errors["broker_id"] = "This broker works in another district; choose one of the enterprise's district."
    if errors:
        raise Invalid(errors)
    return TaskKind(draft.kind)


def _check_open(rule: Rule, task: TaskFacts) -> None:
    if task.status not in rule.sources:
        raise Conflict(NOT_OPEN.get(task.status, "This task is not open."))


def check_completion(task: TaskFacts, actor: Actor, record: Record) -> Completion:
    """What completing the task records, or the domain error that forbids it."""
    rule = RULES[TaskAction.COMPLETE]
    if not _permitted(rule, actor, task.district, task.broker):
        raise NotAllowed("Only the broker the task was given to may complete it.")
    _check_open(rule, task)
    asks = COMPLETION[task.kind]
    errors: dict[str, str] = {}
    if asks.note is Ask.REQUIRED and not record.note.strip():
        errors["note"] = asks.note_message
    elif len(record.note) > MAX_RECORD:
        errors["note"] = "Keep the note under 4000 characters."
    if record.has_file and (asks.file is Ask.NO or not task.has_case):
        errors["file"] = NO_FILE_WITHOUT_CASE if asks.file is not Ask.NO else "This kind of task takes no file."
    elif asks.file is Ask.REQUIRED and not record.has_file:
        errors["file"] = "Upload the document you collected."
    if record.has_confirmation and (asks.confirmation is Ask.NO or not task.has_case):
        errors["confirmation"] = CONFIRMATION_AT_VISIT
    if errors:
        raise Invalid(errors)
    return asks


def check_confirmable(task: TaskFacts, actor: Actor) -> None:
    """Nothing if the broker may take the founder's confirmation for this task now, else the domain error."""
    rule = RULES[TaskAction.COMPLETE]
    if not _permitted(rule, actor, task.district, task.broker):
        raise NotAllowed("Only the broker the task was given to may complete it.")
    _check_open(rule, task)
    if COMPLETION[task.kind].confirmation is Ask.NO or not task.has_case:
        raise Invalid({"confirmation": CONFIRMATION_AT_VISIT})


def may_take_confirmation(task: TaskFacts, actor: Actor) -> bool:
    """Whether the broker may take the founder's confirmation for this task now (`check_confirmable` says why not)."""
    rule = RULES[TaskAction.COMPLETE]
    return (
        task.status in rule.sources
        and _permitted(rule, actor, task.district, task.broker)
        and COMPLETION[task.kind].confirmation is not Ask.NO
        and task.has_case
    )


def check_cancel(task: TaskFacts, actor: Actor, reason: str) -> None:
    """Nothing if the officer may cancel the task with this reason, else the domain error."""
    rule = RULES[TaskAction.CANCEL]
    if not _permitted(rule, actor, task.district, task.broker):
        raise NotAllowed("You may not cancel this task.")
    _check_open(rule, task)
    if not reason.strip():
        raise Invalid({"reason": "Please give a reason."})


def available_actions(task: TaskFacts, actor: Actor) -> list[TaskAction]:
    """The actions `actor` may take on the task now, in the order the page offers them."""
    return [
        action
        for action, rule in RULES.items()
        if task.status in rule.sources and _permitted(rule, actor, task.district, task.broker)
    ]


def is_overdue(status: str, due_on: date, today: date) -> bool:
    """An open task whose due date has passed."""
    return status == TaskStatus.OPEN and due_on < today


def parse_due_on(text: str) -> date | None:
    """A date as the form's date field sends it (YYYY-MM-DD); None when missing or malformed."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_id(text: object) -> int | None:
    """A row id typed into a form; None when missing or not a positive 4-byte integer."""
    value = str(text or "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


def kind_options() -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in TaskKind]


def status_options() -> list[tuple[str, str]]:
    return [(status.value, status.label) for status in TaskStatus]


def completion_asks(kind: str) -> Mapping[str, str]:
    """What a kind's completion form shows: each part and whether it is asked (for templates)."""
    asks = COMPLETION[TaskKind(kind)]
    return {
        "note": asks.note,
        "file": asks.file,
        "confirmation": asks.confirmation,
        "purpose": asks.file_purpose,
        "answers": asks.answers,
    }
