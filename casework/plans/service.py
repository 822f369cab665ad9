"""Plan services: what the case page shows of the plan, and (to come) writing it."""

from __future__ import annotations

from typing import Any

from casework.plans.versions import plan_snapshot
from casework.tables import PlanVersion


async def plan_section(case_id: int) -> dict[str, Any]:
    """The plan as it stands and its versions, for a case the caller has checked the actor reaches."""
    versions = (
        await PlanVersion.select(
            PlanVersion.id, PlanVersion.number, PlanVersion.status, PlanVersion.submitted_at, PlanVersion.comments
        )
        .where(PlanVersion.case == case_id)
        .order_by(PlanVersion.number)
    )
    return {"plan": await plan_snapshot(case_id), "versions": versions}
