"""Who may see and do what: the one access policy, pure and tested as a table.

Route handlers name an `Action` in their `opt`; the guard in `accounts.guards` asks `may()`.
Object-level reach (which cases or enterprises a user's queries return) is a `Scope`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    BROKER = "broker"
    EXPERT = "expert"
    DISTRICT_OFFICER = "district_officer"
    CITY_OFFICER = "city_officer"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.BROKER: "Broker",
    Role.EXPERT: "Expert",
    Role.DISTRICT_OFFICER: "District officer",
    Role.CITY_OFFICER: "City officer",
    Role.ADMIN: "Administrator",
}

ROLES_WITH_DISTRICT = frozenset({Role.BROKER, Role.DISTRICT_OFFICER})


class Action(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    VIEW_ENTERPRISES = "view_enterprises"
    REGISTER_ENTERPRISE = "register_enterprise"
    FILE_NEED = "file_need"
    VIEW_CASES = "view_cases"
    VIEW_MY_CASES = "view_my_cases"
    VIEW_CASE_QUEUE = "view_case_queue"
    TRANSITION_CASE = "transition_case"
    UPDATE_ENTERPRISE = "update_enterprise"
    REVEAL_PERSONAL_DATA = "reveal_personal_data"
    MERGE_ENTERPRISES = "merge_enterprises"
    IMPORT_ENTERPRISES = "import_enterprises"
    EXPORT_ENTERPRISES = "export_enterprises"
    VIEW_EXPERTS = "view_experts"
    MANAGE_USERS = "manage_users"


_ALL = frozenset(Role)
_OFFICERS = frozenset({Role.DISTRICT_OFFICER, Role.CITY_OFFICER})

PERMISSIONS: Mapping[Action, frozenset[Role]] = {
    Action.SIGNED_IN: _ALL,
    Action.VIEW_ENTERPRISES: frozenset({Role.BROKER, Role.EXPERT, Role.ADMIN}) | _OFFICERS,
    Action.REGISTER_ENTERPRISE: frozenset({Role.BROKER}),
    Action.FILE_NEED: frozenset({Role.BROKER}),
    Action.UPDATE_ENTERPRISE: frozenset({Role.BROKER}) | _OFFICERS,
    # Experts and admins work without founders' full ID numbers and phones.
    Action.REVEAL_PERSONAL_DATA: frozenset({Role.BROKER}) | _OFFICERS,
    Action.MERGE_ENTERPRISES: _OFFICERS,
    Action.IMPORT_ENTERPRISES: frozenset({Role.BROKER}) | _OFFICERS,
    Action.EXPORT_ENTERPRISES: frozenset({Role.BROKER}) | _OFFICERS,
    Action.VIEW_CASES: _ALL,
    Action.VIEW_MY_CASES: frozenset({Role.BROKER, Role.EXPERT}),
    Action.VIEW_CASE_QUEUE: _OFFICERS,
    # Which transition a role may make from which state is decided by casework.workflow.
    Action.TRANSITION_CASE: frozenset({Role.BROKER, Role.EXPERT}) | _OFFICERS,
    Action.VIEW_EXPERTS: _OFFICERS | {Role.ADMIN},
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
}


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as far as access decisions need to know him."""

    user_id: int
    role: Role
    district: str | None


def may(actor: Actor | None, action: Action) -> bool:
    """Whether `actor` (None when signed out) may perform `action` at all."""
    if action is Action.PUBLIC:
        return True
    if actor is None:
        return False
    return actor.role in PERMISSIONS.get(action, frozenset())


@dataclass(frozen=True)
class Scope:
    """The rows a user may reach: everything, one district, or his own (filed or registered) rows.

    An empty scope (all fields unset, `everything` false) reaches nothing.
    """

    everything: bool = False
    district: str | None = None
    owner_id: int | None = None


NOTHING = Scope()


def case_scope(actor: Actor) -> Scope:
    """Cases a user may see: brokers their own, district officers their district, the city all."""
    if actor.role in (Role.CITY_OFFICER, Role.ADMIN):
        return Scope(everything=True)
    if actor.role is Role.DISTRICT_OFFICER and actor.district:
        return Scope(district=actor.district)
    if actor.role is Role.BROKER:
        return Scope(owner_id=actor.user_id)
    # Experts reach cases through accepted assignments, which do not exist yet.
    return NOTHING


def enterprise_scope(actor: Actor) -> Scope:
    """Enterprises a user may see: brokers those they registered, officers their district."""
    return case_scope(actor)


def registration_districts(actor: Actor) -> frozenset[str] | None:
    """Districts the actor may register (or import) enterprises in; None means every district."""
    if actor.role is Role.CITY_OFFICER:
        return None
    return frozenset({actor.district}) if actor.district else frozenset()


def import_scope(actor: Actor) -> Scope:
    """Spreadsheet imports a user may see: like cases, but administrators run none and see none."""
    return NOTHING if actor.role is Role.ADMIN else case_scope(actor)


def in_scope(scope: Scope, *, district: str, owner_id: int | None) -> bool:
    """Whether one row (its district and owner) lies within `scope`."""
    if scope.everything:
        return True
    if scope.district is not None:
        return district == scope.district
    if scope.owner_id is not None:
        return owner_id == scope.owner_id
    return False
