"""Importing the pool through the enterprises' import machinery: dry run, row report, import, by a real worker."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from enterprises.imports.tables import ImportBatch, ImportRow
from experts.imports.rows import DUPLICATE_EXPERT, UNKNOWN_DISTRICT_NAMED, UNKNOWN_SPECIALTY, map_headers
from experts.imports.template import template_headers
from experts.tables import Expert
from tests.conftest import DISTRICT_A, run_worker_until_idle
from tests.experts.pool import add_expert, signed_in

pytestmark = [pytest.mark.anyio, pytest.mark.usefixtures("personas")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADERS = [
    "序号",
    "姓名*",
    "工作单位",
    "职称",
    "主导领域",
    "协助领域",
    "熟悉行业",
    "服务区县",
    "容量",
    "是否接案",
    "账号",
]
ROWS: list[list[Any]] = [
    [1, "示例：李明", "某单位", "", "技术", "", "A", "", 5, "是", ""],  # the template's example: skipped
    [2, "张会计", "重庆农商行", "经济师", "融资、政策咨询", "", "J", "开州区、云阳县", 4, "是", "eve"],
    [3, "王律师", "渝信律师事务所", "律师", "法律", "融资", "", "全市", "", "否", ""],
    [4, "刘老师", "重庆工商大学", "教授", "烹饪", "", "", "开州", 5, "", ""],  # no such category
    [5, "陈站长", "开州区农技站", "", "技术", "", "A", "火星区", 3, "", ""],  # no such district
    [6, "张会计", "重庆农商行", "", "融资", "", "", "", 2, "", ""],  # the same expert as row 3
    [7, "赵工", "开州区农技站", "", "技术", "", "A", "开州区", 3, "", ""],  # already in the pool
]


def workbook(rows: list[list[Any]] = ROWS) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(client: Any, content: bytes) -> Any:
    token = await client.csrf("/experts/import")
    files = {"file": ("专家名单.xlsx", content, XLSX)}
    return await client.http.post("/experts/import", data={"_csrf_token": token}, files=files)


async def batch_id_of(response: Any) -> int:
    assert response.status_code in (302, 303), response.text
    return int(response.headers["location"].rsplit("/", 1)[-1])


async def test_it_imports_the_pool_after_a_dry_run(new_client: Any) -> None:
    existing = await add_expert(name="赵工", organisation="开州区农技站", capacity=9)
    carl = await signed_in(new_client, "carl")
    batch_id = await batch_id_of(await upload(carl, workbook()))
    waiting = await carl.http.get(f"/experts/import/{batch_id}")
    assert waiting.status_code == 200 and "等待检查" in waiting.text
    assert await Expert.count() == 1  # nothing before the dry run, nor after it

    run_worker_until_idle()
    batch = await ImportBatch.select().where(ImportBatch.id == batch_id).output(load_json=True).first()
    assert batch is not None and batch["state"] == "checked" and batch["kind"] == "experts"
    assert batch["summary"]["counts"] == {"create": 2, "match": 1, "warning": 0, "error": 3, "skipped": 0}
    errors = {
        row["row_number"]: (row["errors"], row["data"].get("params"))
        for row in await ImportRow.select().where(ImportRow.outcome == "error").output(load_json=True)
    }
    assert errors == {
        5: ({"specialties": UNKNOWN_SPECIALTY}, {"specialty": "烹饪"}),
        6: ({"districts": UNKNOWN_DISTRICT_NAMED}, {"district": "火星区"}),
        7: ({"name": DUPLICATE_EXPERT}, {"row": 3}),
    }
    report = await carl.http.get(f"/experts/import/{batch_id}?outcome=error")
    assert "未知的需求类别：烹饪" in report.text and "火星区" in report.text and "第 3 行" in report.text
    assert f'action="/experts/import/{batch_id}/confirm"' in report.text
    assert (await carl.http.get(f"/experts/import/{batch_id}/progress")).json()["percent"] == 100
    # The enterprises' import pages know nothing of it.
    assert (await carl.http.get(f"/enterprises/imports/{batch_id}")).status_code in (403, 404)

    token = await carl.csrf(f"/experts/import/{batch_id}")
    confirmed = await carl.http.post(
        f"/experts/import/{batch_id}/confirm", data={"_csrf_token": token, "on_match": "update"}
    )
    assert confirmed.status_code in (302, 303)
    run_worker_until_idle()
    run_worker_until_idle()  # a second run finds nothing to do
    pool = {row["name"]: row for row in await Expert.select().output(load_json=True)}
    assert set(pool) == {"赵工", "张会计", "王律师"}
    assert pool["张会计"]["districts"] == [DISTRICT_A, "500235"] and pool["张会计"]["capacity"] == 4
    assert pool["张会计"]["user"] is not None
    assert pool["王律师"]["districts"] == [] and pool["王律师"]["available"] is False
    assert pool["王律师"]["supporting_specialties"] == ["financing"] and pool["王律师"]["capacity"] == 5
    assert pool["赵工"]["id"] == existing and pool["赵工"]["capacity"] == 3  # updated, as asked
    done = await carl.http.get(f"/experts/import/{batch_id}")
    assert "新增 2 位专家，更新 1 位" in done.text


async def test_it_refuses_a_file_without_names_and_an_expert_cannot_import(new_client: Any) -> None:
    carl = await signed_in(new_client, "carl")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["单位", "职称"])
    sheet.append(["重庆农商行", "经济师"])
    buffer = io.BytesIO()
    book.save(buffer)
    batch_id = await batch_id_of(await upload(carl, buffer.getvalue()))
    run_worker_until_idle()
    failed = await carl.http.get(f"/experts/import/{batch_id}")
    assert "文件缺少专家姓名（姓名）列" in failed.text
    olga = await signed_in(new_client, "olga")
    assert (await olga.http.get("/experts/import")).status_code == 403
    assert (await olga.http.get(f"/experts/import/{batch_id}")).status_code == 403


async def test_it_offers_the_template_it_reads(new_client: Any) -> None:
    carl = await signed_in(new_client, "carl")
    response = await carl.http.get("/experts/import/template.xlsx")
    assert response.status_code == 200 and response.headers["content-type"].startswith(XLSX)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    headers = [str(cell.value) for cell in next(sheet.iter_rows(max_row=1))]
    assert headers == template_headers() and map_headers(headers) is not None
    assert re.match(r"示例", str(sheet["A2"].value))


async def test_an_administrator_imports_the_pool_and_reaches_only_his_own_batches(new_client: Any) -> None:
    adam = await signed_in(new_client, "adam")
    mine = await batch_id_of(await upload(adam, workbook(ROWS[1:3])))
    carl = await signed_in(new_client, "carl")
    theirs = await batch_id_of(await upload(carl, workbook(ROWS[1:3])))
    run_worker_until_idle()

    assert (await adam.http.get(f"/experts/import/{mine}")).status_code == 200
    assert (await adam.http.get(f"/experts/import/{theirs}")).status_code == 404
