"""The 一企一策 plan's rules: measure statuses and their moves, what a problem or a measure must say,
who may change the plan when, and when a problem may be closed out (销号).

Pure: no web, database or queue. `today` is the bureau's date (Asia/Shanghai), passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from accounts.policy import Actor, Role
from casework.confirmations.rules import ConfirmationFacts, covers
from casework.states import CaseState
from core.errors import Conflict, Invalid, NotAllowed
from core.text import fold_width, normalise_lines, normalise_text


class MeasureStatus(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]

    @property
    def is_final(self) -> bool:
        return self in FINAL


_STATUS_LABELS = {
    MeasureStatus.TODO: "To do",
    MeasureStatus.DOING: "Doing",
    MeasureStatus.DONE: "Done",
    MeasureStatus.DROPPED: "Dropped",
}

# Done and dropped are final: a problem whose measures are all final may be closed out, and
# nothing may then reopen one of them behind the close-out's back.
FINAL = frozenset({MeasureStatus.DONE, MeasureStatus.DROPPED})

MOVES: Mapping[MeasureStatus, frozenset[MeasureStatus]] = {
    MeasureStatus.TODO: frozenset({MeasureStatus.DOING, MeasureStatus.DROPPED}),
    MeasureStatus.DOING: frozenset({MeasureStatus.DONE, MeasureStatus.DROPPED}),
    MeasureStatus.DONE: frozenset(),
    MeasureStatus.DROPPED: frozenset(),
}


class Owner(StrEnum):
    """Who carries a measure out."""

    EXPERT = "expert"
    BROKER = "broker"
    BUREAU = "bureau"
    AGENCY = "agency"  # another agency, named in `owner_name`
    ENTERPRISE = "enterprise"

    @property
    def label(self) -> str:
        return _OWNER_LABELS[self]


_OWNER_LABELS = {
    Owner.EXPERT: "The expert",
    Owner.BROKER: "The broker",
    Owner.BUREAU: "The bureau",
    Owner.AGENCY: "Another agency",
    Owner.ENTERPRISE: "The enterprise",
}

MAX_TITLE = 200
MAX_OWNER_NAME = 200
MAX_TEXT = 4000
MAX_DIAGNOSIS = 20000
# A due date further away than this is a typing slip (2062 for 2026), not a plan.
MAX_DUE_AHEAD = timedelta(days=5 * 366)


def moves_from(status: MeasureStatus) -> list[MeasureStatus]:
    """The statuses a measure may move to next, in the order a page offers them."""
    return [s for s in MeasureStatus if s in MOVES[status]]


def check_move(current: MeasureStatus, target: str, drop_reason: str = "") -> MeasureStatus:
    """The status a measure moves to, or the error that forbids the move."""
    if target not in MeasureStatus.__members__.values():
        raise Invalid({"status": "Choose a status."})
    status = MeasureStatus(target)
    if status not in MOVES[current]:
        raise Invalid({"status": "The measure cannot move to this status from its current one."})
    if status is MeasureStatus.DROPPED and not normalise_text(drop_reason):
        raise Invalid({"drop_reason": "Give the reason the measure is dropped."})
    return status


def read_date(text: str) -> date | None:
    """A date typed as YYYY-MM-DD (full-width digits allowed), or None."""
    try:
        return date.fromisoformat(fold_width(text))
    except ValueError:
        return None


@dataclass(frozen=True)
class MeasureInput:
    description: str
    owner: Owner
    owner_name: str
    due_on: date


def read_measure(form: Mapping[str, str], today: date, previous_due: date | None = None) -> MeasureInput:
    """A measure as typed, checked; `previous_due` is its due date before an edit, which may have passed."""
    errors: dict[str, str] = {}
    description = normalise_lines(form.get("description", ""))
    if not description:
        errors["description"] = "Describe the measure."
    elif len(description) > MAX_TEXT:
        errors["description"] = "This text is too long."
    owner_text = form.get("owner", "")
    owner = Owner(owner_text) if owner_text in Owner.__members__.values() else None
    if owner is None:
        errors["owner"] = "Choose who carries the measure out."
    owner_name = normalise_text(form.get("owner_name", ""))
    if owner is Owner.AGENCY and not owner_name:
        errors["owner_name"] = "Name the agency."
    elif len(owner_name) > MAX_OWNER_NAME:
        errors["owner_name"] = "This text is too long."
    due_text = form.get("due_on", "")
    due_on = read_date(due_text)
    if not fold_width(due_text):
        errors["due_on"] = "Give the due date."
    elif due_on is None:
        errors["due_on"] = "Give the date as YYYY-MM-DD."
    elif due_on != previous_due and due_on < today:
        # A date already agreed may pass while the plan is revised; a new or changed one may not.
        errors["due_on"] = "The due date cannot be in the past."
    elif due_on != previous_due and due_on > today + MAX_DUE_AHEAD:
        errors["due_on"] = "The due date is too far ahead."
    if errors or owner is None or due_on is None:
        raise Invalid(errors)
    return MeasureInput(description, owner, owner_name, due_on)


@dataclass(frozen=True)
class ProblemInput:
    title: str
    description: str


def read_problem(form: Mapping[str, str]) -> ProblemInput:
    errors: dict[str, str] = {}
    title = normalise_text(form.get("title", ""))
    description = normalise_lines(form.get("description", ""))
    if not title:
        errors["title"] = "Give the problem a title."
    elif len(title) > MAX_TITLE:
        errors["title"] = "This text is too long."
    if len(description) > MAX_TEXT:
        errors["description"] = "This text is too long."
    if errors:
        raise Invalid(errors)
    return ProblemInput(title, description)


def read_diagnosis(text: str) -> str:
    diagnosis = normalise_lines(text)
    if len(diagnosis) > MAX_DIAGNOSIS:
        raise Invalid({"diagnosis": "This text is too long."})
    return diagnosis


def read_evidence_note(text: str) -> str:
    note = normalise_lines(text)
    if len(note) > MAX_TEXT:
        raise Invalid({"evidence_note": "This text is too long."})
    return note


# --- Who may change the plan, and when ---------------------------------------------------------

DIAGNOSIS_STATES = frozenset({CaseState.DIAGNOSING, CaseState.PLANNING})
WRITING_STATES = frozenset({CaseState.PLANNING})
# After approval the plan is carried out: measures move, evidence is kept, problems are closed out.
CARRYING_OUT_STATES = frozenset({CaseState.PLAN_APPROVED, CaseState.IN_PROGRESS})
_OFFICERS = frozenset({Role.DISTRICT_OFFICER, Role.CITY_OFFICER})


@dataclass(frozen=True)
class PlanCase:
    """What the plan's rules need to know of its case."""

    state: CaseState
    lead_expert: int | None  # user id of the expert holding the accepted lead assignment
    awaiting_decision: bool  # a submitted version awaits the officer's decision


def _check_lead_expert(actor: Actor, case: PlanCase) -> None:
    if actor.role is not Role.EXPERT or case.lead_expert != actor.user_id:
        raise NotAllowed("Only the lead expert writes the plan.")


def check_may_write_diagnosis(actor: Actor, case: PlanCase) -> None:
    _check_lead_expert(actor, case)
    if case.state not in DIAGNOSIS_STATES:
        raise Conflict("The diagnosis can be written only while the case is diagnosed or planned.")
    if case.awaiting_decision:
        raise Conflict("The plan awaits the officer's decision and cannot be changed now.")


def check_may_write_plan(actor: Actor, case: PlanCase) -> None:
    _check_lead_expert(actor, case)
    if case.state not in WRITING_STATES:
        raise Conflict("Problems and measures can be changed only while the plan is being written.")
    if case.awaiting_decision:
        raise Conflict("The plan awaits the officer's decision and cannot be changed now.")


def may_record_progress_as(actor: Actor, case: PlanCase, owner: Owner) -> bool:
    """The lead expert and officers update any measure; a broker those the broker owns."""
    if actor.role in _OFFICERS:
        return True
    if actor.role is Role.EXPERT:
        return case.lead_expert == actor.user_id
    return actor.role is Role.BROKER and owner is Owner.BROKER


def check_may_record_progress(actor: Actor, case: PlanCase, owner: Owner) -> None:
    if not may_record_progress_as(actor, case, owner):
        raise NotAllowed("You may not update this measure.")
    if case.state not in CARRYING_OUT_STATES:
        raise Conflict("Progress is recorded once the plan is approved.")


def check_may_close_out(actor: Actor, case: PlanCase) -> None:
    """The broker records the founder's confirmation at a visit, and with it closes problems out."""
    if actor.role is not Role.BROKER:
        raise NotAllowed("Only the broker records the founder's confirmation.")
    if case.state not in CARRYING_OUT_STATES:
        raise Conflict("Problems are closed out once the plan is approved.")


def permitted(check: Callable[..., None], *args: object) -> bool:
    """Whether a `check_may_*` passes: what a page asks to show a form or not."""
    try:
        check(*args)
    except (NotAllowed, Conflict):
        return False
    return True


# --- Closing a problem out ----------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemFacts:
    id: int
    closed_out: bool
    statuses: tuple[MeasureStatus, ...]


def ready_to_close_out(problem: ProblemFacts) -> bool:
    """Open, and every measure done or dropped (a problem with no measure needs only the confirmation)."""
    return not problem.closed_out and all(s in FINAL for s in problem.statuses)


def read_problem_ids(values: Iterable[str | int]) -> frozenset[int]:
    """Problem ids as a form sends them; anything not a positive number is ignored."""
    ids = set()
    for value in values:
        text = str(value).strip()
        if text.isdigit() and 0 < int(text) < 2**31:
            ids.add(int(text))
    return frozenset(ids)


def check_ready(problems: Mapping[int, ProblemFacts], chosen: frozenset[int]) -> None:
    """The chosen problems may be closed out once the founder confirms (before a code is sent)."""
    if not chosen:
        raise Invalid({"problems": "Choose the problems to close out."})
    if any(p not in problems for p in chosen):
        raise Invalid({"problems": "A chosen problem is not part of this plan."})
    if any(problems[p].closed_out for p in chosen):
        raise Invalid({"problems": "A chosen problem is already closed out."})
    if not all(ready_to_close_out(problems[p]) for p in chosen):
        raise Invalid({"problems": "Every measure of a problem must be done or dropped before it is closed out."})


def check_close_out(
    case_id: int,
    problems: Mapping[int, ProblemFacts],
    chosen: frozenset[int],
    confirmation: ConfirmationFacts | None,
) -> None:
    """A problem is closed out only with its measures final and the founder's confirmation of it."""
    check_ready(problems, chosen)
    if confirmation is None:
        raise Invalid({"confirmation": "The founder's confirmation is needed to close a problem out."})
    if confirmation.case_id != case_id:
        raise Invalid({"confirmation": "This confirmation was given for another case."})
    if confirmation.confirmed_at is None:
        raise Invalid({"confirmation": "The founder has not confirmed yet."})
    if not covers(confirmation, chosen):
        raise Invalid({"confirmation": "The founder's confirmation does not cover the chosen problems."})
