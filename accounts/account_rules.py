"""Who may do which account action to whom: pure, tested as a table.

`accounts.policy` says a city officer may manage accounts at all; this says on whose: an
administrator on anyone but himself, a city officer on brokers and district officers only,
and nobody may leave the system without an active administrator. The operator at the command
line (`actor` None) is bound by the last rule only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from accounts.policy import Role
from core.errors import NotAllowed


class AccountAction(StrEnum):
    VIEW = "view"
    DISABLE = "disable"
    ENABLE = "enable"
    CHANGE_ROLE = "change_role"
    RESET_PASSWORD = "reset_password"
    REVOKE_TOKENS = "revoke_tokens"


@dataclass(frozen=True)
class AccountHolder:
    """The user acted on (or the one acting), as far as these rules need to know him."""

    user_id: int
    role: Role
    is_active: bool = True


# The roles whose accounts each managing role may act on; the roles it may give.
MANAGED_ROLES: Mapping[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.CITY_OFFICER: frozenset({Role.BROKER, Role.DISTRICT_OFFICER}),
}

# Acting on oneself would lock oneself out (disable, demote) or bypass the own-password form (reset).
NOT_ON_ONESELF = frozenset({AccountAction.DISABLE, AccountAction.CHANGE_ROLE, AccountAction.RESET_PASSWORD})

NOT_YOURS = "You may not manage this account."
NOT_YOURSELF = "You cannot do this to your own account; use your account page."
LAST_ADMIN = "This is the last active administrator: the system would be left without one."
NOT_THAT_ROLE = "You may not give this role."
ALREADY = "The account is already in this state."


def check_account_action(
    actor: AccountHolder | None,
    target: AccountHolder,
    action: AccountAction,
    active_admins: int,
    new_role: Role | None = None,
) -> None:
    """Raise `NotAllowed` unless `actor` (None: the operator) may do `action` to `target`.

    `active_admins` counts the enabled administrators now, `target` included if he is one.
    """
    if actor is not None:
        managed = MANAGED_ROLES.get(actor.role, frozenset())
        if target.role not in managed:
            raise NotAllowed(NOT_YOURS)
        if actor.user_id == target.user_id and action in NOT_ON_ONESELF:
            raise NotAllowed(NOT_YOURSELF)
        if new_role is not None and new_role not in managed:
            raise NotAllowed(NOT_THAT_ROLE)
    if action is AccountAction.DISABLE and not target.is_active:
        raise NotAllowed(ALREADY)
    if action is AccountAction.ENABLE and target.is_active:
        raise NotAllowed(ALREADY)
    last_admin = target.role is Role.ADMIN and target.is_active and active_admins <= 1
    demoted = action is AccountAction.CHANGE_ROLE and new_role is not None and new_role is not Role.ADMIN
    if last_admin and (action is AccountAction.DISABLE or demoted):
        raise NotAllowed(LAST_ADMIN)


def available_account_actions(
    actor: AccountHolder | None, target: AccountHolder, active_admins: int
) -> frozenset[AccountAction]:
    """The actions `actor` may take on `target` now: they drive the buttons of the user's page."""
    available = set()
    for action in AccountAction:
        try:
            check_account_action(actor, target, action, active_admins)
        except NotAllowed:
            continue
        available.add(action)
    return frozenset(available)


def assignable_roles(actor: AccountHolder | None) -> list[Role]:
    """The roles `actor` may give, in the order of `Role`."""
    managed = frozenset(Role) if actor is None else MANAGED_ROLES.get(actor.role, frozenset())
    return [role for role in Role if role in managed]
