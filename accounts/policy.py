"""Who may see and do what: the one access policy, pure and tested as a table.

Route handlers name an `Action` in their `opt`; the guard in `accounts.guards` asks `may()`.
Which rows a user reaches is decided by the domain that owns them (`casework.access`,
`enterprises.access`), not here.
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
    WORK_ON_CASE = "work_on_case"
    WRITE_PLAN = "write_plan"
    CONFIRM_WITH_FOUNDER = "confirm_with_founder"
    DISPATCH_TASK = "dispatch_task"
    VIEW_MY_TASKS = "view_my_tasks"
    COMPLETE_TASK = "complete_task"
    MANAGE_USERS = "manage_users"
    OPERATE_JOBS = "operate_jobs"
    VIEW_FOLLOW_UPS = "view_follow_ups"
    VIEW_FOLLOW_UP_SETTINGS = "view_follow_up_settings"
    EDIT_FOLLOW_UP_SETTINGS = "edit_follow_up_settings"
    MANAGE_EXPERTS = "manage_experts"
    EDIT_OWN_EXPERT_PROFILE = "edit_own_expert_profile"
    VIEW_EXPERT_WORKSPACE = "view_expert_workspace"
    MATCH_EXPERTS = "match_experts"
    MANAGE_ACCOUNTS = "manage_accounts"
    CHANGE_OWN_PASSWORD = "change_own_password"
    MANAGE_OWN_TOKENS = "manage_own_tokens"
    VIEW_AUDIT = "view_audit"
    CLEAR_LICENCE_CHECK = "clear_licence_check"


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
    # Administrators read cases as the city does (DESIGN §2), never move them: the queue is how they find one.
    Action.VIEW_CASE_QUEUE: _OFFICERS | {Role.ADMIN},
    # Which transition a role may make from which state is decided by casework.workflow.
    Action.TRANSITION_CASE: frozenset({Role.BROKER, Role.EXPERT}) | _OFFICERS,
    Action.VIEW_EXPERTS: _OFFICERS | {Role.ADMIN},
    # Notes and attachments on a case anyone who reaches it may add (casework.access decides the case).
    Action.WORK_ON_CASE: frozenset({Role.BROKER, Role.EXPERT}) | _OFFICERS,
    # The lead expert writes the plan and updates its measures; officers and brokers update measures they own.
    Action.WRITE_PLAN: frozenset({Role.BROKER, Role.EXPERT}) | _OFFICERS,
    # A founder's confirmation (code or signature) is taken by the broker at a visit.
    Action.CONFIRM_WITH_FOUNDER: frozenset({Role.BROKER}),
    Action.DISPATCH_TASK: _OFFICERS,
    Action.VIEW_MY_TASKS: frozenset({Role.BROKER}),
    Action.COMPLETE_TASK: frozenset({Role.BROKER}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    # The job queues and failed jobs (/admin/jobs): retrying a job is an operator's act, not a caseworker's.
    Action.OPERATE_JOBS: frozenset({Role.ADMIN}),
    # Which follow-ups: those of the cases one reaches (casework.access); admins read what the city reads.
    Action.VIEW_FOLLOW_UPS: _ALL,
    # A district officer reads his district's deadlines; the city sets them (casework.followups.settings_rules).
    Action.VIEW_FOLLOW_UP_SETTINGS: _OFFICERS | {Role.ADMIN},
    Action.EDIT_FOLLOW_UP_SETTINGS: frozenset({Role.CITY_OFFICER, Role.ADMIN}),
    # The pool is the city's: it adds, edits and imports experts and records their conflicts.
    Action.MANAGE_EXPERTS: frozenset({Role.CITY_OFFICER, Role.ADMIN}),
    # An expert keeps his own availability, capacity and bio up to date.
    Action.EDIT_OWN_EXPERT_PROFILE: frozenset({Role.EXPERT}),
    Action.VIEW_EXPERT_WORKSPACE: frozenset({Role.EXPERT}),
    # Ranked experts for a case and batch assignment: officers assign (casework.access decides the cases).
    Action.MATCH_EXPERTS: _OFFICERS,
    # Disable, re-enable, change role, reset a password: whom each may act on is accounts.account_rules'.
    Action.MANAGE_ACCOUNTS: frozenset({Role.CITY_OFFICER, Role.ADMIN}),
    Action.CHANGE_OWN_PASSWORD: _ALL,
    Action.MANAGE_OWN_TOKENS: _ALL,
    # The audit trail of security events (/admin/audit): who was refused, revealed or exported what.
    Action.VIEW_AUDIT: frozenset({Role.ADMIN}),
    # A pilot credit code checked against the business licence (核对营业执照): officers of the record's district.
    Action.CLEAR_LICENCE_CHECK: _OFFICERS,
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
