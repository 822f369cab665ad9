"""Importing a broker's spreadsheet end to end: upload, dry run and import through a real `rq worker`."""

from __future__ import annotations

import io
import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from accounts.policy import Actor, Role
from core import crypto
from core.db import write_transaction
from core.jobs import job_queue
from core.tables import OutboxJob
from enterprises import import_service, importing, services
from enterprises.identifiers import complete_credit_code, complete_resident_id
from enterprises.intake import NOT_YOUR_DISTRICT, clean_enterprise
from enterprises.services import register_enterprise
from enterprises.tables import Enterprise, EnterpriseChange, Founder, ImportBatch, ImportRow
from tests.conftest import DISTRICT_A, Client, Personas, run_worker_until_idle

pytestmark = pytest.mark.anyio


GOOD_ID = complete_resident_id("50023419860101123")
OTHER_ID = complete_resident_id("50015419900315002")
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")  # wrong check character
FARM_CODE = complete_credit_code("92500154MA5YX2KQ3")
EXISTING = "开州红薯粉坊"

HEADERS = [
    "序号",
    "企业（个体户）名称",
    "统一社会信用代码",
    "类型",
    "乡镇（街道）",
    "负责人",
    "手机",
    "身份证号码",
    "成立时间",
    "员工数",
    "年营业收入（万元）",
    "备用列",
]
# (row as the spreadsheet numbers it, cells); row 1 is a title, row 2 the headers, row 8 is left empty.
MESSY_ROWS: list[tuple[int, list[Any]]] = [
    (3, [1, "开州春华柑橘家庭农场", FARM_CODE, "家庭农场", "汉丰街道", "周春华", 13983451234, GOOD_ID,
         datetime(2021, 3, 15), 12, 68.5, "x"]),
    (4, [2, "开州兴旺竹编合作社", "", "合作社", "文峰街道", "李兴旺", "13800001111", BAD_ID, "2019-05-01", 5, "", ""]),
    (5, [3, "开州老王土鸡养殖场", "", "个体户", "临江镇", "王德明", "13800002222", "", "2021-13-45", 3, "", ""]),
    (6, [4, EXISTING, "", "个体工商户", "汉丰街道", "张三", "13800000000", "", "", 30, "", ""]),
    (7, [5, "开州春华柑橘家庭农场", "", "家庭农场", "汉丰街道", "周春华", "13983451234", "", "", "", "", ""]),
    (9, [6, "开州巧手服装加工厂", "", "个体工商户", "云枫街道", "陈巧玲", "13800003333", 5.00154199003150e17, "", "",
         "", ""]),
    (10, [7, "开州文峰电商服务部", "", "个体工商户", "文峰街道", "刘志强", "023-52221234", OTHER_ID, "2020/6/1", "8人",
          "120", ""]),
]  # fmt: skip
ERROR_ROWS = {4: "founder_id_number", 5: "founded_on", 7: "name", 9: "founder_id_number"}
CREATED = {"开州春华柑橘家庭农场", "开州文峰电商服务部"}


def messy_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["开州区返乡创业企业名单（2026年）"])
    sheet.merge_cells("A1:L1")
    sheet.append(HEADERS)
    for number, cells in MESSY_ROWS:
        for column, value in enumerate(cells, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def register_existing(personas: Personas) -> int:
    alice = Actor(user_id=personas.ids["alice"], role=Role.BROKER, district=DISTRICT_A)
    return await register_enterprise(
        alice,
        {
            "name": EXISTING,
            "district": DISTRICT_A,
            "town": "汉丰街道",
            "founder_name": "张三",
            "founder_phone": "13800000000",
            "employees": "4",
        },
    )


async def upload(client: Client, token: dict[str, str], content: bytes, filename: str = "名单.xlsx") -> Any:
    return await client.http.post(
        "/api/v1/imports", headers=token, files={"file": (filename, content, "application/octet-stream")}
    )


async def batch(client: Client, token: dict[str, str], batch_id: int) -> dict[str, Any]:
    response = await client.http.get(f"/api/v1/imports/{batch_id}", headers=token)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def report(client: Client, token: dict[str, str], batch_id: int, outcome: str = "") -> list[dict[str, Any]]:
    query = f"?outcome={outcome}&per_page=100" if outcome else "?per_page=100"
    response = await client.http.get(f"/api/v1/imports/{batch_id}/rows{query}", headers=token)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def checked_batch(client: Client, personas: Personas) -> tuple[dict[str, str], int]:
    """Alice's messy spreadsheet, uploaded by API and checked by a real worker."""
    await register_existing(personas)
    token = await client.api_token("alice")
    response = await upload(client, token, messy_workbook())
    assert response.status_code == 201, response.text
    batch_id = response.json()["id"]
    run_worker_until_idle()
    return token, batch_id


async def test_it_checks_a_messy_spreadsheet_row_by_row(client: Client, personas: Personas) -> None:
    token, batch_id = await checked_batch(client, personas)

    checked = await batch(client, token, batch_id)
    assert checked["state"] == "checked"
    assert checked["counts"] == {"create": 2, "match": 1, "error": 4}
    assert checked["total_rows"] == 7 and checked["percent"] == 100
    assert [w["message_id"] for w in checked["warnings"]] == [importing.COLUMN_UNKNOWN]
    assert "备用列" in checked["warnings"][0]["message"]

    errors = await report(client, token, batch_id, "error")
    assert {row["row_number"]: [e["field"] for e in row["errors"]] for row in errors} == {
        row: [field] for row, field in ERROR_ROWS.items()
    }
    by_row = {row["row_number"]: row["errors"][0] for row in errors}
    assert by_row[4]["column"] == "身份证号码" and by_row[4]["letter"] == "H"
    assert by_row[5]["column"] == "成立时间" and by_row[5]["letter"] == "I"
    assert by_row[9]["message_id"] == importing.STORED_AS_NUMBER
    assert by_row[7]["message_id"] == importing.DUPLICATE_IN_FILE and "3" in by_row[7]["message"]
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
    assert founder["phone"] == "13983451234" and crypto.decrypt(founder["id_number_cipher"]) == GOOD_ID
    stored = await ImportBatch.select(ImportBatch.content).where(ImportBatch.id == batch_id).first()
    assert bytes(stored["content"]) == b""  # the upload is not kept
    for row in await ImportRow.select(ImportRow.data, ImportRow.errors).output(load_json=True):
        assert GOOD_ID not in str(row) and OTHER_ID not in str(row) and "draft" not in row["data"]
    created = await report(client, token, batch_id, "create")
    assert all(row["enterprise_id"] for row in created)
    changes = await EnterpriseChange.count()

    # The same jobs again (a retry, a second worker): nothing is imported twice.
    job_queue().enqueue("enterprises.import_jobs.apply_import", batch_id, job_id=f"again-apply-{batch_id}")
    job_queue().enqueue("enterprises.import_jobs.check_import", batch_id, job_id=f"again-check-{batch_id}")
    run_worker_until_idle()
    assert await Enterprise.count() == 3
    assert await EnterpriseChange.count() == changes
    assert await ImportRow.count().where(ImportRow.batch == batch_id) == 7
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
    job_queue().enqueue("enterprises.import_jobs.check_import", batch_id, job_id=f"again-check-{batch_id}")
    run_worker_until_idle()
    assert await report(client, token, batch_id) == first
    job_queue().enqueue("enterprises.import_jobs.check_import", batch_id, job_id=f"third-check-{batch_id}")
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
    assert failed["error"]["message_id"] == import_service.APPLY_FAILED
    assert {row["name"] for row in await Enterprise.select(Enterprise.name)} == {EXISTING}
    existing = await Enterprise.select(Enterprise.employees).where(Enterprise.name == EXISTING).first()
    assert existing["employees"] == 4


async def test_it_keeps_personal_data_out_of_job_arguments_and_logs(client: Client, personas: Personas) -> None:
    await register_existing(personas)
    token = await client.api_token("alice")
    batch_id = (await upload(client, token, messy_workbook())).json()["id"]

    outbox = await OutboxJob.select(OutboxJob.args).output(load_json=True)
    assert [row["args"] for row in outbox] == [[batch_id]]
    assert [job.args for job in job_queue().get_jobs()] == [(batch_id,)]
    output = run_worker_until_idle()
    await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "update"})
    output += run_worker_until_idle()
    for secret in (GOOD_ID, OTHER_ID, BAD_ID, "13983451234", "周春华"):
        assert secret not in output


async def test_it_refuses_a_broken_file_with_a_clear_message(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    garbage = bytes(range(256)) * 40

    batch_id = (await upload(client, token, garbage, "名单.csv")).json()["id"]
    run_worker_until_idle()

    failed = await batch(client, token, batch_id)
    assert failed["state"] == "failed"
    assert failed["error"]["message_id"] == importing.FILE_NOT_TEXT
    assert "UTF-8" in failed["error"]["message"] and "GBK" in failed["error"]["message"]
    assert await Enterprise.count() == 0 and await ImportRow.count() == 0
    await client.login("alice")
    page = await client.http.get(f"/enterprises/imports/{batch_id}")
    assert failed["error"]["message"] in page.text


async def test_it_refuses_a_file_in_an_unreadable_encoding(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    big5 = "企業名稱,鄉鎮,負責人,聯繫電話\n開州紅薯粉坊,漢豐街道,張三,13800000000\n".encode("big5")

    batch_id = (await upload(client, token, big5, "名单.csv")).json()["id"]
    run_worker_until_idle()

    failed = await batch(client, token, batch_id)
    assert failed["state"] == "failed" and failed["error"]["message_id"] == importing.FILE_NO_HEADERS
    assert await Enterprise.count() == 0


async def test_it_names_the_missing_required_columns(client: Client, personas: Personas) -> None:
    token = await client.api_token("carl")  # a city officer has no district to default to
    csv = "企业名称,乡镇,负责人\n开州红薯粉坊,汉丰街道,张三\n".encode()

    batch_id = (await upload(client, token, csv, "list.csv")).json()["id"]
    run_worker_until_idle()

    failed = await batch(client, token, batch_id)
    assert failed["error"]["message_id"] == importing.FILE_MISSING_COLUMNS
    assert "区县" in failed["error"]["message"] and "联系电话" in failed["error"]["message"]


async def test_it_imports_a_gbk_csv(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    csv = "企业名称,乡镇,负责人,联系电话,性别\n开州红薯粉坊,汉丰街道,张三,13800000000,男\n".encode("gbk")

    batch_id = (await upload(client, token, csv, "名单.csv")).json()["id"]
    run_worker_until_idle()
    assert (await batch(client, token, batch_id))["counts"] == {"create": 1, "match": 0, "error": 0}
    await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "skip"})
    run_worker_until_idle()

    row = await Enterprise.select(Enterprise.name, Enterprise.district, Enterprise.founder.gender).first()
    assert row == {"name": "开州红薯粉坊", "district": DISTRICT_A, "founder.gender": "male"}


async def test_it_refuses_other_file_types_at_once(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")

    response = await upload(client, token, b"\xd0\xcf\x11\xe0old", "名单.xls")

    assert response.status_code == 422
    assert response.json()["errors"]["file"] == "这是旧版 .xls 工作簿。请在 Excel 中另存为 .xlsx 后重新上传。"
    assert await ImportBatch.count() == 0


async def test_it_refuses_a_file_over_10_mb_with_a_clear_message(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")

    response = await upload(client, token, b"x" * (importing.MAX_UPLOAD_BYTES + 1), "名单.csv")

    assert response.status_code == 422
    assert response.json()["errors"]["file"] == "文件超过 10 MB。请拆分成几个较小的文件。"
    assert await ImportBatch.count() == 0


async def test_it_uploads_through_the_page(client: Client, personas: Personas) -> None:
    await client.login("alice")
    form = await client.http.get("/enterprises/imports")
    assert 'enctype="multipart/form-data"' in form.text and "/enterprises/imports/template.xlsx" in form.text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)
    assert token

    response = await client.http.post(
        "/enterprises/imports",
        data={"_csrf_token": token.group(1)},
        files={"file": ("名单.xlsx", messy_workbook(), "application/octet-stream")},
    )

    assert response.status_code in (302, 303), response.text
    batch_id = int(response.headers["location"].rsplit("/", 1)[-1])
    detail = await client.http.get(f"/enterprises/imports/{batch_id}")
    assert "<progress" in detail.text and "/static/import.js" in detail.text
    assert (await client.http.get("/enterprises/imports")).text.count("名单.xlsx") == 1


async def test_it_asks_for_a_file_on_the_page(client: Client, personas: Personas) -> None:
    await client.login("alice")

    response = await client.post_form("/enterprises/imports", {})

    assert response.status_code == 400
    assert 'id="e-file"' in response.text


async def test_it_serves_the_template_with_every_column(client: Client, personas: Personas) -> None:
    await client.login("alice")

    response = await client.http.get("/enterprises/imports/template.xlsx")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(importing_media())
    sheet = importing.read_rows("template.xlsx", response.content)
    columns = importing.map_columns(sheet.headers, "")
    assert set(columns.columns) == set(importing.COLUMNS) and not columns.warnings


def importing_media() -> str:
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_it_keeps_each_import_within_its_uploaders_reach(
    client: Client, new_client: Any, personas: Personas
) -> None:
    _, batch_id = await checked_batch(client, personas)

    for username, status in (("bob", 404), ("oscar", 404), ("olga", 200), ("carl", 200)):
        other = new_client()
        headers = await other.api_token(username)
        assert (await other.http.get(f"/api/v1/imports/{batch_id}", headers=headers)).status_code == status, username
        rows = await other.http.get(f"/api/v1/imports/{batch_id}/rows", headers=headers)
        assert rows.status_code == status, username
        listed = (await other.http.get("/api/v1/imports", headers=headers)).json()["items"]
        assert [b["id"] for b in listed] == ([batch_id] if status == 200 else []), username
        await other.login(username)
        assert (await other.http.get(f"/enterprises/imports/{batch_id}")).status_code == status, username
    olga = new_client()
    headers = await olga.api_token("olga")
    confirm = await olga.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=headers, json={"on_match": "skip"})
    assert confirm.status_code == 403  # only the uploader confirms
    expert = new_client()
    assert (await expert.http.get("/api/v1/imports", headers=await expert.api_token("eve"))).status_code == 403


async def test_it_cancels_an_import_and_forgets_its_rows(client: Client, personas: Personas) -> None:
    token, batch_id = await checked_batch(client, personas)

    response = await client.http.post(f"/api/v1/imports/{batch_id}/cancel", headers=token)

    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert await ImportRow.count() == 0
    confirm = await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "skip"})
    assert confirm.status_code == 409
    assert await Enterprise.count() == 1


async def test_it_documents_the_api_in_the_openapi_schema(app: Any) -> None:
    paths = app.openapi_schema.to_schema()["paths"]
    assert {"/api/v1/imports", "/api/v1/imports/{batch_id}", "/api/v1/imports/{batch_id}/rows"} <= set(paths)
    assert "/api/v1/imports/{batch_id}/confirm" in paths
    assert not [p for p in paths if p.startswith("/enterprises/imports")]


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
        (2, import_service.REGISTERED_BY_OTHERS),
        (3, NOT_YOUR_DISTRICT),
    ]
    rows = await report(officer, olga, olgas)
    assert [(r["row_number"], r["outcome"]) for r in rows] == [(2, "match"), (3, "error")]


async def test_it_answers_an_impossible_batch_id_without_a_server_error(client: Client, personas: Personas) -> None:
    await client.login("alice")
    token = await client.api_token("alice")

    assert (await client.http.get("/enterprises/imports/99999999999")).status_code == 400
    assert (await client.http.get("/enterprises/imports/12345")).status_code == 404
    assert (await client.http.get("/api/v1/imports/99999999999", headers=token)).status_code == 400


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
    assert (await batch(client, token, batch_id))["counts"] == {"create": 0, "match": 3, "error": 0}
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
    founder = await Founder.select().where(Founder.phone == "13912345678").first()
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
        farm, store = await services.create_enterprises(
            [clean_enterprise(f, None, services.today()) for f in (farm_form, store_form)], alice
        )
    assert await Founder.count() == 1
    phoned = clean_enterprise({**farm_form, "founder_phone": "13700001111"}, None, services.today())
    bigger = clean_enterprise({**store_form, "employees": "7"}, None, services.today())

    async with write_transaction():
        results = await services.apply_drafts([(farm, phoned), (store, bigger), (farm, phoned)], alice, "imported")

    # The store's draft still has the old phone: the founder the farm's draft changed is changed back.
    assert results == [
        {"founder_phone": ["139****1234", "137****1111"]},
        {"employees": [None, 7], "founder_phone": ["137****1111", "139****1234"]},
        {"founder_phone": ["139****1234", "137****1111"]},
    ]
    founder = await Founder.select().first()
    assert founder["phone"] == "13700001111" and crypto.decrypt(founder["id_number_cipher"]) == GOOD_ID
    assert await EnterpriseChange.count().where(EnterpriseChange.kind == "imported") == 3
    assert (await Enterprise.select(Enterprise.employees).where(Enterprise.id == store).first())["employees"] == 7
    async with write_transaction():
        again = await services.apply_drafts([(farm, phoned), (store, bigger)], alice)
    assert again == [{}, {"founder_phone": ["137****1111", "139****1234"]}]
    anonymous = clean_enterprise({**farm_form, "founder_id_number": ""}, None, services.today())
    async with write_transaction():
        (changed,) = await services.apply_drafts([(farm, anonymous)], alice)
    assert changed and "founder_id_number" not in changed
    founder = await Founder.select().first()
    assert crypto.decrypt(founder["id_number_cipher"]) == GOOD_ID  # an empty ID field keeps the number on record
