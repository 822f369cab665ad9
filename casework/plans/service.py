"""Plan services the case page calls; the plan's own services are in `reading`, `writing`, `progress`
and `closing` (those check reach through `casework.services`, which calls this module).
"""

from __future__ import annotations

from typing import Any

from casework.plans.live import live_plan, version_list


async def plan_section(case_id: int) -> dict[str, Any]:
    """The plan as it stands and its versions, for a case the caller has checked the actor reaches."""
    return {"plan": await live_plan(case_id), "versions": await version_list(case_id)}
