"""Importing a broker's spreadsheet end to end: upload, dry run and import through a real `rq worker`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from accounts.policy import Actor, Role
from core import crypto
from core.db import write_transaction
from core.jobs import JobKind, job_queue
from core.tables import OutboxJob
from enterprises import records
from enterprises.imports.applying import APPLY_FAILED
from enterprises.imports.checking import OTHER_DISTRICT, REGISTERED_BY_OTHERS
from enterprises.imports.columns import COLUMN_UNKNOWN
from enterprises.imports.rows import DUPLICATE_IN_FILE, STORED_AS_NUMBER
from enterprises.imports.tables import ImportBatch, ImportRow
from enterprises.intake import clean_enterprise
from enterprises.services import register_enterprise
from enterprises.tables import Enterprise, EnterpriseChange, Founder
from tests.conftest import DISTRICT_A, Client, Personas, run_worker_until_idle
from tests.enterprises.imports.uploads import (
    BAD_ID,
    CREATED,
    ERROR_ROWS,
    EXISTING,
    FARM_CODE,
    GOOD_ID,
    OTHER_ID,
    batch,
    checked_batch,
    messy_workbook,
    register_existing,
    report,
    upload,
)

pytestmark = pytest.mark.anyio


async def test_it_checks_a_messy_spreadsheet_row_by_row(client: Client, personas: Personas) -> None:
    token, batch_id = await checked_batch(client, personas)

    checked = await batch(client, token, batch_id)
    assert checked["state"] == "checked"
    assert checked["counts"] == {"create": 2, "match": 1, "warning": 0, "error": 4, "skipped": 1}  # row 8 is blank
    assert checked["total_rows"] == 8 and checked["percent"] == 100
    assert [w["message_id"] for w in checked["warnings"]] == [COLUMN_UNKNOWN]
    assert "备用列" in checked["warnings"][0]["message"]

    errors = await report(client, token, batch_id, "error")
    assert {row["row_number"]: [e["field"] for e in row["errors"]] for row in errors} == {
        row: [field] for row, field in ERROR_ROWS.items()
    }
    by_row = {row["row_number"]: row["errors"][0] for row in errors}
    assert by_row[4]["column"] == "身份证号码" and by_row[4]["letter"] == "H"
    assert by_row[5]["column"] == "成立时间" and by_row[5]["letter"] == "I"
    assert by_row[9]["message_id"] == STORED_AS_NUMBER
    assert by_row[7]["message_id"] == DUPLICATE_IN_FILE and "3" in by_row[7]["message"]
    matches = await report(client, token, batch_id, "match")
    assert [(row["row_number"], row["name"]) for row in matches] == [(6, EXISTING)]


async def test_it_shows_the_report_and_asks_for_confirmation_on_the_page(client: Client, personas: Personas) -> None:
    _, batch_id = await checked_batch(client, personas)
    await client.login("alice")

    page = await client.http.get(f"/enterprises/imports/{batch_id}?outcome=error")

    assert page.status_code == 200
    assert "身份证号码" in page.text and 'name="on_match" value="update"' in page.text
    assert "第 3 行" in page.text  # the duplicate names the row it repeats
    assert f'action="/enterprises/imports/{batch_id}/confirm"' in page.text
    progress = await client.http.get(f"/enterprises/imports/{batch_id}/progress")
    assert progress.json()["state"] == "checked" and progress.json()["percent"] == 100


async def test_it_imports_the_valid_rows_once_confirmed_and_only_once(client: Client, personas: Personas) -> None:
    token, batch_id = await checked_batch(client, personas)
    await client.login("alice")

    confirmed = await client.post_form(
        f"/enterprises/imports/{batch_id}/confirm", {"on_match": "update"}, csrf_from=f"/enterprises/imports/{batch_id}"
    )
    assert confirmed.status_code in (302, 303), confirmed.text
    assert (await batch(client, token, batch_id))["state"] == "applying"
    run_worker_until_idle()

    applied = await batch(client, token, batch_id)
    assert applied["state"] == "applied"
    assert applied["applied"] == {"created": 2, "updated": 1, "unchanged": 0, "skipped": 0}
    names = {row["name"] for row in await Enterprise.select(Enterprise.name)}
    assert names == CREATED | {EXISTING}  # the error rows were not imported
    existing = await Enterprise.select(Enterprise.employees).where(Enterprise.name == EXISTING).first()
    assert existing["employees"] == 30
    farm = await Enterprise.select().where(Enterprise.name == "开州春华柑橘家庭农场").first()
    assert farm["credit_code"] == FARM_CODE and Decimal(str(farm["annual_revenue"])) == Decimal(685000)
    founder = await Founder.select().where(Founder.id == farm["founder"]).first()
    assert crypto.decrypt(founder["phone_cipher"]) == "13983451234"
    assert crypto.decrypt(founder["id_number_cipher"]) == GOOD_ID
    stored = await ImportBatch.select(ImportBatch.content).where(ImportBatch.id == batch_id).first()
    assert bytes(stored["content"]) == b""  # the upload is not kept
    for row in await ImportRow.select(ImportRow.data, ImportRow.errors).output(load_json=True):
        assert GOOD_ID not in str(row) and OTHER_ID not in str(row) and "draft" not in row["data"]
    created = await report(client, token, batch_id, "create")
    assert all(row["enterprise_id"] for row in created)
    changes = await EnterpriseChange.count()

    # The same jobs again (a retry, a second worker): nothing is imported twice.
    job_queue().enqueue("enterprises.imports.jobs.apply_import", batch_id, job_id=f"again-apply-{batch_id}")
    job_queue().enqueue("enterprises.imports.jobs.check_import", batch_id, job_id=f"again-check-{batch_id}")
    run_worker_until_idle()
    assert await Enterprise.count() == 3
    assert await EnterpriseChange.count() == changes
    assert await ImportRow.count().where(ImportRow.batch == batch_id) == 8  # 7 rows and the blank row 8
    again = await client.post_form(
        f"/enterprises/imports/{batch_id}/confirm", {"on_match": "update"}, csrf_from=f"/enterprises/imports/{batch_id}"
    )
    assert again.status_code == 409


async def test_it_leaves_matching_enterprises_alone_when_told_to_skip(client: Client, personas: Personas) -> None:
    token, batch_id = await checked_batch(client, personas)

    response = await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "skip"})
    assert response.status_code == 202, response.text
    run_worker_until_idle()

    assert (await batch(client, token, batch_id))["applied"] == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
    }
    existing = await Enterprise.select(Enterprise.employees).where(Enterprise.name == EXISTING).first()
    assert existing["employees"] == 4


async def test_it_checks_twice_to_the_same_rows(client: Client, personas: Personas) -> None:
    token, batch_id = await checked_batch(client, personas)
    first = await report(client, token, batch_id)
    # The check cut short by a killed worker is run again from the start: same verdicts, no extra rows.
    await ImportBatch.update({ImportBatch.state: "checking", ImportBatch.content: messy_workbook()}).where(
        ImportBatch.id == batch_id
    )
    job_queue().enqueue("enterprises.imports.jobs.check_import", batch_id, job_id=f"again-check-{batch_id}")
    run_worker_until_idle()
    assert await report(client, token, batch_id) == first
    job_queue().enqueue("enterprises.imports.jobs.check_import", batch_id, job_id=f"third-check-{batch_id}")
    run_worker_until_idle()
    assert await report(client, token, batch_id) == first


async def test_it_imports_nothing_when_the_import_fails_half_way(client: Client, personas: Personas) -> None:
    token, batch_id = await checked_batch(client, personas)
    # The last row to create can no longer be written (its name is gone): the first must not stay.
    last = await ImportRow.select().where(ImportRow.row_number == 10).output(load_json=True).first()
    draft = {k: v for k, v in last["data"]["draft"].items() if k != "name"}
    await ImportRow.update({ImportRow.data: {**last["data"], "draft": draft}}).where(ImportRow.id == last["id"])

    await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "update"})
    run_worker_until_idle()

    failed = await batch(client, token, batch_id)
    assert failed["state"] == "failed"
    assert failed["error"]["message_id"] == APPLY_FAILED
    assert {row["name"] for row in await Enterprise.select(Enterprise.name)} == {EXISTING}
    existing = await Enterprise.select(Enterprise.employees).where(Enterprise.name == EXISTING).first()
    assert existing["employees"] == 4


async def test_it_keeps_personal_data_out_of_job_arguments_and_logs(client: Client, personas: Personas) -> None:
    await register_existing(personas)
    token = await client.api_token("alice")
    batch_id = (await upload(client, token, messy_workbook())).json()["id"]

    outbox = await OutboxJob.select(OutboxJob.args).output(load_json=True)
    assert [row["args"] for row in outbox] == [[batch_id]]
    assert [job.args for job in job_queue(kind=JobKind.HEAVY).get_jobs()] == [(batch_id,)]
    output = run_worker_until_idle()
    await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "update"})
    output += run_worker_until_idle()
    for secret in (GOOD_ID, OTHER_ID, BAD_ID, "13983451234", "周春华"):
        assert secret not in output


async def test_it_imports_a_gbk_csv(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    csv = "企业名称,乡镇,负责人,联系电话,性别\n开州红薯粉坊,汉丰街道,张三,13800000000,男\n".encode("gbk")

    batch_id = (await upload(client, token, csv, "名单.csv")).json()["id"]
    run_worker_until_idle()
    counts = (await batch(client, token, batch_id))["counts"]
    assert counts == {"create": 1, "match": 0, "warning": 0, "error": 0, "skipped": 0}
    await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "skip"})
    run_worker_until_idle()

    row = await Enterprise.select(Enterprise.name, Enterprise.district, Enterprise.founder.gender).first()
    assert row == {"name": "开州红薯粉坊", "district": DISTRICT_A, "founder.gender": "male"}


async def test_it_updates_only_enterprises_within_the_uploaders_reach(
    client: Client, new_client: Any, personas: Personas
) -> None:
    andy = personas.add("andy", Role.BROKER, DISTRICT_A)  # another broker of Alice's district
    await register_enterprise(
        Actor(user_id=andy, role=Role.BROKER, district=DISTRICT_A),
        {
            "name": EXISTING,
            "district": DISTRICT_A,
            "town": "汉丰街道",
            "founder_name": "张三",
            "founder_phone": "13800000000",
        },
    )
    csv = "企业名称,乡镇,负责人,联系电话,区县\n"
    csv += f"{EXISTING},汉丰街道,张三,13800000000,\n春华农场,汉丰街道,周春华,13983451234,永川区\n"

    alice = await client.api_token("alice")
    alices = (await upload(client, alice, csv.encode(), "名单.csv")).json()["id"]
    officer = new_client()
    olga = await officer.api_token("olga")
    olgas = (await upload(officer, olga, csv.encode(), "名单.csv")).json()["id"]
    run_worker_until_idle()

    # A broker may not overwrite another broker's record; the district officer may. Neither reaches 永川区.
    assert [(r["row_number"], r["errors"][0]["message_id"]) for r in await report(client, alice, alices)] == [
        (2, REGISTERED_BY_OTHERS),
        (3, OTHER_DISTRICT),
    ]
    rows = await report(officer, olga, olgas)
    assert [(r["row_number"], r["outcome"]) for r in rows] == [(2, "match"), (3, "error")]


async def test_it_records_each_imported_change_with_personal_data_masked(client: Client, personas: Personas) -> None:
    alice = Actor(user_id=personas.ids["alice"], role=Role.BROKER, district=DISTRICT_A)
    existing = await register_existing(personas)
    place = {"district": DISTRICT_A, "town": "文峰街道"}
    shop = await register_enterprise(
        alice, {**place, "name": "开州文峰电商服务部", "founder_name": "刘志强", "founder_phone": "13800004444"}
    )
    mill = await register_enterprise(
        alice, {**place, "name": "开州文峰面坊", "founder_name": "赵立新", "founder_phone": "13800005555"}
    )
    before = await EnterpriseChange.count()
    stamped = {r["id"]: r["updated_at"] for r in await Enterprise.select(Enterprise.id, Enterprise.updated_at)}
    csv = "企业名称,乡镇,负责人,联系电话,身份证号码,员工数\n"
    csv += f"{EXISTING},汉丰街道,张三,13912345678,{GOOD_ID},4\n"  # a new phone and ID number
    csv += "开州文峰电商服务部,文峰街道,刘志强,13800004444,,9\n"  # more employees
    csv += "开州文峰面坊,文峰街道,赵立新,13800005555,,\n"  # as registered

    token = await client.api_token("alice")
    batch_id = (await upload(client, token, csv.encode(), "名单.csv")).json()["id"]
    run_worker_until_idle()
    counts = (await batch(client, token, batch_id))["counts"]
    assert counts == {"create": 0, "match": 3, "warning": 0, "error": 0, "skipped": 0}
    await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "update"})
    run_worker_until_idle()

    applied = await batch(client, token, batch_id)
    assert applied["applied"] == {"created": 0, "updated": 2, "unchanged": 1, "skipped": 0}
    assert await EnterpriseChange.count() == before + 2
    changes = {
        row["enterprise"]: row["changes"]
        for row in await EnterpriseChange.select(EnterpriseChange.enterprise, EnterpriseChange.changes)
        .where(EnterpriseChange.kind == "imported")
        .output(load_json=True)
    }
    assert set(changes) == {existing, shop}  # the unchanged row wrote nothing
    assert changes[existing]["founder_phone"] == ["138****0000", "139****5678"]
    assert changes[existing]["founder_id_number"][0] == ""
    assert GOOD_ID[-4:] in changes[existing]["founder_id_number"][1]
    assert GOOD_ID not in str(changes) and "13912345678" not in str(changes)
    assert changes[shop] == {"employees": [None, 9]}
    founder = await Founder.select().where(Founder.phone_digest == crypto.digest("13912345678")).first()
    assert crypto.decrypt(founder["id_number_cipher"]) == GOOD_ID and founder["id_number_last4"] == GOOD_ID[-4:]
    rows = {r["id"]: r for r in await Enterprise.select(Enterprise.id, Enterprise.employees, Enterprise.updated_at)}
    assert rows[shop]["employees"] == 9
    assert rows[existing]["updated_at"] > stamped[existing] and rows[shop]["updated_at"] > stamped[shop]
    assert rows[mill]["updated_at"] == stamped[mill]
    assert {r["enterprise_id"] for r in await report(client, token, batch_id)} == {existing, shop, mill}


async def test_it_applies_drafts_in_bulk_as_one_by_one(personas: Personas) -> None:
    alice = personas.ids["alice"]
    form = {"district": DISTRICT_A, "town": "汉丰街道", "founder_name": "周春华", "founder_phone": "13983451234"}
    form["founder_id_number"] = GOOD_ID
    farm_form, store_form = {**form, "name": "开州春华柑橘家庭农场"}, {**form, "name": "开州春华农产品店"}
    async with write_transaction():  # one founder, known by his ID number
        farm, store = await records.create_enterprises(
            [clean_enterprise(f, None, records.today()) for f in (farm_form, store_form)], alice
        )
    assert await Founder.count() == 1
    phoned = clean_enterprise({**farm_form, "founder_phone": "13700001111"}, None, records.today())
    bigger = clean_enterprise({**store_form, "employees": "7"}, None, records.today())

    async with write_transaction():
        results = await records.apply_drafts([(farm, phoned), (store, bigger), (farm, phoned)], alice, "imported")

    # The store's draft still has the old phone: the founder the farm's draft changed is changed back.
    assert results == [
        {"founder_phone": ["139****1234", "137****1111"]},
        {"employees": [None, 7], "founder_phone": ["137****1111", "139****1234"]},
        {"founder_phone": ["139****1234", "137****1111"]},
    ]
    founder = await Founder.select().first()
    assert crypto.decrypt(founder["phone_cipher"]) == "13700001111"
    assert crypto.decrypt(founder["id_number_cipher"]) == GOOD_ID
    assert await EnterpriseChange.count().where(EnterpriseChange.kind == "imported") == 3
    assert (await Enterprise.select(Enterprise.employees).where(Enterprise.id == store).first())["employees"] == 7
    async with write_transaction():
        again = await records.apply_drafts([(farm, phoned), (store, bigger)], alice)
    assert again == [{}, {"founder_phone": ["137****1111", "139****1234"]}]
    anonymous = clean_enterprise({**farm_form, "founder_id_number": ""}, None, records.today())
    async with write_transaction():
        (changed,) = await records.apply_drafts([(farm, anonymous)], alice)
    assert changed and "founder_id_number" not in changed
    founder = await Founder.select().first()
    assert crypto.decrypt(founder["id_number_cipher"]) == GOOD_ID  # an empty ID field keeps the number on record
