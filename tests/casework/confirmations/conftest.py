"""Fixtures of the plan's tests: the world of `world.py`, with Ed, an expert on no case, in the cast."""

from __future__ import annotations

import pytest

from accounts.policy import Role
from tests.casework.plans.world import PlanWorld
from tests.conftest import Personas


@pytest.fixture
def world(personas: Personas) -> PlanWorld:
    personas.add("ed", Role.EXPERT)
    return PlanWorld(personas)
