"""A ledger's needs and people imported through a real `rq worker`: the needs filed as cases in the officer's queue."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook

from accounts.tables import Notification
from casework.tables import Case, CaseEvent, CaseNeed, FollowUp
from core.jobs import job_queue
from enterprises.imports.need_columns import NEED_CATEGORY_UNKNOWN
from enterprises.imports.tables import ImportRow
from enterprises.tables import Enterprise, Need, OutcomeSnapshot
from tests.conftest import DISTRICT_A, Client, Personas, run_worker_until_idle
from tests.enterprises.imports.uploads import batch, report, upload

pytestmark = pytest.mark.anyio

FARM, SHOP, HENS, TAILOR = "开州春华柑橘家庭农场", "开州文峰电商服务部", "开州临江土鸡养殖场", "开州巧手服装加工厂"
HEADERS = [
    "序号",
    "企业名称",
    "乡镇（街道）",
    "负责人",
    "手机",
    "职工人数",
    "吸纳返乡农民工数",
    "营业收入（万元）",
    "帮扶需求",
    "具体需求",
]
ROWS: list[list[Any]] = [
    [1, FARM, "汉丰街道", "周春华", "13983451234", 12, 5, 68.5, "资金、技术", "扩建冷库，需要贷款和冷链技术"],
    [2, SHOP, "文峰街道", "刘志强", "13800003333", 8, 3, 120, "电商", ""],
    [3, HENS, "临江镇", "王德明", "13800002222", "", "", "", "", ""],
    [4, TAILOR, "云枫街道", "陈巧玲", "13800004444", "", "", "", "天气", "看天吃饭"],
]


def ledger() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["开州区返乡创业企业需求台账"])
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def imported(client: Client, token: dict[str, str], on_match: str = "skip") -> int:
    """Alice uploads the ledger; a real worker checks it; she confirms; a real worker imports it."""
    response = await upload(client, token, ledger())
    assert response.status_code == 201, response.text
    batch_id: int = response.json()["id"]
    run_worker_until_idle()
    assert (await batch(client, token, batch_id))["state"] == "checked"
    await client.login("alice")
    confirmed = await client.post_form(
        f"/enterprises/imports/{batch_id}/confirm", {"on_match": on_match}, csrf_from=f"/enterprises/imports/{batch_id}"
    )
    assert confirmed.status_code in (302, 303), confirmed.text
    run_worker_until_idle()
    assert (await batch(client, token, batch_id))["state"] == "applied"
    return batch_id


async def enterprise_id(name: str) -> int:
    row = await Enterprise.select(Enterprise.id).where(Enterprise.name == name).first()
    assert row is not None, name
    return int(row["id"])


async def test_it_refuses_a_need_category_it_does_not_know_beside_its_column(
    client: Client, personas: Personas
) -> None:
    token = await client.api_token("alice")
    response = await upload(client, token, ledger())
    run_worker_until_idle()

    errors = await report(client, token, response.json()["id"], "error")

    assert [(row["name"], [e["field"] for e in row["errors"]]) for row in errors] == [(TAILOR, ["need_category"])]
    error = errors[0]["errors"][0]
    assert error["message_id"] == NEED_CATEGORY_UNKNOWN and error["column"] == "帮扶需求"
    assert "无法识别的需求类别" in error["message"]


async def test_it_files_each_need_of_the_ledger_as_a_submitted_case_in_the_officers_queue(
    client: Client, new_client: Any, personas: Personas
) -> None:
    token = await client.api_token("alice")
    batch_id = await imported(client, token)

    farm, shop = [await enterprise_id(name) for name in (FARM, SHOP)]
    needs = await Need.select(Need.enterprise, Need.category, Need.description).order_by(Need.id)
    assert [(n["enterprise"], n["category"], n["description"]) for n in needs] == [
        (farm, "financing", "扩建冷库，需要贷款和冷链技术"),
        (farm, "technology", "扩建冷库，需要贷款和冷链技术"),
        (shop, "ecommerce", "电商"),  # no description: the category cell as written
    ]
    cases = await Case.select().order_by(Case.id)
    assert [(c["enterprise"], c["state"], c["district"]) for c in cases] == [
        (farm, "submitted", DISTRICT_A),
        (farm, "submitted", DISTRICT_A),
        (shop, "submitted", DISTRICT_A),
    ]
    assert all(c["filed_by"] == personas.ids["alice"] for c in cases)
    assert await CaseNeed.count() == 3  # one need per case
    assert await CaseEvent.count().where(CaseEvent.kind == "filed") == 3
    # As the broker's own filing does: the triage clock runs and the district's officer is told, once each.
    assert await FollowUp.count().where(FollowUp.kind == "triage_due") == 3
    assert await Notification.count().where(Notification.user == personas.ids["olga"]) == 3
    assert await Notification.count().where(Notification.user == personas.ids["oscar"]) == 0

    olga = new_client()
    await olga.login("olga")
    queue = (await olga.http.get("/cases/queue")).text
    assert FARM in queue and SHOP in queue and HENS not in queue
    oscar = new_client()
    await oscar.login("oscar")
    assert FARM not in (await oscar.http.get("/cases/queue")).text

    filed = {
        row["row_number"]: row["data"].get("needs_filed", 0)
        for row in await ImportRow.select(ImportRow.row_number, ImportRow.data).output(load_json=True)
    }
    assert filed == {3: 2, 4: 1, 5: 0, 6: 0}
    page = await client.http.get(f"/enterprises/imports/{batch_id}")
    assert "已提交需求：2 项" in page.text and "已提交需求：1 项" in page.text


async def test_it_stores_the_ledgers_people_and_revenue_as_the_intake_snapshot(
    client: Client, personas: Personas
) -> None:
    token = await client.api_token("alice")
    await imported(client, token)

    farm = await OutcomeSnapshot.select().where(OutcomeSnapshot.enterprise == await enterprise_id(FARM)).first()
    assert farm is not None and farm["source"] == "intake"
    assert (farm["employees"], farm["migrant_employees"]) == (12, 5)
    assert Decimal(str(farm["annual_revenue"])) == Decimal(685000)  # 68.5 万元
    hens = await OutcomeSnapshot.count().where(OutcomeSnapshot.enterprise == await enterprise_id(HENS))
    assert hens == 0  # nothing measured, nothing stored


async def test_it_files_a_ledgers_needs_once_however_often_it_is_imported(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    batch_id = await imported(client, token)
    # The import's job again (a retry, a second worker) …
    job_queue().enqueue("enterprises.imports.jobs.apply_import", batch_id, job_id=f"again-apply-{batch_id}")
    run_worker_until_idle()
    assert await Case.count() == 3

    # … and the same ledger imported again, its enterprises matched and updated.
    again = await imported(client, token, on_match="update")

    assert await Case.count() == 3 and await Need.count() == 3
    assert (await batch(client, token, again))["applied"]["created"] == 0
