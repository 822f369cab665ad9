"""Who reaches which enterprise and which spreadsheet import, and where one may register: pure rules.

An enterprise's facts are its `district` and who `registered_by` it; an import batch's its
`district` and who `uploaded_by` it. `enterprises.access_filter` applies the same rules to queries.
"""

from __future__ import annotations

from collections.abc import Mapping

from accounts.policy import Actor, Role
from core.reach import EVERYTHING, NOTHING, Reach, reach, reaches


def enterprise_reach(actor: Actor) -> Reach:
    """Brokers reach the enterprises they registered, district officers their district's, the city all."""
    if actor.role in (Role.CITY_OFFICER, Role.ADMIN):
        return EVERYTHING
    if actor.role is Role.DISTRICT_OFFICER and actor.district:
        return reach(district=actor.district)
    if actor.role is Role.BROKER:
        return reach(registered_by=actor.user_id)
    # Experts will reach, read-only and masked, the enterprises of the cases assigned to them: a
    # term whose query form casework provides, since enterprises cannot import casework.
    return NOTHING


def may_reach_enterprise(actor: Actor, enterprise: Mapping[str, object]) -> bool:
    """Whether the actor reaches one enterprise, given its facts (`district`, `registered_by`)."""
    return reaches(enterprise_reach(actor), enterprise)


def import_reach(actor: Actor) -> Reach:
    """Imports a user reaches: like enterprises, but administrators see only their own uploads
    (of the expert pool: `accounts.policy` lets them import no enterprises)."""
    if actor.role is Role.CITY_OFFICER:
        return EVERYTHING
    if actor.role is Role.DISTRICT_OFFICER and actor.district:
        return reach(district=actor.district)
    if actor.role in (Role.BROKER, Role.ADMIN):
        return reach(uploaded_by=actor.user_id)
    return NOTHING


def may_reach_import(actor: Actor, batch: Mapping[str, object]) -> bool:
    """Whether the actor reaches one import batch, given its facts (`district`, `uploaded_by`)."""
    return reaches(import_reach(actor), batch)


def registration_districts(actor: Actor) -> frozenset[str] | None:
    """Districts the actor may register (or import) enterprises in; None means every district."""
    if actor.role is Role.CITY_OFFICER:
        return None
    return frozenset({actor.district}) if actor.district else frozenset()
