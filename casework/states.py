"""The words of a case's life: its states, priorities, outcomes and the actions between states.

Pure: no web, database or queue. `casework.workflow` says which action is open when.
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
