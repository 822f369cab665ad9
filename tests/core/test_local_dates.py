"""Dates and times on every page are Beijing's, days derived from a timestamp included.

A record made at 06:38 on 1 December in Chongqing is stored as 22:38 UTC on 30 November: no page
may show it as made on 30 November.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core.i18n import local_date, local_time
from enterprises.duplicates.merge_service import merge_enterprises
from enterprises.tables import Enterprise, EnterpriseChange
from tests.conftest import Client, Personas
from tests.enterprises.duplicates.test_duplicate_flow import actor, add_enterprise

pytestmark = pytest.mark.anyio

LATE_UTC = datetime(2026, 11, 30, 22, 38, tzinfo=UTC)  # 06:38 on 1 December in Chongqing


@pytest.mark.pure
@pytest.mark.parametrize(
    ("value", "day"),
    [
        (LATE_UTC, "2026-12-01"),
        (LATE_UTC.replace(tzinfo=None), "2026-12-01"),  # naive: the database's UTC
        ("2026-11-30T22:38:00+00:00", "2026-12-01"),  # as a JSON snapshot keeps it
        ("2026-11-30T22:38:00", "2026-12-01"),
        (LATE_UTC.astimezone(timezone(timedelta(hours=-5))), "2026-12-01"),
        (datetime(2026, 11, 30, 15, 59, tzinfo=UTC), "2026-11-30"),  # 23:59 in Chongqing
        (date(2026, 11, 30), "2026-11-30"),  # a plain date is already a day in Chongqing
        (None, ""),
        ("not a time", "not a time"),
    ],
)
def test_it_tells_the_day_in_beijing(value: object, day: str) -> None:
    assert local_date(value) == day


@pytest.mark.pure
def test_it_shows_a_time_in_beijing() -> None:
    assert local_time(LATE_UTC) == "2026-12-01 06:38"
    assert local_time("2026-11-30T22:38:00Z") == "2026-12-01 06:38"
    assert local_time(None) == ""


async def test_it_shows_a_change_made_early_in_the_morning_on_its_beijing_day(
    client: Client, personas: Personas
) -> None:
    enterprise_id = await add_enterprise(personas.ids["alice"])
    await EnterpriseChange.insert(
        EnterpriseChange(enterprise=enterprise_id, actor=personas.ids["alice"], kind="registered", changes={})
    )
    await EnterpriseChange.update({EnterpriseChange.created_at: LATE_UTC}).where(
        EnterpriseChange.enterprise == enterprise_id
    )
    await client.login("alice")
    page = (await client.http.get(f"/enterprises/{enterprise_id}")).text
    history = page[page.index('<ol class="timeline">') :]
    assert "2026-12-01 06:38" in history
    assert "2026-11-30" not in history


async def test_it_shows_a_merged_record_registered_on_its_beijing_day(client: Client, personas: Personas) -> None:
    survivor = await add_enterprise(personas.ids["alice"])
    merged = await add_enterprise(personas.ids["alice"], "开州区春华柑橘农场")
    await Enterprise.update({Enterprise.created_at: LATE_UTC}).where(Enterprise.id == merged)
    await merge_enterprises(actor(personas, "olga"), survivor, merged, "同一家农场重复登记")
    await client.login("olga")
    page = (await client.http.get(f"/enterprises/{survivor}/merges")).text
    assert "2026-12-01" in page
    assert "2026-11-30" not in page
