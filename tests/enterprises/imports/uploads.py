"""Alice's messy spreadsheet, and the API calls that upload a file, read its batch and its row report."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook

from accounts.policy import Actor, Role
from enterprises.identifiers import complete_credit_code, complete_resident_id
from enterprises.services import register_enterprise
from tests.conftest import DISTRICT_A, Client, Personas, run_worker_until_idle

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
