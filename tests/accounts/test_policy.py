"""The access policy as a table: every role against every action, and the reach of each role."""

from __future__ import annotations

import pytest

from accounts.policy import (
    Action,
    Actor,
    Role,
    Scope,
    case_scope,
    import_scope,
    in_scope,
    may,
    registration_districts,
)

B, E, D, C, A = Role.BROKER, Role.EXPERT, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.ADMIN

# action -> the roles that may perform it; every other role may not.
EXPECTED = {
    Action.SIGNED_IN: {B, E, D, C, A},
    Action.VIEW_ENTERPRISES: {B, E, D, C, A},
    Action.REGISTER_ENTERPRISE: {B},
    Action.FILE_NEED: {B},
    Action.UPDATE_ENTERPRISE: {B, D, C},
    Action.REVEAL_PERSONAL_DATA: {B, D, C},
    Action.MERGE_ENTERPRISES: {D, C},
    Action.IMPORT_ENTERPRISES: {B, D, C},
    Action.EXPORT_ENTERPRISES: {B, D, C},
    Action.VIEW_CASES: {B, E, D, C, A},
    Action.VIEW_MY_CASES: {B, E},
    Action.VIEW_CASE_QUEUE: {D, C},
    Action.TRANSITION_CASE: {B, E, D, C},
    Action.VIEW_EXPERTS: {D, C, A},
    Action.MANAGE_USERS: {A},
}


def test_it_covers_every_action() -> None:
    assert set(EXPECTED) | {Action.PUBLIC} == set(Action)


@pytest.mark.parametrize(("action", "role"), [(a, r) for a in EXPECTED for r in Role])
def test_it_grants_each_action_to_exactly_its_roles(action: Action, role: Role) -> None:
    assert may(Actor(1, role, "500154"), action) is (role in EXPECTED[action])


@pytest.mark.parametrize("action", list(Action))
def test_it_refuses_everything_but_public_actions_to_the_signed_out(action: Action) -> None:
    assert may(None, action) is (action is Action.PUBLIC)


@pytest.mark.parametrize(
    ("actor", "scope"),
    [
        (Actor(7, B, "500154"), Scope(owner_id=7)),
        (Actor(7, D, "500154"), Scope(district="500154")),
        (Actor(7, D, None), Scope()),
        (Actor(7, C, None), Scope(everything=True)),
        (Actor(7, A, None), Scope(everything=True)),
        (Actor(7, E, None), Scope()),
    ],
)
def test_it_gives_each_role_its_reach(actor: Actor, scope: Scope) -> None:
    assert case_scope(actor) == scope


@pytest.mark.parametrize(
    ("scope", "district", "owner", "inside"),
    [
        (Scope(everything=True), "500118", 3, True),
        (Scope(district="500154"), "500154", 3, True),
        (Scope(district="500154"), "500118", 3, False),
        (Scope(owner_id=3), "500118", 3, True),
        (Scope(owner_id=3), "500154", 4, False),
        (Scope(), "500154", 3, False),
    ],
)
def test_it_decides_whether_a_row_is_in_scope(scope: Scope, district: str, owner: int, inside: bool) -> None:
    assert in_scope(scope, district=district, owner_id=owner) is inside


@pytest.mark.parametrize(
    ("actor", "scope"),
    [
        (Actor(7, B, "500154"), Scope(owner_id=7)),
        (Actor(7, D, "500154"), Scope(district="500154")),
        (Actor(7, C, None), Scope(everything=True)),
        (Actor(7, A, None), Scope()),
        (Actor(7, E, None), Scope()),
    ],
)
def test_it_gives_each_role_its_reach_over_imports(actor: Actor, scope: Scope) -> None:
    assert import_scope(actor) == scope


@pytest.mark.parametrize(
    ("actor", "districts"),
    [
        (Actor(7, B, "500154"), frozenset({"500154"})),
        (Actor(7, D, "500118"), frozenset({"500118"})),
        (Actor(7, C, None), None),
        (Actor(7, B, None), frozenset()),
    ],
)
def test_it_lets_each_role_register_in_its_districts(actor: Actor, districts: frozenset[str] | None) -> None:
    assert registration_districts(actor) == districts
