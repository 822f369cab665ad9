"""The casework benchmark's seeder at a tiny scale, so that it cannot rot: it writes the app's own schema, the
pages read what it wrote, and a complete database is recognised for reuse. (No timings here: `make bench`.)"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bench.casework_seed import (
    MANIFEST,
    fingerprint,
    seed_postgres,
    seed_sqlite,
    seeded_postgres,
    seeded_schema,
    seeded_sqlite,
)
from bench.casework_world import OFFICER, OFFICER_DISTRICT, WorldSizes
from casework.states import CaseState
from casework.tables import Case, CaseEvent, PlanVersion
from core.config import settings
from core.db import engine
from tests.conftest import ON_POSTGRES

pytestmark = pytest.mark.anyio

SIZES = WorldSizes(cases=500, enterprises=100, brokers_per_district=2, officers_per_district=1, experts=10, chunk=150)
FINGERPRINT = fingerprint(seeded_schema(), SIZES)


@pytest.fixture
def no_manifest_left() -> Iterator[None]:
    """The manifest table is the seeder's, not the app's: the test database is left as the other tests expect it."""
    yield
    from piccolo.utils.sync import run_sync

    run_sync(engine().run_ddl(f'DROP TABLE IF EXISTS "{MANIFEST}"'))


async def seed(password_hash: str) -> Any:
    if ON_POSTGRES:
        return await seed_postgres(settings.database_url, SIZES, password_hash, FINGERPRINT, say=lambda _: None)
    return seed_sqlite(settings.sqlite_path, SIZES, password_hash, FINGERPRINT, say=lambda _: None)


async def seeded(fp: str) -> Any:
    if ON_POSTGRES:
        return await seeded_postgres(settings.database_url, fp)
    return seeded_sqlite(settings.sqlite_path, fp)


async def test_it_seeds_five_events_a_case_in_every_kind_of_state(password_hash: str, no_manifest_left: None) -> None:
    result = await seed(password_hash)

    assert await Case.count() == 500 == result.counts["casework_case"]
    assert await CaseEvent.count() == 2_500 == result.counts["casework_case_event"]
    assert result.counts["enterprises_need"] == result.counts["casework_case_need"] == 500
    assert result.counts["casework_plan_version"] > 0 and result.counts["casework_measure"] > 0
    assert set(result.cases_by_state) <= {s.value for s in CaseState} and len(result.cases_by_state) >= 8
    assert sum(result.cases_by_state.values()) == 500
    # Event ids follow time across cases, as in a database filled over years.
    times = [row["created_at"] for row in await CaseEvent.select(CaseEvent.created_at).order_by(CaseEvent.id)]
    assert times == sorted(times)


async def test_it_recognises_a_complete_database_for_reuse(password_hash: str, no_manifest_left: None) -> None:
    first = await seed(password_hash)

    again = await seeded(FINGERPRINT)
    assert again is not None and again.reused and again.counts == first.counts
    assert await seeded("another-schema") is None

    await CaseEvent.delete().where(CaseEvent.id == 1)  # a database that lost rows is seeded again
    assert await seeded(FINGERPRINT) is None


async def test_it_writes_cases_the_pages_read(password_hash: str, no_manifest_left: None, client: Any) -> None:
    await seed(password_hash)
    planned = (
        await PlanVersion.select(PlanVersion.case)
        .where((PlanVersion.case.district == OFFICER_DISTRICT) & (PlanVersion.status == "approved"))
        .first()
    )
    assert planned is not None
    case = await Case.select(Case.id, Case.enterprise.name).where(Case.id == planned["case"]).first()

    await client.login(OFFICER)
    page = await client.http.get(f"/cases/{case['id']}")
    assert page.status_code == 200 and case["enterprise.name"] in page.text
    assert (await client.http.get("/cases/queue?state=closed&page=2")).status_code == 200
    token = await client.api_token(OFFICER)
    answer = await client.http.get(f"/api/v1/cases/{case['id']}", headers=token)
    assert answer.status_code == 200 and answer.json()["needs"]


@pytest.mark.pure
def test_it_keys_a_seeded_database_on_the_columns_it_writes_not_on_every_migration() -> None:
    schema = seeded_schema()
    assert "casework_case.state Varchar" in schema and "casework_case.closed_at Timestamptz null" in schema
    assert fingerprint(schema, SIZES) == FINGERPRINT
    assert fingerprint([*schema, "casework_case.new_column Text"], SIZES) != FINGERPRINT
    assert fingerprint(schema, WorldSizes(cases=501, enterprises=100)) != FINGERPRINT
