"""Founders' phones at rest: encrypted, found by their keyed hash or last four, never stored in clear.

And what an import keeps of them: drafts encrypted, purged when never confirmed, the upload
dropped as soon as the check has read it.
"""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.policy import Actor, Role
from core import crypto
from core.db import engine
from core.errors import Invalid
from core.pagination import PageRequest
from enterprises.duplicates.merge_service import merge_enterprises
from enterprises.identifiers import mask_phone
from enterprises.imports.purging import EXPIRED, purge_unconfirmed_imports
from enterprises.imports.rows import draft_data, draft_from_data
from enterprises.imports.tables import ImportBatch, ImportRow
from enterprises.intake import clean_enterprise
from enterprises.listing import EnterpriseFilter, list_enterprises
from enterprises.phones import SEARCH_FULL_OR_LAST4, phone_search, stored_phone
from enterprises.records import today
from enterprises.services import get_enterprise, register_enterprise, reveal_personal_data
from enterprises.tables import Founder
from piccolo_conf import APP_REGISTRY
from tests.conftest import DISTRICT_A, DISTRICT_B, Client, Personas, run_worker_until_idle
from tests.enterprises.imports.uploads import MESSY_ROWS, batch, checked_batch, messy_workbook, upload

pytestmark = pytest.mark.anyio

PHONE = "13983451234"
OTHER_PHONE = "13709871234"  # the same last four, another number
BOBS_PHONE = "15823459876"
MIGRATION = "enterprises.piccolo_migrations.enterprises_2026_12_02t16_06_35_000000"


def actor(personas: Personas, username: str) -> Actor:
    roles = {"alice": Role.BROKER, "bob": Role.BROKER, "olga": Role.DISTRICT_OFFICER, "carl": Role.CITY_OFFICER}
    districts = {"alice": DISTRICT_A, "olga": DISTRICT_A, "bob": DISTRICT_B}
    return Actor(user_id=personas.ids[username], role=roles[username], district=districts.get(username))


def form(name: str, phone: str, district: str = DISTRICT_A, town: str = "汉丰街道") -> dict[str, str]:
    return {
        "name": name,
        "district": district,
        "town": town,
        "founder_name": "周春华",
        "founder_phone": phone,
        "confirm_not_duplicate": "1",
    }


async def every_stored_value() -> list[tuple[str, str, Any]]:
    """(table, column, value) of every cell of every table of every app."""
    cells = []
    for app in APP_REGISTRY.app_configs.values():
        for table in app.table_classes:
            for row in await table.select():
                cells += [(table._meta.tablename, column, value) for column, value in row.items()]
    return cells


def in_clear(numbers: set[str], cells: list[tuple[str, str, Any]]) -> list[tuple[str, str]]:
    found = []
    for table, column, value in cells:
        if isinstance(value, bytes | bytearray | memoryview):
            text = bytes(value).decode("latin-1")
        elif isinstance(value, dict | list):
            text = json.dumps(value, ensure_ascii=False)
        else:
            text = str(value)
        found += [(table, column) for number in numbers if number in text]
    return found


async def test_it_keeps_no_mobile_in_clear_after_registration_import_and_merge(
    client: Client, personas: Personas
) -> None:
    alice, bob = actor(personas, "alice"), actor(personas, "bob")
    farm = await register_enterprise(alice, form("春华柑橘家庭农场", "+86 139 8345 1234"))
    again = await register_enterprise(alice, form("春华柑橘种植家庭农场", PHONE))
    await register_enterprise(bob, form("永川春华农业", BOBS_PHONE, DISTRICT_B, "胜利路街道"))
    token, batch_id = await checked_batch(client, personas)
    waiting = (await upload(client, token, messy_workbook(), "又一份.xlsx")).json()["id"]
    run_worker_until_idle()  # checked, never confirmed: its drafts wait, encrypted
    confirmed = await client.http.post(
        f"/api/v1/imports/{batch_id}/confirm", json={"on_match": "update"}, headers=token
    )
    assert confirmed.status_code == 202, confirmed.text
    run_worker_until_idle()
    assert (await batch(client, token, batch_id))["state"] == "applied"
    assert (await batch(client, token, waiting))["state"] == "checked"
    await merge_enterprises(actor(personas, "olga"), farm, again, "同一农场 周春华本人确认")

    mobiles = {PHONE, BOBS_PHONE} | {str(cells[6]) for _, cells in MESSY_ROWS if str(cells[6]).startswith("1")}
    cells = await every_stored_value()
    assert {"enterprises_founder", "enterprises_import_row", "enterprises_merge"} <= {table for table, _, _ in cells}
    assert in_clear(mobiles, cells) == []
    # … yet each is stored, readable with the key.
    stored = {crypto.decrypt(row["phone_cipher"]) for row in await Founder.select(Founder.phone_cipher)}
    assert {PHONE, BOBS_PHONE, "13800000000"} <= stored


async def test_it_shows_the_phone_masked_as_before_and_reveals_it_in_full(personas: Personas) -> None:
    olga = actor(personas, "olga")
    mobile = await register_enterprise(actor(personas, "alice"), form("春华柑橘家庭农场", PHONE))
    landline = await register_enterprise(actor(personas, "alice"), form("开州文峰电商服务部", "023 5222 1234"))

    assert (await get_enterprise(olga, mobile))["founder_phone"] == "139****1234" == mask_phone(PHONE)
    assert (await get_enterprise(olga, landline))["founder_phone"] == "023-****1234"
    revealed = await reveal_personal_data(olga, mobile, "核实联系方式")
    assert revealed.phone == PHONE


@pytest.mark.parametrize("typed", [PHONE, "+86 139 8345 1234", "139-8345-1234", "１３９８３４５１２３４"])
async def test_it_finds_a_record_by_its_full_number_however_written(personas: Personas, typed: str) -> None:
    alice = actor(personas, "alice")
    farm = await register_enterprise(alice, form("春华柑橘家庭农场", PHONE))
    await register_enterprise(alice, form("开州兴旺竹编合作社", OTHER_PHONE))

    found = await list_enterprises(alice, EnterpriseFilter(phone=typed), PageRequest())
    assert [row["id"] for row in found.items] == [farm]


async def test_it_finds_by_the_last_four_only_within_reach(personas: Personas) -> None:
    alice, bob = actor(personas, "alice"), actor(personas, "bob")
    farm = await register_enterprise(alice, form("春华柑橘家庭农场", PHONE))
    coop = await register_enterprise(alice, form("开州兴旺竹编合作社", OTHER_PHONE))
    await register_enterprise(alice, form("开州老王土鸡养殖场", "13800002222"))
    bobs = await register_enterprise(bob, form("永川春华农业", "15800001234", DISTRICT_B, "胜利路街道"))

    mine = await list_enterprises(alice, EnterpriseFilter(phone="1234"), PageRequest())
    assert {row["id"] for row in mine.items} == {farm, coop}
    theirs = await list_enterprises(bob, EnterpriseFilter(phone="1234"), PageRequest())
    assert {row["id"] for row in theirs.items} == {bobs}
    outside = await list_enterprises(bob, EnterpriseFilter(phone=PHONE), PageRequest())
    assert outside.items == [] and outside.total == 0


@pytest.mark.parametrize("fragment", ["8345 1234", "83451", "139", "12a4"])
async def test_it_asks_for_the_full_number_or_its_last_four(personas: Personas, fragment: str) -> None:
    with pytest.raises(Invalid) as refused:
        await list_enterprises(actor(personas, "alice"), EnterpriseFilter(phone=fragment), PageRequest())
    assert refused.value.errors == {"phone": SEARCH_FULL_OR_LAST4}


@pytest.mark.pure
@pytest.mark.parametrize(
    ("typed", "last4", "by_digest"),
    [
        ("13983451234", "", True),
        ("+86 139 8345 1234", "", True),
        ("023-52221234", "", True),
        ("1234", "1234", False),
        (" 1 2 3 4 ", "1234", False),
        ("12345", None, False),
        ("abcd", None, False),
    ],
)
def test_it_reads_what_a_phone_search_looks_for(typed: str, last4: str | None, by_digest: bool) -> None:
    search = phone_search(typed)
    if last4 is None:
        assert search is None
        return
    assert search is not None and search.last4 == last4 and bool(search.digests) is by_digest


async def test_it_converts_phones_stored_in_clear(personas: Personas) -> None:
    """The data migration on a founder written as the previous migration left the table (a clear `phone`)."""
    migration = importlib.import_module(MIGRATION)
    await engine().run_ddl("ALTER TABLE enterprises_founder ADD COLUMN phone VARCHAR(20) NOT NULL DEFAULT ''")
    try:
        for name, phone in (("周春华", "139 8345 1234"), ("刘志强", "023-52221234"), ("无电话", "")):
            await Founder.raw("INSERT INTO enterprises_founder (name, phone) VALUES ({}, {})", name, phone)
        assert await migration.convert_phones(batch=2) == 2
        assert await migration.convert_phones() == 0  # a second run finds nothing left in clear
        rows = {row["name"]: row for row in await Founder.select()}
    finally:
        await migration.drop_phone_index()
        await engine().run_ddl("ALTER TABLE enterprises_founder DROP COLUMN phone")

    assert crypto.decrypt(rows["周春华"]["phone_cipher"]) == PHONE
    assert rows["周春华"]["phone_digest"] == crypto.digest(PHONE) == stored_phone(PHONE)["phone_digest"]
    assert (rows["周春华"]["phone_last4"], rows["周春华"]["phone_masked"]) == ("1234", "139****1234")
    assert crypto.decrypt(rows["刘志强"]["phone_cipher"]) == "023-52221234"
    assert rows["刘志强"]["phone_masked"] == "023-****1234"
    assert rows["无电话"]["phone_cipher"] == rows["无电话"]["phone_digest"] == ""


@pytest.mark.pure
def test_it_stores_an_import_draft_with_the_phone_encrypted() -> None:
    draft = clean_enterprise(form("春华柑橘家庭农场", PHONE), None, today())
    data = draft_data(draft, crypto.encrypt)
    assert PHONE not in json.dumps(data) and "founder_phone" not in data
    assert draft_from_data(data, crypto.decrypt) == draft


async def test_it_empties_the_upload_when_its_check_ends(client: Client, personas: Personas) -> None:
    _, batch_id = await checked_batch(client, personas)
    stored = await ImportBatch.select(ImportBatch.content).where(ImportBatch.id == batch_id).first()
    assert stored is not None and bytes(stored["content"]) == b""


async def test_it_purges_the_drafts_of_imports_never_confirmed(client: Client, personas: Personas) -> None:
    token, old = await checked_batch(client, personas)
    fresh = (await upload(client, token, messy_workbook(), "新.xlsx")).json()["id"]
    run_worker_until_idle()
    now = datetime.now(UTC)
    await ImportBatch.update({ImportBatch.created_at: now - timedelta(days=8)}).where(ImportBatch.id == old)

    assert await purge_unconfirmed_imports(now) == 1
    assert await purge_unconfirmed_imports(now) == 0  # a second run finds nothing more
    assert await ImportRow.count().where(ImportRow.batch == old) == 0
    assert await ImportRow.count().where(ImportRow.batch == fresh) > 0
    expired = await batch(client, token, old)
    assert expired["state"] == "cancelled"
    row = await ImportBatch.select(ImportBatch.error).where(ImportBatch.id == old).first()
    assert row is not None and row["error"] == EXPIRED
    refused = await client.http.post(f"/api/v1/imports/{old}/confirm", json={"on_match": "skip"}, headers=token)
    assert refused.status_code == 409
