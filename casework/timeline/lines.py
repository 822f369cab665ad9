"""How each kind of event reads as one line of a case's timeline.

Pure: no web, database or queue. `describe` turns an event's kind, states and data into a `Line`:
an English message id, the values to fill into it (names, numbers, dates as given) and the labels
to translate first. Every feature of casework appends its own kinds; a kind this table does not
know, or data of a shape it did not expect, still reads as a generic line, never as an error.

The data keys each line reads (all optional):

- transitions: `submit` `answered`; `merge` survivor `case`; `hold` `resume_on`; `assign`
  `expert_name`; `submit_plan`, `approve_plan`, `return_plan` `version`; `close` `outcome`.
- `merged` `case` (the case merged into this one); `notified` `count` or `users` (ids), `event`
  (the id of the event told of) and `transition` (its kind);
  `attachment` `attachment`, `name`, `purpose`; `reveal` `fields`; `plan_edited` `change`;
  `measure_updated` `to` (its new status) or `evidence` with `attachment`; `problem_closed_out`
  `title`; `confirmation_*` `method` (code, signature), `reason` (a failed code's verdict),
  `attachment` (a signature); `task_*` `task_kind`, `attachment`; `offer_*` `expert_name`.

`fold_notices` folds each `notified` event (written by the notification job after the event it
tells of) into that event's line, so the timeline is not every other line "notified those concerned".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from casework.attachments.kinds import Purpose
from casework.states import CaseState, Outcome, Transition


class Group(StrEnum):
    """What an event is about, for the page to style its line."""

    TRANSITION = "transition"
    NOTE = "note"
    ATTACHMENT = "attachment"
    REVEAL = "reveal"
    PLAN = "plan"
    CONFIRMATION = "confirmation"
    TASK = "task"
    OFFER = "offer"
    NOTICE = "notice"
    OTHER = "other"


@dataclass(frozen=True)
class Line:
    text: str  # an English message id
    values: Mapping[str, str] = field(default_factory=dict)  # filled in as given
    labels: Mapping[str, str] = field(default_factory=dict)  # message ids, translated before filling in
    group: Group = Group.OTHER
    state: str = ""  # the label of the state the case moved to, if it moved
    attachment: int | None = None  # the file the line links to

    def render(self, translate: Callable[[str], str]) -> str:
        """The line in the language of `translate` (a message id -> text function)."""
        params = {**self.values, **{name: translate(label) for name, label in self.labels.items()}}
        # Only the translated template is parsed for {placeholders}: values typed by users are not.
        return translate(self.text).format(**params) if params else translate(self.text)


Data = Mapping[str, Any]


def _int(data: Data, key: str) -> str | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return str(value)


def _text(data: Data, key: str, limit: int = 200) -> str | None:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def _either(data: Data, key: str, with_value: str, without: str, group: Group, kind: str = "int") -> Line:
    """`with_value` filled with data[key] when the data has it, else `without`."""
    value = _int(data, key) if kind == "int" else _text(data, key)
    if value is None:
        return Line(without, group=group)
    return Line(with_value, values={key: value}, group=group)


# Past-tense lines of the workflow's transitions; those with data of their own are in _SPECIAL.
TRANSITION_LINES: dict[Transition, str] = {
    Transition.SUBMIT: "Submitted the case",
    Transition.RETURN_TO_BROKER: "Returned the case to the broker with a question",
    Transition.TRIAGE: "Accepted the case for support",
    Transition.DECLINE: "Declined the case",
    Transition.MERGE: "Merged the case into another case",
    Transition.WITHDRAW: "Withdrew the case",
    Transition.HOLD: "Put the case on hold",
    Transition.RESUME: "Resumed work on the case",
    Transition.ASSIGN: "Assigned the case to an expert",
    Transition.ACCEPT_ASSIGNMENT: "Accepted the assignment",
    Transition.DECLINE_ASSIGNMENT: "Declined the assignment",
    Transition.WITHDRAW_OFFER: "Withdrew the offer",
    Transition.HAND_BACK: "Handed the case back",
    Transition.START_DIAGNOSIS: "Started the diagnosis",
    Transition.FINISH_DIAGNOSIS: "Finished the diagnosis and started the plan",
    Transition.SUBMIT_PLAN: "Submitted the plan",
    Transition.APPROVE_PLAN: "Approved the plan",
    Transition.RETURN_PLAN: "Returned the plan with comments",
    Transition.START_WORK: "Started work on the plan",
    Transition.START_MONITORING: "Moved the case to monitoring",
    Transition.CLOSE: "Closed the case",
    Transition.REOPEN: "Reopened the case",
}

# Lines of transitions whose data says more: message id with the value -> data key.
_TRANSITION_DETAILS: dict[Transition, tuple[str, str, str]] = {
    Transition.MERGE: ("case", "Merged the case into case {case}", "int"),
    Transition.HOLD: ("resume_on", "Put the case on hold until {resume_on}", "text"),
    Transition.ASSIGN: ("expert_name", "Assigned the case to {expert_name}", "text"),
    Transition.WITHDRAW_OFFER: ("expert_name", "Withdrew the offer to {expert_name}", "text"),
    Transition.HAND_BACK: ("expert_name", "{expert_name} handed the case back", "text"),
    Transition.SUBMIT_PLAN: ("version", "Submitted plan version {version}", "int"),
    Transition.APPROVE_PLAN: ("version", "Approved plan version {version}", "int"),
    Transition.RETURN_PLAN: ("version", "Returned plan version {version} with comments", "int"),
}

PLAN_CHANGE_LINES = {
    "diagnosis": "Wrote the diagnosis",
    "problem_added": "Added a problem to the plan",
    "problem_edited": "Edited a problem of the plan",
    "problem_removed": "Removed a problem from the plan",
    "problem_moved": "Reordered the problems of the plan",
    "measure_added": "Added a measure to the plan",
    "measure_edited": "Edited a measure of the plan",
    "measure_removed": "Removed a measure from the plan",
    "measure_moved": "Reordered the measures of a problem",
}

MEASURE_LINES = {
    "todo": "Set a measure back to to do",
    "doing": "Started work on a measure",
    "done": "Marked a measure as done",
    "dropped": "Dropped a measure",
}

TASK_LABELS = {
    "visit": "a visit to the enterprise",
    "survey": "an outcome survey",
    "collect_document": "collecting a document",
}

_CONFIRMATION_LINES = {
    ("confirmation_requested", "code"): "Sent a confirmation code to the founder's phone",
    ("confirmation_requested", "signature"): "Asked the founder to sign on the screen",
    ("confirmation_requested", ""): "Asked the founder to confirm",
    ("confirmation_confirmed", "code"): "The founder confirmed with the code sent to his phone",
    ("confirmation_confirmed", "signature"): "The founder signed on the screen",
    ("confirmation_confirmed", ""): "The founder confirmed",
}

# A failed confirmation is a code typed wrong, or typed too late or once too often.
_FAILED_LINES = {
    "wrong": "A wrong confirmation code was entered",
    "wrong_last": "A wrong confirmation code was entered; the code no longer works",
    "used_up": "A confirmation code was entered after its tries were used up",
    "expired": "An expired confirmation code was entered",
    "already_used": "A confirmation code was entered a second time",
}

_OFFER_LINES = {
    "offer": ("Offered the case to {expert_name}", "Offered the case to an expert"),
    "offer_made": ("Offered the case to {expert_name}", "Offered the case to an expert"),
    "offered": ("Offered the case to {expert_name}", "Offered the case to an expert"),
    "offer_accepted": ("{expert_name} accepted the offer", "The expert accepted the offer"),
    "offer_declined": ("{expert_name} declined the offer", "The expert declined the offer"),
    "offer_expired": ("The offer to {expert_name} expired unanswered", "The offer expired unanswered"),
    "offer_escalated": ("The case was offered on to {expert_name}", "The case was offered on to the next expert"),
    "offer_withdrawn": ("Withdrew the offer to {expert_name}", "Withdrew the offer"),
}

_REVEAL_LINES = {
    frozenset({"phone"}): "Revealed the founder's phone number in full",
    frozenset({"id_number"}): "Revealed the founder's ID number in full",
    frozenset({"phone", "id_number"}): "Revealed the founder's phone and ID numbers in full",
}


def _filed(data: Data, to_state: str) -> Line:
    if to_state == CaseState.DRAFT:
        return Line("Saved the need as a draft", group=Group.TRANSITION)
    return Line("Filed the need", group=Group.TRANSITION)


def _transition(transition: Transition, data: Data) -> Line:
    if transition is Transition.SUBMIT and data.get("answered") is True:
        return Line("Answered the officer's question and submitted the case again", group=Group.TRANSITION)
    if transition is Transition.CLOSE:
        outcome = data.get("outcome")
        if isinstance(outcome, str) and outcome in Outcome.__members__.values():
            return Line(
                "Closed the case: {outcome}", labels={"outcome": Outcome(outcome).label}, group=Group.TRANSITION
            )
    if transition in _TRANSITION_DETAILS:
        key, text, kind = _TRANSITION_DETAILS[transition]
        return _either(data, key, text, TRANSITION_LINES[transition], Group.TRANSITION, kind)
    return Line(TRANSITION_LINES.get(transition, transition.label), group=Group.TRANSITION)


def _told_count(data: Data) -> int | None:
    """How many people a `notified` event says were told; None when it does not say."""
    users = data.get("users")
    count = data.get("count", len(users) if isinstance(users, list) else None)
    if isinstance(count, int) and not isinstance(count, bool) and count > 0:
        return count
    return None


def _notified(data: Data) -> Line:
    count = _told_count(data)
    if count is not None:
        return Line("Notified those concerned ({count})", values={"count": str(count)}, group=Group.NOTICE)
    return Line("Notified those concerned", group=Group.NOTICE)


def _attachment(data: Data) -> Line:
    purpose = data.get("purpose")
    if not (isinstance(purpose, str) and purpose in Purpose.__members__.values()):
        purpose = Purpose.DOCUMENT
    label = Purpose(purpose).label
    link = _link(data)
    name = _text(data, "name")
    if name is None:
        return Line("Attached a file ({purpose})", labels={"purpose": label}, group=Group.ATTACHMENT, attachment=link)
    return Line(
        "Attached {name} ({purpose})",
        values={"name": name},
        labels={"purpose": label},
        group=Group.ATTACHMENT,
        attachment=link,
    )


def _reveal(data: Data) -> Line:
    fields = data.get("fields")
    names = frozenset(f for f in fields if isinstance(f, str)) if isinstance(fields, list | tuple) else frozenset()
    return Line(_REVEAL_LINES.get(names, "Revealed the founder's personal data in full"), group=Group.REVEAL)


def _link(data: Data) -> int | None:
    """The attachment an event refers to, if it names one."""
    attachment = data.get("attachment")
    return attachment if isinstance(attachment, int) and not isinstance(attachment, bool) else None


def _plan_edited(data: Data) -> Line:
    change = data.get("change")
    return Line(
        PLAN_CHANGE_LINES.get(change, "Edited the plan") if isinstance(change, str) else "Edited the plan",
        group=Group.PLAN,
    )


def _measure(data: Data) -> Line:
    if data.get("evidence") is True:
        return Line("Added evidence to a measure", group=Group.PLAN, attachment=_link(data))
    status = data.get("to", data.get("status"))
    text = MEASURE_LINES.get(status, "Updated a measure") if isinstance(status, str) else "Updated a measure"
    return Line(text, group=Group.PLAN)


_TASK_LINES = {
    "task_dispatched": ("Dispatched a task to the broker: {task}", "Dispatched a task to the broker"),
    "task_done": ("Completed a task: {task}", "Completed a task"),
    "task_cancelled": ("Cancelled a task: {task}", "Cancelled a task"),
}


def _task(kind: str, data: Data) -> Line:
    task_kind = data.get("task_kind")
    label = TASK_LABELS.get(task_kind) if isinstance(task_kind, str) else None
    with_task, without = _TASK_LINES[kind]
    if label is None:
        return Line(without, group=Group.TASK, attachment=_link(data))
    return Line(with_task, labels={"task": label}, group=Group.TASK, attachment=_link(data))


def _confirmation(kind: str, data: Data) -> Line:
    if kind == "confirmation_failed":
        reason = data.get("reason")
        text = _FAILED_LINES.get(reason) if isinstance(reason, str) else None
        return Line(text or "The founder's confirmation failed", group=Group.CONFIRMATION)
    method = data.get("method")
    method = method if method in ("code", "signature") else ""
    return Line(_CONFIRMATION_LINES[(kind, method)], group=Group.CONFIRMATION, attachment=_link(data))


def _offer(kind: str, data: Data) -> Line:
    with_name, without = _OFFER_LINES[kind]
    return _either(data, "expert_name", with_name, without, Group.OFFER, "text")


def _generic(kind: str) -> Line:
    readable = " ".join(kind.replace("_", " ").split())[:60]
    if not readable:
        return Line("Recorded an event")
    return Line("Recorded: {kind}", values={"kind": readable})


_SIMPLE: dict[str, Line] = {
    "note": Line("Added a note", group=Group.NOTE),
    "text_sent": Line("A text message was sent to the founder's phone", group=Group.CONFIRMATION),
}


def _line(kind: str, to_state: str, data: Data) -> Line:
    if kind == "filed":
        return _filed(data, to_state)
    if kind in Transition.__members__.values():
        return _transition(Transition(kind), data)
    if kind in _SIMPLE:
        return _SIMPLE[kind]
    if kind == "merged":
        return _either(
            data,
            "case",
            "Case {case} was merged into this case",
            "Another case was merged into this case",
            Group.TRANSITION,
        )
    if kind == "notified":
        return _notified(data)
    if kind == "attachment":
        return _attachment(data)
    if kind == "reveal":
        return _reveal(data)
    if kind == "plan_edited":
        return _plan_edited(data)
    if kind == "measure_updated":
        return _measure(data)
    if kind == "visit":
        return Line("Recorded a visit to the enterprise", group=Group.TASK, attachment=_link(data))
    if kind == "problem_closed_out":
        return _either(
            data,
            "title",
            "Closed out the problem “{title}” with the enterprise's confirmation",
            "Closed out a problem with the enterprise's confirmation",
            Group.PLAN,
            "text",
        )
    if kind in ("confirmation_requested", "confirmation_confirmed", "confirmation_failed"):
        return _confirmation(kind, data)
    if kind in _TASK_LINES:
        return _task(kind, data)
    if kind in _OFFER_LINES:
        return _offer(kind, data)
    return _generic(kind)


def describe(kind: str, from_state: str = "", to_state: str = "", data: Any = None) -> Line:
    """The timeline line of one event; any kind and any data give a line."""
    line = _line(kind or "", to_state or "", data if isinstance(data, Mapping) else {})
    if to_state and to_state != from_state and to_state in CaseState.__members__.values():
        line = Line(line.text, line.values, line.labels, line.group, CaseState(to_state).label, line.attachment)
    return line


NOTIFIED = "notified"
TOLD = "told"  # the key fold_notices adds to an event: how many were told of it, None if not known


def told_line(count: int | None) -> Line:
    """What is appended to the line of an event whose `notified` event was folded into it."""
    if count is None:
        return Line("Notified those concerned", group=Group.NOTICE)
    return Line("Notified {count}", values={"count": str(count)}, group=Group.NOTICE)


# Rows no notice tells of: notices themselves, and reveals (merged in from the registry's access log,
# their ids of another table than the case's events).
_NEVER_TOLD_OF = frozenset({NOTIFIED, "reveal"})


def _told_of(notice: Data, rows: Sequence[Mapping[str, Any]]) -> int | None:
    """The index in `rows` (the rows before `notice`) of the event a `notified` event tells of, if there."""
    data = notice.get("data")
    data = data if isinstance(data, Mapping) else {}
    kind = data.get("transition")  # the kind of the event told of, where the notice says it

    def fits(row: Mapping[str, Any]) -> bool:
        return row.get("kind") not in _NEVER_TOLD_OF and (kind is None or row.get("kind") == kind)

    event = data.get("event")
    if isinstance(event, int) and not isinstance(event, bool):
        return next((i for i in range(len(rows) - 1, -1, -1) if rows[i].get("id") == event and fits(rows[i])), None)
    # One that names only the kind (written before notices named their event) tells of the event it
    # immediately follows, if that is of its kind; one that names neither is not guessed at.
    return len(rows) - 1 if kind is not None and rows and fits(rows[-1]) else None


def fold_notices(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One case's timeline rows, oldest first, with each `notified` event folded into the event it tells of.

    That event gains `told` (how many were told; None if the notice does not say, summed if several
    notices tell of it). A notice whose event is not among the rows before it stays a line of its own.
    """
    rows: list[dict[str, Any]] = []
    for event in events:
        index = _told_of(event, rows) if event.get("kind") == NOTIFIED else None
        if index is None:
            rows.append(dict(event))
            continue
        data = event.get("data")
        count = _told_count(data if isinstance(data, Mapping) else {})
        target = rows[index]
        if count is None or (TOLD in target and target[TOLD] is None):
            target[TOLD] = None  # some notice did not say how many: "notified those concerned"
        else:
            target[TOLD] = (target.get(TOLD) or 0) + count
    return rows
