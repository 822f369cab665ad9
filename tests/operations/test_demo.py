"""The demo world shows every feature with data in it."""

from __future__ import annotations

import pytest

from casework.tables import Case
from casework.workflow import CaseState
from enterprises.classification import LegalForm
from enterprises.tables import Enterprise, Founder
from operations.demo import seed

pytestmark = pytest.mark.anyio


async def test_it_seeds_a_case_in_every_state_and_an_enterprise_of_every_legal_form() -> None:
    assert "seeded" in await seed()
    assert {row["state"] for row in await Case.select(Case.state)} == set(CaseState)
    assert {row["legal_form"] for row in await Enterprise.select(Enterprise.legal_form)} == set(LegalForm)
    assert await Founder.count().where(Founder.id_number_digest != "") >= 3


async def test_it_seeds_once() -> None:
    await seed()
    assert await seed() == "demo data already present"
