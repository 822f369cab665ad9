"""Who reaches which case: the one rule, pure and tested as a table.

The facts of a case that reach depends on are its `district` and who `filed_by` it;
`casework.access_filter` applies the same rule to queries.
"""

from __future__ import annotations

from collections.abc import Mapping

from accounts.policy import Actor, Role
from core.reach import EVERYTHING, NOTHING, Reach, reach, reaches


def case_reach(actor: Actor) -> Reach:
    """Brokers reach the cases they filed, district officers their district's, the city every case."""
    if actor.role in (Role.CITY_OFFICER, Role.ADMIN):
        return EVERYTHING
    if actor.role is Role.DISTRICT_OFFICER and actor.district:
        return reach(district=actor.district)
    if actor.role is Role.BROKER:
        return reach(filed_by=actor.user_id)
    # Experts will reach the cases they hold an accepted assignment on (a fact such as
    # `assigned_expert`, mapped to a subquery in access_filter); assignments do not exist yet.
    return NOTHING


def may_reach_case(actor: Actor, case: Mapping[str, object]) -> bool:
    """Whether the actor reaches one case, given its facts (`district`, `filed_by`)."""
    return reaches(case_reach(actor), case)
