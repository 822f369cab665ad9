"""Plan services the case page calls; the plan's own services are in `reading`, `writing`, `progress`
and `closing` (those check reach through `casework.services`, which calls this module).
"""

from __future__ import annotations

from typing import Any

from casework.plans.live import live_plan, version_list
from casework.plans.versions import PlanFacts


async def plan_section(case_id: int, diagnosis: str) -> dict[str, Any]:
    """The plan as it stands, its versions, and the facts the workflow asks of them (read from the
    same rows), for a case the caller has checked the actor reaches and whose diagnosis he has.
    """
    plan = await live_plan(case_id, diagnosis)
    versions = await version_list(case_id)
    facts = PlanFacts(
        measures=plan["measure_count"],
        submitted=any(v["status"] == "submitted" for v in versions),
        open_problems=plan["open_problems"],
    )
    return {"plan": plan, "versions": versions, "facts": facts}
