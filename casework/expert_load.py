"""How many active cases each expert leads, handed to the expert pool at assembly.

`experts` may not import casework; `app.py` registers `count_active_loads` with
`experts.services.register_load_counter`, so the pool's pages see it. Matching and the capacity
check at acceptance count the same way, through this module.
"""

from __future__ import annotations

from collections.abc import Collection

from piccolo.query.functions.aggregate import Count

from casework.states import ENDED
from casework.tables import Assignment

# An expert's active cases: the leads he accepted on cases not ended (monitoring still counts).
ACTIVE_LEAD = (
    (Assignment.status == "accepted")
    & (Assignment.role == "lead")
    & Assignment.case.state.not_in([state.value for state in ENDED])
)


async def count_active_loads(expert_ids: Collection[int] | None) -> dict[int, int]:
    """Active cases of each of `expert_ids` (every expert when None) that has any."""
    if expert_ids is not None and not expert_ids:
        return {}
    where = ACTIVE_LEAD if expert_ids is None else ACTIVE_LEAD & Assignment.expert.is_in(list(expert_ids))
    load = Count(Assignment.id, alias="load")
    rows = await Assignment.select(Assignment.expert, load).where(where).group_by(Assignment.expert)
    return {int(row["expert"]): int(row["load"]) for row in rows}


async def active_load(expert_id: int) -> int:
    """The active cases of one expert."""
    return (await count_active_loads([expert_id])).get(expert_id, 0)
