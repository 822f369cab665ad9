"""The access policy as a table: every role against every action."""

from __future__ import annotations

import pytest

from accounts.policy import Action, Actor, Role, may

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

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
    Action.CLEAR_LICENCE_CHECK: {D, C},
    Action.IMPORT_ENTERPRISES: {B, D, C},
    Action.EXPORT_ENTERPRISES: {B, D, C},
    Action.VIEW_CASES: {B, E, D, C, A},
    Action.VIEW_MY_CASES: {B, E},
    Action.VIEW_CASE_QUEUE: {D, C, A},
    Action.TRANSITION_CASE: {B, E, D, C},
    Action.VIEW_EXPERTS: {D, C, A},
    Action.WORK_ON_CASE: {B, E, D, C},
    Action.WRITE_PLAN: {B, E, D, C},
    Action.CONFIRM_WITH_FOUNDER: {B},
    Action.DISPATCH_TASK: {D, C},
    Action.VIEW_MY_TASKS: {B},
    Action.COMPLETE_TASK: {B},
    Action.MANAGE_USERS: {A},
    Action.OPERATE_JOBS: {A},
    Action.VIEW_FOLLOW_UPS: {B, E, D, C, A},
    Action.VIEW_FOLLOW_UP_SETTINGS: {D, C, A},
    Action.EDIT_FOLLOW_UP_SETTINGS: {C, A},
    Action.MANAGE_EXPERTS: {C, A},
    Action.EDIT_OWN_EXPERT_PROFILE: {E},
    Action.VIEW_EXPERT_WORKSPACE: {E},
    Action.MATCH_EXPERTS: {D, C},
    Action.MANAGE_ACCOUNTS: {C, A},
    Action.CHANGE_OWN_PASSWORD: {B, E, D, C, A},
    Action.MANAGE_OWN_TOKENS: {B, E, D, C, A},
    Action.VIEW_AUDIT: {A},
}


def test_it_covers_every_action() -> None:
    assert set(EXPECTED) | {Action.PUBLIC} == set(Action)


@pytest.mark.parametrize(("action", "role"), [(a, r) for a in EXPECTED for r in Role])
def test_it_grants_each_action_to_exactly_its_roles(action: Action, role: Role) -> None:
    assert may(Actor(1, role, "500154"), action) is (role in EXPECTED[action])


@pytest.mark.parametrize("action", list(Action))
def test_it_refuses_everything_but_public_actions_to_the_signed_out(action: Action) -> None:
    assert may(None, action) is (action is Action.PUBLIC)
