"""Casework's reach rule (`casework.access`) as a query condition on cases."""

from __future__ import annotations

from typing import Any

from accounts.policy import Actor
from casework.access import case_reach
from casework.tables import Case
from core.reach_filter import reach_where


def case_filter(actor: Actor) -> Any:
    """The WHERE condition keeping a query to the cases the actor reaches (None: every case)."""
    return reach_where(case_reach(actor), {"district": Case.district, "filed_by": Case.filed_by})
