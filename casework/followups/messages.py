"""What a person told by a follow-up reads: pure.

Messages are English message ids, translated when the inbox or an e-mail shows them; `{number}` is
the case number, taken from the message's link. They name the case and what is due, never a
founder, a phone or an ID number.
"""

from __future__ import annotations

from casework.followups.rules import FollowUpKind, Rung
from casework.notifying import Message

_K, _R = FollowUpKind, Rung

_TO_ASSIGNEE: dict[FollowUpKind, Message] = {
    _K.OFFER_DEADLINE: Message(
        "Your offer for case {number} lapsed",
        "The time to answer it ran out; the case went back to the district office.",
    ),
    _K.MEASURE_REMINDER: Message(
        "A measure of case {number} falls due soon", "Open the plan to see the measure and record its progress."
    ),
    _K.MEASURE_OVERDUE: Message(
        "A measure of case {number} is overdue", "Record its progress on the plan, or agree a new date."
    ),
    _K.VISIT: Message(
        "The visit to case {number} is overdue", "Visit the enterprise and record the visit on the task."
    ),
    _K.OUTCOME_SURVEY: Message(
        "The outcome survey of case {number} is overdue", "Visit the enterprise and record its outcomes on the task."
    ),
    _K.TASK_DUE: Message("Your task on case {number} is overdue", "Open the task to complete it."),
}

_TO_OFFICERS: dict[FollowUpKind, Message] = {
    _K.TRIAGE_DUE: Message("Case {number} waits for triage past its deadline", "Triage the case or return it."),
    _K.PLAN_REVIEW_DUE: Message(
        "The plan for case {number} waits for review past its deadline", "Approve the plan, or return it with comments."
    ),
    _K.OFFER_DEADLINE: Message(
        "The offer of case {number} lapsed", "The expert did not answer in time: assign another expert."
    ),
    _K.MEASURE_OVERDUE: Message("A measure of case {number} is overdue", "The expert has not recorded it as done."),
    _K.VISIT: Message("The visit to case {number} is overdue", "The broker has not recorded the visit."),
    _K.OUTCOME_SURVEY: Message(
        "The outcome survey of case {number} is overdue", "The broker has not recorded the enterprise's outcomes."
    ),
    _K.TASK_DUE: Message("A broker's task on case {number} is overdue", "Open the case to see the task."),
}


def message_for(kind: FollowUpKind, rung: Rung) -> Message:
    """What someone told at `rung` of a follow-up of `kind` reads."""
    if rung is Rung.ASSIGNEE and kind in _TO_ASSIGNEE:
        return _TO_ASSIGNEE[kind]
    return _TO_OFFICERS.get(kind) or _TO_ASSIGNEE[kind]


SURVEY_INSTRUCTIONS = "Outcome survey, {months} months on: visit the enterprise and record its outcomes."
VISIT_INSTRUCTIONS = "Periodic visit: see how the plan's work is going and record what you found."


def task_instructions(kind: FollowUpKind, months: int | None) -> tuple[str, dict[str, object]]:
    """The message id of the instructions of the task a visit or survey opens, and its parameters.

    Translated before it is stored (a task's instructions are text the officer could have typed).
    """
    if kind is FollowUpKind.OUTCOME_SURVEY:
        return SURVEY_INSTRUCTIONS, {"months": months}
    return VISIT_INSTRUCTIONS, {}
