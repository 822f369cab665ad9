"""Casework's reach rule (`casework.access`) as a query condition on cases."""

from __future__ import annotations

from typing import Any

from accounts.policy import Actor
from casework.access import ASSIGNED_EXPERT, LIVE_ASSIGNMENT, TASKED_BROKER, case_reach
from casework.tables import Assignment, Case, Task
from core.reach_filter import reach_where


def assigned_cases(user_id: Any) -> Any:
    """The ids of the cases the expert holds a live (offered or accepted) assignment on, as a subquery."""
    return Assignment.select(Assignment.case).where(
        (Assignment.expert_user == user_id) & Assignment.status.is_in(list(LIVE_ASSIGNMENT))
    )


def tasked_cases(user_id: Any) -> Any:
    """The ids of the cases the broker holds a task on, as a subquery."""
    return Task.select(Task.case).where((Task.broker == user_id) & Task.case.is_not_null())


def case_filter(actor: Actor) -> Any:
    """The WHERE condition keeping a query to the cases the actor reaches (None: every case)."""
    return reach_where(
        case_reach(actor),
        {
            "district": Case.district,
            "filed_by": Case.filed_by,
            ASSIGNED_EXPERT: lambda user_id: Case.id.is_in(assigned_cases(user_id)),
            TASKED_BROKER: lambda user_id: Case.id.is_in(tasked_cases(user_id)),
        },
    )
