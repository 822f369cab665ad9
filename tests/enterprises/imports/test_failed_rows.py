"""The report to act on: what the import did with each row, a file with nothing to import, the rows to fix
downloaded in the file's own layout, corrected and imported again without duplicates."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from core.config import settings
from core.spreadsheets import write_text_cell
from enterprises.identifiers import complete_resident_id
from enterprises.imports.failed_rows import CELLS_KEY, NOTHING_IMPORTABLE, what_to_fix
from enterprises.imports.purging import purge_rows_to_fix
from enterprises.imports.tables import ImportRow
from enterprises.tables import Enterprise
from tests.conftest import Client, Personas, run_worker_until_idle
from tests.enterprises.imports.uploads import batch, report, upload

pytestmark = pytest.mark.anyio

ID_1 = complete_resident_id("50023419800101001")
ID_2 = complete_resident_id("50023419810202002")
ID_4 = complete_resident_id("50023419830404004")
BAD_ID = ID_4[:-1] + ("0" if ID_4[-1] != "0" else "1")  # wrong check character

# A note column sits between known ones: the download keeps it where the broker put it.
HEADERS = ["序号", "企业（个体户）名称", "类型", "乡镇（街道）", "备注", "负责人", "手机", "身份证号码", "成立时间"]
GOOD_ROWS: list[list[Any]] = [
    [1, "开州甲家庭农场", "家庭农场", "汉丰街道", "老客户", "周甲", "13800000001", ID_1, "2020-01-01"],
    [2, "开州乙竹编合作社", "合作社", "文峰街道", "", "李乙", "13800000002", ID_2, "2019-05-01"],
    [3, "开州丙服装加工厂", "个体工商户", "云枫街道", "", "陈丙", "13800000003", "", ""],
]
BAD_ROWS: list[list[Any]] = [
    [4, "开州丁电商服务部", "个体工商户", "文峰街道", "=1+1", "刘丁", "13800000004", BAD_ID, "2020-06-01"],
    [5, "开州戊生态农庄", "家庭农场", "临江镇", "", "王戊", "13800000005", "", "2021-13-45"],
]
FIX_HEADER = "需要修改的地方"


def workbook(rows: list[list[Any]], title: bool = True) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if title:
        sheet.append(["开州区返乡创业企业名单"])  # a title row above the headers, as ledgers have
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
        # Typed as text (a broker's "=1+1" in a note column), not a formula.
        write_text_cell(sheet.cell(row=sheet.max_row, column=5), row[4] or None)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def checked(client: Client, token: dict[str, str], content: bytes) -> int:
    response = await upload(client, token, content)
    assert response.status_code == 201, response.text
    run_worker_until_idle()
    batch_id: int = response.json()["id"]
    return batch_id


async def confirmed(client: Client, token: dict[str, str], batch_id: int, on_match: str = "skip") -> None:
    response = await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": on_match})
    assert response.status_code == 202, response.text
    run_worker_until_idle()


async def download(client: Client, token: dict[str, str], batch_id: int) -> Any:
    response = await client.http.get(f"/api/v1/imports/{batch_id}/failed-rows.xlsx", headers=token)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


async def test_it_says_what_the_import_did_with_each_row(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    batch_id = await checked(client, token, workbook(GOOD_ROWS + BAD_ROWS))
    before = {row["row_number"]: row["result"] for row in await report(client, token, batch_id)}
    assert set(before.values()) == {None}  # nothing done yet: the report says what will be

    await confirmed(client, token, batch_id)

    done = await batch(client, token, batch_id)
    assert done["state"] == "applied" and done["applied"]["created"] == 3
    rows = {row["row_number"]: row for row in await report(client, token, batch_id)}
    assert {number: row["result"] for number, row in rows.items()} == {
        3: "created",
        4: "created",
        5: "created",
        6: "not_imported",
        7: "not_imported",
    }
    await client.login("alice")
    page = await client.http.get(f"/enterprises/imports/{batch_id}")
    assert page.status_code == 200
    assert "已创建" in page.text and "未导入：有错误" in page.text
    assert f"/enterprises/imports/{batch_id}/failed-rows.xlsx" in page.text


async def test_it_gives_back_the_failed_rows_in_the_files_layout(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    batch_id = await checked(client, token, workbook(GOOD_ROWS + BAD_ROWS))
    await confirmed(client, token, batch_id)

    sheet = await download(client, token, batch_id)

    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == [*HEADERS, FIX_HEADER]
    assert len(values) == 3  # the header and the two failed rows, no more
    id_row, date_row = values[1], values[2]
    assert id_row[:9] == [str(cell) if cell != "" else None for cell in BAD_ROWS[0]]
    assert date_row[1] == "开州戊生态农庄" and date_row[8] == "2021-13-45"
    assert "身份证号码" in id_row[9] and BAD_ID in id_row[9] and "第 6 行" in id_row[9]
    assert "成立时间" in date_row[9] and "2021-13-45" in date_row[9]
    # A cell that would run as a formula stays the text the broker typed.
    note = sheet.cell(row=2, column=5)
    assert note.value == "=1+1" and note.data_type == "s"
    # The file's ID numbers are kept only encrypted between the check and the download.
    for row in await ImportRow.select(ImportRow.data).where(ImportRow.batch == batch_id).output(load_json=True):
        assert BAD_ID not in str(row["data"])


async def test_it_matches_what_was_imported_when_the_corrected_file_comes_back(
    client: Client, personas: Personas
) -> None:
    token = await client.api_token("alice")
    first = await checked(client, token, workbook(GOOD_ROWS + BAD_ROWS))
    await confirmed(client, token, first)
    sheet = await download(client, token, first)
    # The broker fixes the two rows in the downloaded file and uploads it.
    sheet.cell(row=2, column=8).value = ID_4
    sheet.cell(row=3, column=9).value = "2021-03-15"
    buffer = io.BytesIO()
    assert sheet.parent is not None
    sheet.parent.save(buffer)

    fixed = await checked(client, token, buffer.getvalue())

    counts = (await batch(client, token, fixed))["counts"]
    assert (counts["create"], counts["match"], counts["error"]) == (2, 0, 0)
    await confirmed(client, token, fixed)
    assert (await batch(client, token, fixed))["applied"]["created"] == 2, await batch(client, token, fixed)
    assert await Enterprise.count() == 5  # no duplicates

    again = await checked(client, token, workbook(GOOD_ROWS + BAD_ROWS))
    counts = (await batch(client, token, again))["counts"]
    assert (counts["create"], counts["match"], counts["error"]) == (0, 3, 2)  # the two still wrong in it
    # The name corrected on an enterprise found by its founder's ID number is a match, not a second enterprise.
    renamed = [[*GOOD_ROWS[0][:1], "开州甲生态家庭农场", *GOOD_ROWS[0][2:]]]
    by_founder = await checked(client, token, workbook(renamed))
    assert [row["outcome"] for row in await report(client, token, by_founder)] == ["match"]


async def test_it_ends_a_file_with_nothing_to_import(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")

    batch_id = await checked(client, token, workbook(BAD_ROWS))

    failed = await batch(client, token, batch_id)
    assert failed["state"] == "failed"
    assert failed["error"]["message_id"] == NOTHING_IMPORTABLE and "没有可以导入的行" in failed["error"]["message"]
    assert failed["counts"]["error"] == 2
    assert len(await report(client, token, batch_id, "error")) == 2  # the report stays, to say what to fix
    refused = await client.http.post(f"/api/v1/imports/{batch_id}/confirm", headers=token, json={"on_match": "skip"})
    assert refused.status_code == 409
    sheet = await download(client, token, batch_id)
    assert sheet.max_row == 3
    await client.login("alice")
    page = await client.http.get(f"/enterprises/imports/{batch_id}")
    assert "下载需要修改的行" in page.text and "开州戊生态农庄" in page.text


async def test_it_hides_the_rows_to_fix_from_those_who_may_not_see_the_batch(
    client: Client, personas: Personas
) -> None:
    token = await client.api_token("alice")
    batch_id = await checked(client, token, workbook(BAD_ROWS))
    other = await client.api_token("bob")  # a broker of another district

    response = await client.http.get(f"/api/v1/imports/{batch_id}/failed-rows.xlsx", headers=other)

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("problems", "cells", "expected"),
    [
        (
            [("founded_on", "Enter a date such as 2021-03-15.", {})],
            ["", "2021-13-45"],
            "成立时间：请输入日期，例如 2021-03-15。（填写的是：2021-13-45）",
        ),
        ([("town", "This field is required.", {})], ["", ""], "乡镇（街道）：此项为必填项。"),
    ],
)
def test_it_says_what_to_fix_in_chinese_with_the_value_given(
    problems: list[tuple[str, str, dict[str, str]]], cells: list[str], expected: str
) -> None:
    columns = {"founded_on": {"header": "成立时间", "letter": "B"}, "town": {"header": "乡镇（街道）", "letter": "A"}}

    text = what_to_fix("zh_CN", 7, problems, columns, cells)

    assert text.splitlines() == [expected, "原文件第 7 行。"]


async def test_it_deletes_the_rows_to_fix_some_days_after_the_import_finished(
    client: Client, personas: Personas
) -> None:
    token = await client.api_token("alice")
    batch_id = await checked(client, token, workbook(GOOD_ROWS + BAD_ROWS))
    await confirmed(client, token, batch_id)
    now = datetime.now(UTC)

    assert await purge_rows_to_fix(now) == 0  # just finished: the broker still needs them
    later = now + timedelta(days=settings.limits.import_draft_days, hours=1)
    assert await purge_rows_to_fix(later) == 1
    assert await purge_rows_to_fix(later) == 0  # a second run finds nothing more

    rows = await ImportRow.select(ImportRow.data).where(ImportRow.batch == batch_id).output(load_json=True)
    assert rows and not any(CELLS_KEY in (row["data"] or {}) for row in rows)
    gone = await client.http.get(f"/api/v1/imports/{batch_id}/failed-rows.xlsx", headers=token)
    assert gone.status_code == 409 and "重新上传" in gone.text
    kept = await client.http.get(f"/api/v1/imports/{batch_id}", headers=token)
    assert kept.status_code == 200 and kept.json()["counts"]["error"] == 2  # the report and its summary stay
