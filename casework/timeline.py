"""A case's timeline: every event of the case, oldest first."""

from __future__ import annotations

from typing import Any

from casework.tables import CaseEvent


async def case_timeline(case_id: int) -> list[dict[str, Any]]:
    """The events of a case the caller has checked the actor reaches."""
    return (
        await CaseEvent.select(
            CaseEvent.id,
            CaseEvent.kind,
            CaseEvent.from_state,
            CaseEvent.to_state,
            CaseEvent.note,
            CaseEvent.data,
            CaseEvent.created_at,
            CaseEvent.actor.display_name.as_alias("actor_name"),
        )
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.id)
        .output(load_json=True)
    )
