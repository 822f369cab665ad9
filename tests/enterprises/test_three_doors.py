"""One parser for every door: what the form accepts, the API and an import accept, and all three store it alike."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from core import crypto
from enterprises.tables import Enterprise, Founder
from tests.conftest import DISTRICT_A, Client, Personas, run_worker_until_idle
from tests.enterprises.imports.uploads import batch, report, upload

pytestmark = pytest.mark.anyio

ENTERPRISE = {"name": "开州春华柑橘家庭农场", "district": DISTRICT_A, "town": "汉丰街道", "founder_name": "周春华"}
# The headers an import file gives each field (the template's own).
HEADERS = {
    "name": "企业名称",
    "district": "区县",
    "town": "乡镇（街道）",
    "founder_name": "创业者姓名",
    "founder_phone": "联系电话",
    "industry": "所属行业",
    "founded_on": "成立日期",
    "employees": "从业人数",
    "migrant_employees": "吸纳返乡人员",
    "annual_revenue": "年营业收入（元）",
    "founder_birth_year": "出生年份",
    "founder_return_year": "返乡年份",
    "legal_form": "主体类型",
    "stage": "发展阶段",
    "status": "经营状态",
    "founder_gender": "性别",
}
# What the choices are when a broker leaves them empty.
DEFAULTS = {"legal_form": "individual_business", "stage": "survival", "status": "operating", "gender": ""}

# (what a broker types in each field, what is stored)
WRITTEN_AS_BROKERS_DO: dict[str, tuple[dict[str, str], dict[str, Any]]] = {
    "wan-and-excel-serial": (
        {
            "founded_on": "44270",
            "employees": "12人",
            "migrant_employees": "3",
            "annual_revenue": "45万",
            "founder_phone": "+86 138 0000 1111",
            "founder_birth_year": "1986年",
            "founder_return_year": "2015年3月",
            "legal_form": "家庭农场",
            "stage": "成长型",
            "status": "正常经营",
            "founder_gender": "女",
        },
        {
            "founded_on": date(2021, 3, 15),
            "employees": 12,
            "migrant_employees": 3,
            "annual_revenue": Decimal("450000"),
            "phone": "13800001111",
            "birth_year": 1986,
            "return_year": 2015,
            "legal_form": "family_farm",
            "stage": "growth",
            "status": "operating",
            "gender": "female",
        },
    ),
    "separators-and-yen": (
        {
            "founded_on": "20190501",
            "employees": "1,200",
            "migrant_employees": "15人",
            "annual_revenue": "¥1,256,000.00",
            "founder_phone": "138-0000-2222",
            "founder_birth_year": "1990",
            "founder_return_year": "2018/6/1",
        },
        {
            "founded_on": date(2019, 5, 1),
            "employees": 1200,
            "migrant_employees": 15,
            "annual_revenue": Decimal("1256000"),
            "phone": "13800002222",
            "birth_year": 1990,
            "return_year": 2018,
            **DEFAULTS,
        },
    ),
    "chinese-and-full-width": (
        {
            "founded_on": "2020年6月1日",
            "employees": "８人",
            "migrant_employees": "２",
            "annual_revenue": "4.5万元",
            "founder_phone": "+86-139 8345 1234",
            "founder_birth_year": "１９８８",
            "founder_return_year": "2019年",
        },
        {
            "founded_on": date(2020, 6, 1),
            "employees": 8,
            "migrant_employees": 2,
            "annual_revenue": Decimal("45000"),
            "phone": "13983451234",
            "birth_year": 1988,
            "return_year": 2019,
            **DEFAULTS,
        },
    ),
}


async def through_the_form(client: Client, values: dict[str, str]) -> None:
    await client.login("alice")
    response = await client.post_form("/enterprises/new", values)
    assert response.status_code == 302, response.text


async def through_the_api(client: Client, values: dict[str, str]) -> None:
    token = await client.api_token("alice")
    response = await client.http.post("/api/v1/enterprises", json=values, headers=token)
    assert response.status_code == 201, response.text


def _cell(text: str) -> Any:
    """What Excel stores when the text is typed into a General cell: a number when it reads as one."""
    try:
        return int(text)
    except ValueError:
        return text


async def through_an_import(client: Client, values: dict[str, str]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    fields = list(HEADERS)
    sheet.append([HEADERS[name] for name in fields])
    sheet.append([_cell(values.get(name, "")) for name in fields])
    buffer = io.BytesIO()
    workbook.save(buffer)

    token = await client.api_token("alice")
    uploaded = await upload(client, token, buffer.getvalue())
    assert uploaded.status_code == 201, uploaded.text
    batch_id = uploaded.json()["id"]
    run_worker_until_idle()
    rows = await report(client, token, batch_id)
    assert [row["errors"] for row in rows] == [[]], rows
    await client.login("alice")
    confirmed = await client.post_form(
        f"/enterprises/imports/{batch_id}/confirm", {"on_match": "skip"}, csrf_from=f"/enterprises/imports/{batch_id}"
    )
    assert confirmed.status_code in (302, 303), confirmed.text
    run_worker_until_idle()
    assert (await batch(client, token, batch_id))["state"] == "applied"


DOORS = {"form": through_the_form, "api": through_the_api, "import": through_an_import}


async def stored() -> dict[str, Any]:
    enterprise = await Enterprise.select().where(Enterprise.name == ENTERPRISE["name"]).first()
    assert enterprise is not None
    founder = await Founder.select().where(Founder.id == enterprise["founder"]).first()
    assert founder is not None
    return {
        "founded_on": enterprise["founded_on"],
        "employees": enterprise["employees"],
        "migrant_employees": enterprise["migrant_employees"],
        "annual_revenue": Decimal(str(enterprise["annual_revenue"])),
        "phone": crypto.decrypt(founder["phone_cipher"]),
        "birth_year": founder["birth_year"],
        "return_year": founder["return_year"],
        "legal_form": enterprise["legal_form"],
        "stage": enterprise["stage"],
        "status": enterprise["status"],
        "gender": founder["gender"],
    }


@pytest.mark.parametrize("door", list(DOORS))
@pytest.mark.parametrize("written", list(WRITTEN_AS_BROKERS_DO))
async def test_it_stores_what_a_broker_writes_alike_through_every_door(
    client: Client, personas: Personas, door: str, written: str
) -> None:
    values, meant = WRITTEN_AS_BROKERS_DO[written]

    await DOORS[door](client, {**ENTERPRISE, **values})

    assert await stored() == meant


async def test_it_shows_money_formatted_on_the_enterprise_page(client: Client, personas: Personas) -> None:
    await through_the_form(client, {**ENTERPRISE, "founder_phone": "13800001111", "annual_revenue": "125.6万"})
    enterprise = await Enterprise.select(Enterprise.id).where(Enterprise.name == ENTERPRISE["name"]).first()
    assert enterprise is not None

    page = await client.http.get(f"/enterprises/{enterprise['id']}")

    assert page.status_code == 200
    assert "¥1,256,000.00" in page.text and "1256000" not in page.text
