"""Who reaches which case, as a table."""

from __future__ import annotations

import pytest

from accounts.policy import Actor, Role
from casework.access import ASSIGNED_EXPERT, TASKED_BROKER, case_reach, may_reach_case, related_facts
from core.reach import EVERYTHING, NOTHING, Reach, reach

pytestmark = pytest.mark.pure

B, E, D, C, A = Role.BROKER, Role.EXPERT, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.ADMIN


@pytest.mark.parametrize(
    ("actor", "scope"),
    [
        (Actor(7, B, "500154"), reach(filed_by=7, tasked_broker=7)),
        (Actor(7, D, "500154"), reach(district="500154")),
        (Actor(7, D, None), NOTHING),
        (Actor(7, C, None), EVERYTHING),
        (Actor(7, A, None), EVERYTHING),
        (Actor(7, E, None), reach(assigned_expert=7)),
    ],
)
def test_it_gives_each_role_its_reach(actor: Actor, scope: Reach) -> None:
    assert case_reach(actor) == scope


@pytest.mark.parametrize(
    ("actor", "facts"),
    [
        (Actor(7, B, "500154"), {TASKED_BROKER}),
        (Actor(7, E, None), {ASSIGNED_EXPERT}),
        (Actor(7, D, "500154"), set()),
        (Actor(7, C, None), set()),
    ],
)
def test_it_reads_other_tables_only_for_the_roles_whose_reach_needs_them(actor: Actor, facts: set[str]) -> None:
    assert related_facts(actor) == facts


CASE = {"district": "500154", "filed_by": 3, ASSIGNED_EXPERT: frozenset({8}), TASKED_BROKER: frozenset({4})}


@pytest.mark.parametrize(
    ("actor", "case", "inside"),
    [
        (Actor(3, B, "500154"), CASE, True),  # he filed it
        (Actor(4, B, "500154"), CASE, True),  # he is tasked on it
        (Actor(5, B, "500154"), CASE, False),  # same district, neither filed nor tasked
        (Actor(3, D, "500154"), CASE, True),
        (Actor(3, D, "500118"), CASE, False),
        (Actor(3, C, None), {**CASE, "district": "500118"}, True),
        (Actor(8, E, None), CASE, True),  # an offered or accepted assignment
        (Actor(9, E, None), CASE, False),  # an expert with no live assignment on it
        (Actor(3, E, None), CASE, False),  # an expert's user id equal to the filer's is no reach
        (Actor(8, E, None), {"district": "500154", "filed_by": 3}, False),  # assignments not read: no reach
    ],
)
def test_it_decides_whether_a_case_is_within_reach(actor: Actor, case: dict[str, object], inside: bool) -> None:
    assert may_reach_case(actor, case) is inside
