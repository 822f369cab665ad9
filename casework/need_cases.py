"""Which case each of an enterprise's needs became: what the enterprise page shows beside each need.

Handed to `enterprises.services.register_need_cases` by app.py, since enterprises cannot import casework.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accounts.policy import Actor
from casework.access_filter import case_filter
from casework.tables import Case, CaseNeed


async def cases_of_needs(actor: Actor, need_ids: list[int]) -> Mapping[int, Mapping[str, Any]]:
    """need id -> {"case_id", "case_state"}, for the needs whose case the actor reaches."""
    links = await CaseNeed.select(CaseNeed.need, CaseNeed.case).where(CaseNeed.need.is_in(need_ids))
    if not links:
        return {}
    # Casework's own reach rule, as a condition on cases: a case out of reach is neither linked nor shown.
    query = Case.select(Case.id, Case.state).where(Case.id.is_in([link["case"] for link in links]))
    if (condition := case_filter(actor)) is not None:
        query = query.where(condition)
    states = {row["id"]: row["state"] for row in await query}
    return {
        link["need"]: {"case_id": link["case"], "case_state": states[link["case"]]}
        for link in links
        if link["case"] in states
    }
