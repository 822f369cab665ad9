"""Who reaches which enterprise and import, and where each role may register, as tables."""

from __future__ import annotations

import pytest

from accounts.policy import Actor, Role
from core.reach import EVERYTHING, NOTHING, Reach, reach
from enterprises.access import (
    enterprise_reach,
    import_reach,
    may_reach_enterprise,
    may_reach_import,
    registration_districts,
)

pytestmark = pytest.mark.pure

B, E, D, C, A = Role.BROKER, Role.EXPERT, Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.ADMIN


@pytest.mark.parametrize(
    ("actor", "scope"),
    [
        (Actor(7, B, "500154"), reach(registered_by=7)),
        (Actor(7, D, "500154"), reach(district="500154")),
        (Actor(7, D, None), NOTHING),
        (Actor(7, C, None), EVERYTHING),
        (Actor(7, A, None), EVERYTHING),
        (Actor(7, E, None), NOTHING),
    ],
)
def test_it_gives_each_role_its_reach(actor: Actor, scope: Reach) -> None:
    assert enterprise_reach(actor) == scope


@pytest.mark.parametrize(
    ("actor", "district", "registered_by", "inside"),
    [
        (Actor(3, B, "500154"), "500118", 3, True),
        (Actor(3, B, "500154"), "500154", 4, False),
        (Actor(3, D, "500154"), "500154", 4, True),
        (Actor(3, D, "500154"), "500118", 3, False),
        (Actor(3, A, None), "500118", 4, True),
        (Actor(3, E, None), "500154", 3, False),
    ],
)
def test_it_decides_whether_an_enterprise_is_within_reach(
    actor: Actor, district: str, registered_by: int, inside: bool
) -> None:
    assert may_reach_enterprise(actor, {"district": district, "registered_by": registered_by}) is inside


@pytest.mark.parametrize(
    ("actor", "scope"),
    [
        (Actor(7, B, "500154"), reach(uploaded_by=7)),
        (Actor(7, D, "500154"), reach(district="500154")),
        (Actor(7, C, None), EVERYTHING),
        (Actor(7, A, None), reach(uploaded_by=7)),  # his uploads of the expert pool
        (Actor(7, E, None), NOTHING),
    ],
)
def test_it_gives_each_role_its_reach_over_imports(actor: Actor, scope: Reach) -> None:
    assert import_reach(actor) == scope


def test_it_reaches_an_import_by_its_uploader_or_district() -> None:
    batch = {"district": "500154", "uploaded_by": 3}
    assert may_reach_import(Actor(3, B, "500154"), batch)
    assert not may_reach_import(Actor(4, B, "500154"), batch)
    assert may_reach_import(Actor(4, D, "500154"), batch)
    assert not may_reach_import(Actor(4, A, None), batch)
    assert may_reach_import(Actor(3, A, None), batch)


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
