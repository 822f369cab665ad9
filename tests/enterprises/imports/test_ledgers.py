"""A ledger as township offices make it: titles above the header, rows that are not data, repeats, other districts.

Uploaded by API and checked (and imported) by a real `rq worker`.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook

from enterprises.identifiers import complete_credit_code, complete_resident_id
from enterprises.imports.checking import OTHER_DISTRICT
from enterprises.imports.columns import COLUMN_UNKNOWN, COLUMN_UNKNOWN_NEAREST, map_columns
from enterprises.imports.row_kinds import SKIPPED_BECAUSE, KindOfRow
from enterprises.imports.rows import DUPLICATE_IN_FILE
from enterprises.tables import Enterprise
from tests.conftest import DISTRICT_A, Client, Personas, run_worker_until_idle
from tests.enterprises.imports.uploads import batch, report, upload

pytestmark = pytest.mark.anyio

FIRST_ID = complete_resident_id("50023419860101123")
SECOND_ID = complete_resident_id("50015419900315002")
CODE = complete_credit_code("92500154MA5YX2KQ3")
PILOT_CODE = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")  # lawful shape, a wrong check character

HEADER = [
    "序号", "企业名称", "区县", "乡镇（街道）", "负责人", "联系电话",
    "身份证号", "统一社会信用代码", "信用代码号", "经营面积",
]  # fmt: skip
# (row as the spreadsheet numbers it, cells): row 1 a title, row 2 the 填报单位 line, the header on row 3.
LEDGER: list[tuple[int, list[Any]]] = [
    (4, [1, "春华柑橘家庭农场", "开州", "汉丰街道", "周春华", "13983451234", FIRST_ID, "", "", "30亩"]),
    # row 5 left blank
    (6, [2, "兴旺竹编合作社", "江北", "寸滩街道", "李兴旺", "13800001111", "", "", "", ""]),
    (7, HEADER),  # the header repeated on the second printed page
    # the same founder as row 4
    (8, [3, "春华农资店", "开州区", "文峰街道", "周春华", "13983459999", FIRST_ID, "", "", ""]),
    (9, [4, "老王土鸡养殖场", "开州区", "临江镇", "王德明", "123", "", "", "", ""]),  # a phone that is not one
    (10, [5, "老王土鸡养殖场", "开州区", "临江镇", "王德明", "13800002222", "", "", "", ""]),  # repeats row 9
    (11, [6, "文峰电商服务部", "开州区", "文峰街道", "刘志强", "13800003333", SECOND_ID, PILOT_CODE, "", ""]),
    (12, [7, "石柱黄连种植场", "石柱", "南宾街道", "谭黄连", "13800004444", "", "", "", ""]),
    (13, ["", "合计", "", "", "", "", "", "", "", "7户"]),
    (14, ["注：1.本表由乡镇（街道）填报，每季度末报区就业局；2.身份证号请设置为文本格式。"]),
    (15, ["制表人：张三", "", "", "审核人：李四", "", "填报日期：2026年3月31日"]),
]  # fmt: skip


def ledger() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["开州区返乡入乡创业企业台账（2026年第一季度）"])
    sheet.merge_cells("A1:J1")
    sheet.append(["填报单位（盖章）：开州区汉丰街道办事处", "", "", "", "", "", "填报日期：2026年3月31日"])
    sheet.append(HEADER)
    for number, cells in LEDGER:
        for column, value in enumerate(cells, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def _checked(client: Client, username: str) -> tuple[dict[str, str], int]:
    token = await client.api_token(username)
    response = await upload(client, token, ledger(), "台账.xlsx")
    assert response.status_code == 201, response.text
    run_worker_until_idle()
    return token, response.json()["id"]


def test_it_lists_an_unknown_column_once_with_the_nearest_heading() -> None:
    columns = map_columns(HEADER, DISTRICT_A)

    assert [(w.message, w.params) for w in columns.warnings] == [
        (COLUMN_UNKNOWN_NEAREST, {"letter": "I", "header": "信用代码号", "nearest": "统一社会信用代码"}),
        (COLUMN_UNKNOWN, {"letter": "J", "header": "经营面积"}),
    ]


async def test_it_skips_rows_that_are_not_data_and_reports_each_row_of_a_broker_s_ledger(
    client: Client, personas: Personas
) -> None:
    token, batch_id = await _checked(client, "alice")

    checked = await batch(client, token, batch_id)
    assert checked["state"] == "checked", checked
    assert checked["counts"] == {"create": 1, "match": 0, "warning": 1, "error": 5, "skipped": 5}
    assert [w["message_id"] for w in checked["warnings"]] == [COLUMN_UNKNOWN_NEAREST, COLUMN_UNKNOWN]
    rows = {row["row_number"]: row for row in await report(client, token, batch_id)}
    assert {number: row["outcome"] for number, row in rows.items()} == {
        4: "create",
        5: "skipped",
        6: "error",
        7: "skipped",
        8: "error",
        9: "error",
        10: "error",
        11: "warning",
        12: "error",  # 石柱 is not Alice's district either
        13: "skipped",
        14: "skipped",
        15: "skipped",
    }
    skipped = {number: rows[number]["warnings"][0]["message_id"] for number in (5, 7, 13, 14, 15)}
    assert skipped == {
        5: SKIPPED_BECAUSE[KindOfRow.BLANK],
        7: SKIPPED_BECAUSE[KindOfRow.HEADER],
        13: SKIPPED_BECAUSE[KindOfRow.TOTALS],
        14: SKIPPED_BECAUSE[KindOfRow.NOTE],
        15: SKIPPED_BECAUSE[KindOfRow.NOTE],
    }
    other = rows[6]["errors"][0]
    assert (other["field"], other["message_id"]) == ("district", OTHER_DISTRICT)
    assert other["message"] == "属于江北区，请由该区经纪人或市级人员导入"
    assert rows[12]["errors"][0]["message"] == "属于石柱土家族自治县，请由该区经纪人或市级人员导入"
    # A repeat names the row it repeats, whether that row is valid (row 4) or not (row 9).
    assert [(e["field"], e["message_id"]) for e in rows[8]["errors"]] == [("founder_id_number", DUPLICATE_IN_FILE)]
    assert "第 4 行" in rows[8]["errors"][0]["message"]
    assert [e["field"] for e in rows[9]["errors"]] == ["founder_phone"]
    assert [(e["field"], e["message_id"]) for e in rows[10]["errors"]] == [("name", DUPLICATE_IN_FILE)]
    assert "第 9 行" in rows[10]["errors"][0]["message"]
    assert [w["field"] for w in rows[11]["warnings"]] == ["credit_code"] and not rows[11]["errors"]

    await client.login("alice")
    page = await client.http.get(f"/enterprises/imports/{batch_id}")
    assert page.status_code == 200
    assert "合计行，已跳过。" in page.text and "属于江北区" in page.text and "统一社会信用代码" in page.text

    await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "skip"})
    run_worker_until_idle()
    stored = {row["name"]: row for row in await Enterprise.select(Enterprise.name, Enterprise.district)}
    assert set(stored) == {"春华柑橘家庭农场", "文峰电商服务部"}
    assert stored["春华柑橘家庭农场"]["district"] == DISTRICT_A


async def test_it_imports_rows_of_every_district_for_a_city_officer(client: Client, personas: Personas) -> None:
    token, batch_id = await _checked(client, "carl")

    rows = {row["row_number"]: row for row in await report(client, token, batch_id)}

    assert rows[6]["outcome"] == "create"
    assert rows[12]["outcome"] == "create"
    await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "skip"})
    run_worker_until_idle()
    districts = {row["name"]: row["district"] for row in await Enterprise.select(Enterprise.name, Enterprise.district)}
    assert districts["兴旺竹编合作社"] == "500105"  # 江北 → 江北区
    assert districts["石柱黄连种植场"] == "500240"  # 石柱 → 石柱土家族自治县
