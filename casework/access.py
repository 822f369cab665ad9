"""Who reaches which case: the one rule, pure and tested as a table.

The facts of a case that reach depends on are its `district`, who `filed_by` it, the experts
holding a live assignment on it (`assigned_expert`: user ids of offered or accepted assignments)
and the brokers tasked on it (`tasked_broker`). `casework.access_filter` applies the same rule
to queries, the last two facts as subqueries.
"""

from __future__ import annotations

from collections.abc import Mapping

from accounts.policy import Actor, Role
from core.reach import EVERYTHING, NOTHING, Reach, reach, reaches

# Facts that live in other tables: loaded for one case only when the actor's reach names them.
ASSIGNED_EXPERT = "assigned_expert"
TASKED_BROKER = "tasked_broker"
# An expert offered a case must read it to accept or decline; a declined or released one no longer may.
LIVE_ASSIGNMENT = ("offered", "accepted")


def case_reach(actor: Actor) -> Reach:
    """Brokers reach the cases they filed or are tasked on, experts those assigned to them,
    district officers their district's, the city every case.

    Administrators read what the city reads and no more (DESIGN §2: "no case content beyond what a
    city officer sees"); they move no case and see personal data masked (`accounts.policy`)."""
    if actor.role in (Role.CITY_OFFICER, Role.ADMIN):
        return EVERYTHING
    if actor.role is Role.DISTRICT_OFFICER and actor.district:
        return reach(district=actor.district)
    if actor.role is Role.BROKER:
        return reach(filed_by=actor.user_id, **{TASKED_BROKER: actor.user_id})
    if actor.role is Role.EXPERT:
        return reach(**{ASSIGNED_EXPERT: actor.user_id})
    return NOTHING


def related_facts(actor: Actor) -> frozenset[str]:
    """The facts of other tables that must be loaded to decide whether `actor` reaches one case."""
    return frozenset(fact for fact, _ in case_reach(actor).terms if fact in (ASSIGNED_EXPERT, TASKED_BROKER))


def may_reach_case(actor: Actor, case: Mapping[str, object]) -> bool:
    """Whether the actor reaches one case, given its facts (`district`, `filed_by`, and the
    collections `assigned_expert`, `tasked_broker` where `related_facts` names them)."""
    return reaches(case_reach(actor), case)
