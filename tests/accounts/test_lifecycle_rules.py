"""Who may do which account action to whom (accounts.account_rules), as a table."""

from __future__ import annotations

import pytest

from accounts.account_rules import (
    AccountAction,
    AccountHolder,
    assignable_roles,
    available_account_actions,
    check_account_action,
)
from accounts.policy import Role
from core.errors import NotAllowed

pytestmark = pytest.mark.pure

B, E, D, C, A = Role.BROKER, Role.EXPERT, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.ADMIN
ACTING = {  # the actor and, for "self", the target are the same user (id 1)
    "admin": AccountHolder(1, A),
    "city officer": AccountHolder(1, C),
    "district officer": AccountHolder(1, D),
    "broker": AccountHolder(1, B),
    "expert": AccountHolder(1, E),
}
EVERY_ACTION = set(AccountAction) - {AccountAction.ENABLE}  # on an active target, enabling is moot
MANAGING = EVERY_ACTION

# (actor, target role, the target is the actor himself) -> the actions allowed on an active target.
EXPECTED: dict[tuple[str, Role, bool], set[AccountAction]] = {
    ("admin", B, False): MANAGING,
    ("admin", D, False): MANAGING,
    ("admin", E, False): MANAGING,
    ("admin", C, False): MANAGING,
    ("admin", A, False): MANAGING,
    ("admin", A, True): {AccountAction.VIEW, AccountAction.REVOKE_TOKENS},
    ("city officer", B, False): MANAGING,
    ("city officer", D, False): MANAGING,
    ("city officer", E, False): set(),
    ("city officer", C, False): set(),
    ("city officer", C, True): set(),
    ("city officer", A, False): set(),
    ("district officer", B, False): set(),
    ("district officer", D, True): set(),
    ("broker", B, False): set(),
    ("broker", B, True): set(),  # his own password and tokens are CHANGE_OWN_PASSWORD / MANAGE_OWN_TOKENS
    ("expert", E, True): set(),
}


@pytest.mark.parametrize(("key", "action"), [(k, a) for k in EXPECTED for a in EVERY_ACTION], ids=str)
def test_it_allows_each_account_action_to_exactly_its_actors(
    key: tuple[str, Role, bool], action: AccountAction
) -> None:
    actor_name, target_role, itself = key
    actor = ACTING[actor_name]
    target = AccountHolder(1 if itself else 2, target_role)
    allowed = action in EXPECTED[key]
    try:
        check_account_action(actor, target, action, active_admins=2)
    except NotAllowed:
        assert not allowed
    else:
        assert allowed
    assert (action in available_account_actions(actor, target, active_admins=2)) is allowed


def test_it_enables_only_a_disabled_account_and_disables_only_an_active_one() -> None:
    admin, broker = ACTING["admin"], AccountHolder(2, B, is_active=False)
    assert AccountAction.ENABLE in available_account_actions(admin, broker, 1)
    assert AccountAction.DISABLE not in available_account_actions(admin, broker, 1)


@pytest.mark.parametrize("actor", [None, AccountHolder(1, A)], ids=["operator", "another admin"])
def test_it_keeps_the_last_active_admin(actor: AccountHolder | None) -> None:
    last = AccountHolder(3, A)
    with pytest.raises(NotAllowed):
        check_account_action(actor, last, AccountAction.DISABLE, active_admins=1)
    with pytest.raises(NotAllowed):
        check_account_action(actor, last, AccountAction.CHANGE_ROLE, active_admins=1, new_role=C)
    check_account_action(actor, last, AccountAction.CHANGE_ROLE, active_admins=1, new_role=A)
    check_account_action(actor, last, AccountAction.RESET_PASSWORD, active_admins=1)
    check_account_action(actor, last, AccountAction.DISABLE, active_admins=2)


@pytest.mark.parametrize(("new_role", "allowed"), [(B, True), (D, True), (E, False), (C, False), (A, False)], ids=str)
def test_it_lets_a_city_officer_give_only_broker_and_district_officer_roles(new_role: Role, allowed: bool) -> None:
    officer, broker = ACTING["city officer"], AccountHolder(2, B)
    if allowed:
        check_account_action(officer, broker, AccountAction.CHANGE_ROLE, 1, new_role=new_role)
    else:
        with pytest.raises(NotAllowed):
            check_account_action(officer, broker, AccountAction.CHANGE_ROLE, 1, new_role=new_role)
    assert (new_role in assignable_roles(officer)) is allowed


def test_it_lets_the_operator_do_anything_but_remove_the_last_admin() -> None:
    assert available_account_actions(None, AccountHolder(2, E), 1) == EVERY_ACTION
    assert assignable_roles(None) == list(Role)
