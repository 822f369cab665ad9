"""The enterprises a user reaches through his cases: an expert, those of the cases assigned to him.

Read-only and masked: experts may neither edit an enterprise nor reveal its founder's data
(`accounts.policy`). Handed to `enterprises.access_filter.register_extra_reach` by app.py, since
enterprises cannot import casework.
"""

from __future__ import annotations

from typing import Any

from accounts.policy import Actor, Role
from casework.access_filter import assigned_cases
from casework.tables import Case
from enterprises.tables import Enterprise


def enterprises_of_assigned_cases(actor: Actor) -> Any:
    """The condition on `Enterprise` of the enterprises of the expert's live assignments; None for others."""
    if actor.role is not Role.EXPERT:
        return None
    cases = Case.select(Case.enterprise).where(Case.id.is_in(assigned_cases(actor.user_id)))
    return Enterprise.id.is_in(cases)
