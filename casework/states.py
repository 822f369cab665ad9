"""The words of a case's life: its states, priorities, outcomes and the actions between states.

Pure: no web, database or queue. `casework.workflow` says which action is open when; the parties
a move tells and its follow-up effects are named here too, beside the actions they belong to.
"""

from __future__ import annotations

from enum import StrEnum


class CaseState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    TRIAGED = "triaged"
    ASSIGNED = "assigned"
    DIAGNOSING = "diagnosing"
    PLANNING = "planning"
    PLAN_APPROVED = "plan_approved"
    IN_PROGRESS = "in_progress"
    MONITORING = "monitoring"
    CLOSED = "closed"
    ON_HOLD = "on_hold"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in ENDED


# States a case does not leave on its own; only `closed` can be reopened.
ENDED = frozenset({CaseState.CLOSED, CaseState.DECLINED, CaseState.WITHDRAWN, CaseState.MERGED})

_STATE_LABELS = {
    CaseState.DRAFT: "Draft",
    CaseState.SUBMITTED: "Submitted",
    CaseState.TRIAGED: "Triaged",
    CaseState.ASSIGNED: "Assigned",
    CaseState.DIAGNOSING: "Diagnosing",
    CaseState.PLANNING: "Planning",
    CaseState.PLAN_APPROVED: "Plan approved",
    CaseState.IN_PROGRESS: "In progress",
    CaseState.MONITORING: "Monitoring",
    CaseState.CLOSED: "Case closed",  # not "Closed": that id is an enterprise that shut down (已关停)
    CaseState.ON_HOLD: "On hold",
    CaseState.DECLINED: "Declined",
    CaseState.WITHDRAWN: "Withdrawn",
    CaseState.MERGED: "Merged",
}

# Where a case may be put on hold from (and so where it may resume to).
HOLDABLE = frozenset(
    {
        CaseState.SUBMITTED,
        CaseState.TRIAGED,
        CaseState.ASSIGNED,
        CaseState.DIAGNOSING,
        CaseState.PLANNING,
        CaseState.PLAN_APPROVED,
        CaseState.IN_PROGRESS,
        CaseState.MONITORING,
    }
)


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class Outcome(StrEnum):
    """How a closed case ended."""

    RESOLVED = "resolved"
    PARTLY_RESOLVED = "partly_resolved"
    NOT_RESOLVED = "not_resolved"
    ENTERPRISE_CLOSED = "enterprise_closed"

    @property
    def label(self) -> str:
        return _OUTCOME_LABELS[self]


_OUTCOME_LABELS = {
    Outcome.RESOLVED: "Resolved",
    Outcome.PARTLY_RESOLVED: "Partly resolved",
    Outcome.NOT_RESOLVED: "Not resolved",
    Outcome.ENTERPRISE_CLOSED: "Enterprise closed",
}


class Transition(StrEnum):
    SUBMIT = "submit"
    RETURN_TO_BROKER = "return_to_broker"
    TRIAGE = "triage"
    DECLINE = "decline"
    MERGE = "merge"
    WITHDRAW = "withdraw"
    HOLD = "hold"
    RESUME = "resume"
    ASSIGN = "assign"
    ACCEPT_ASSIGNMENT = "accept_assignment"
    DECLINE_ASSIGNMENT = "decline_assignment"
    WITHDRAW_OFFER = "withdraw_offer"
    HAND_BACK = "hand_back"
    START_DIAGNOSIS = "start_diagnosis"
    FINISH_DIAGNOSIS = "finish_diagnosis"
    SUBMIT_PLAN = "submit_plan"
    APPROVE_PLAN = "approve_plan"
    RETURN_PLAN = "return_plan"
    START_WORK = "start_work"
    START_MONITORING = "start_monitoring"
    CLOSE = "close"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        return _TRANSITION_LABELS[self]


_TRANSITION_LABELS = {
    Transition.SUBMIT: "Submit",
    Transition.RETURN_TO_BROKER: "Return to the broker with a question",
    Transition.TRIAGE: "Accept for support",
    Transition.DECLINE: "Decline",
    Transition.MERGE: "Merge into another case",
    Transition.WITHDRAW: "Withdraw",
    Transition.HOLD: "Put on hold",
    Transition.RESUME: "Resume",
    Transition.ASSIGN: "Assign an expert",
    Transition.ACCEPT_ASSIGNMENT: "Accept the assignment",
    Transition.DECLINE_ASSIGNMENT: "Decline the assignment",
    Transition.WITHDRAW_OFFER: "Withdraw the offer",
    Transition.HAND_BACK: "Hand the case back",
    Transition.START_DIAGNOSIS: "Start diagnosis",
    Transition.FINISH_DIAGNOSIS: "Finish diagnosis and start the plan",
    Transition.SUBMIT_PLAN: "Submit the plan",
    Transition.APPROVE_PLAN: "Approve the plan",
    Transition.RETURN_PLAN: "Return the plan with comments",
    Transition.START_WORK: "Start work on the plan",
    Transition.START_MONITORING: "Move to monitoring",
    Transition.CLOSE: "Close the case",
    Transition.REOPEN: "Reopen",
}


class Party(StrEnum):
    """Who is told of a transition."""

    FILER = "filer"
    DISTRICT_OFFICERS = "district_officers"
    LEAD_EXPERT = "lead_expert"
    OFFERED_EXPERT = "offered_expert"
    RELEASED_EXPERT = "released_expert"  # the expert whose offer or lead the move ended


class FollowUpEffect(StrEnum):
    """What a transition means for follow-ups; the follow-ups feature turns these into rows."""

    OPEN_TRIAGE_CLOCK = "open_triage_clock"
    CLOSE_TRIAGE_CLOCK = "close_triage_clock"
    OPEN_OFFER_DEADLINE = "open_offer_deadline"
    CLOSE_OFFER_DEADLINE = "close_offer_deadline"
    OPEN_PLAN_REVIEW_CLOCK = "open_plan_review_clock"
    CLOSE_PLAN_REVIEW_CLOCK = "close_plan_review_clock"
    START_MEASURE_REMINDERS = "start_measure_reminders"
    START_VISIT_CYCLE = "start_visit_cycle"
    CANCEL_VISIT_CYCLE = "cancel_visit_cycle"
    SCHEDULE_OUTCOME_SURVEYS = "schedule_outcome_surveys"
    PAUSE_CLOCKS = "pause_clocks"
    RESUME_CLOCKS = "resume_clocks"
    CANCEL_ALL = "cancel_all"
