"""Who reaches which case, as a table."""

from __future__ import annotations

import pytest

from accounts.policy import Actor, Role
from casework.access import case_reach, may_reach_case
from core.reach import EVERYTHING, NOTHING, Reach, reach

pytestmark = pytest.mark.pure

B, E, D, C, A = Role.BROKER, Role.EXPERT, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.ADMIN


@pytest.mark.parametrize(
    ("actor", "scope"),
    [
        (Actor(7, B, "500154"), reach(filed_by=7)),
        (Actor(7, D, "500154"), reach(district="500154")),
        (Actor(7, D, None), NOTHING),
        (Actor(7, C, None), EVERYTHING),
        (Actor(7, A, None), EVERYTHING),
        (Actor(7, E, None), NOTHING),
    ],
)
def test_it_gives_each_role_its_reach(actor: Actor, scope: Reach) -> None:
    assert case_reach(actor) == scope


@pytest.mark.parametrize(
    ("actor", "district", "filed_by", "inside"),
    [
        (Actor(3, B, "500154"), "500154", 3, True),
        (Actor(3, B, "500154"), "500154", 4, False),
        (Actor(3, D, "500154"), "500154", 4, True),
        (Actor(3, D, "500154"), "500118", 4, False),
        (Actor(3, C, None), "500118", 4, True),
        (Actor(3, E, None), "500154", 3, False),
    ],
)
def test_it_decides_whether_a_case_is_within_reach(actor: Actor, district: str, filed_by: int, inside: bool) -> None:
    assert may_reach_case(actor, {"district": district, "filed_by": filed_by}) is inside
