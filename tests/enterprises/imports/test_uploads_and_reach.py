"""Uploading a spreadsheet: files refused with a clear message, the pages and the template, who reaches an import.

Through the API and the pages, with a real `rq worker` for the dry run.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.jobs import JobKind, job_queue
from enterprises.imports.checking import CHECK_TOO_SLOW
from enterprises.imports.columns import FILE_MISSING_COLUMNS, map_columns
from enterprises.imports.headers import COLUMNS
from enterprises.imports.reading import (
    FILE_NO_HEADERS,
    FILE_NOT_TEXT,
    FILE_ONLY_EMPTY_ROWS,
    MAX_UPLOAD_BYTES,
    READING_STOPPED,
    read_rows,
)
from enterprises.imports.tables import ImportBatch, ImportRow
from enterprises.tables import Enterprise
from tests.conftest import DISTRICT_A, Client, Personas, run_worker_until_idle
from tests.enterprises.imports import bombs
from tests.enterprises.imports.stalled import JOB_TIMEOUT, check_import_timed_from_its_start
from tests.enterprises.imports.uploads import batch, checked_batch, messy_workbook, upload

pytestmark = pytest.mark.anyio


async def test_it_refuses_a_broken_file_with_a_clear_message(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    garbage = bytes(range(256)) * 40

    batch_id = (await upload(client, token, garbage, "名单.csv")).json()["id"]
    run_worker_until_idle()

    failed = await batch(client, token, batch_id)
    assert failed["state"] == "failed"
    assert failed["error"]["message_id"] == FILE_NOT_TEXT
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
    assert failed["state"] == "failed" and failed["error"]["message_id"] == FILE_NO_HEADERS
    assert await Enterprise.count() == 0


async def test_it_names_the_missing_required_columns(client: Client, personas: Personas) -> None:
    token = await client.api_token("carl")  # a city officer has no district to default to
    csv = "企业名称,乡镇,负责人\n开州红薯粉坊,汉丰街道,张三\n".encode()

    batch_id = (await upload(client, token, csv, "list.csv")).json()["id"]
    run_worker_until_idle()

    failed = await batch(client, token, batch_id)
    assert failed["error"]["message_id"] == FILE_MISSING_COLUMNS
    assert "区县" in failed["error"]["message"] and "联系电话" in failed["error"]["message"]


def enterprises_csv(count: int, gap: int = 0, after: int = 0) -> bytes:
    """`count` rows of enterprises, then `gap` empty lines and `after` rows more."""
    rows = [f"开州春华农场{i},汉丰街道,周春华,1398345{i:04d}" for i in range(count + after)]
    return "\n".join(["企业名称,乡镇,负责人,联系电话", *rows[:count], *[""] * gap, *rows[count:], ""]).encode()


async def test_it_fails_a_spreadsheet_bomb_with_the_limit_it_met_and_checks_the_next_file(
    client: Client, personas: Personas
) -> None:
    token = await client.api_token("alice")
    bomb = (await upload(client, token, bombs.far_cell_bomb(), "名单.xlsx")).json()["id"]
    ordinary = (await upload(client, token, enterprises_csv(8), "名单.csv")).json()["id"]

    run_worker_until_idle()

    failed = await batch(client, token, bomb)
    assert failed["state"] == "failed" and failed["error"]["message_id"] == FILE_ONLY_EMPTY_ROWS
    assert failed["error"]["message"] == "第 1 行之后连续 1,000 行为空，已停止读取，未找到企业数据行。"
    checked = await batch(client, token, ordinary)
    assert checked["state"] == "checked"
    assert checked["counts"] == {"create": 8, "match": 0, "warning": 0, "error": 0, "skipped": 0}
    await client.login("alice")
    assert failed["error"]["message"] in (await client.http.get(f"/enterprises/imports/{bomb}")).text


async def test_it_reads_up_to_a_run_of_empty_rows_and_says_so(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")
    batch_id = (await upload(client, token, enterprises_csv(2, gap=1_000, after=1), "名单.csv")).json()["id"]

    run_worker_until_idle()

    checked = await batch(client, token, batch_id)
    assert checked["state"] == "checked" and checked["total_rows"] == 2
    assert checked["warnings"][0] == {
        "message_id": READING_STOPPED,
        "message": "第 3 行之后连续 1,000 行为空，已停止读取。",
    }


async def test_it_tells_the_uploader_when_the_check_outran_its_jobs_timeout(client: Client, personas: Personas) -> None:
    # 20,000 rows of 23 cells take seconds to read; the job's timeout goes off one second into the
    # check (see `stalled`), whatever importing the app took before it.
    row = [*bombs.ROW, *(f"备注{i}" for i in range(19))]
    sheet = [bombs.row_xml(1, [*bombs.HEADERS, *(f"备注{i}" for i in range(19))])]
    content = bombs.workbook(sheet + [bombs.row_xml(n, row) for n in range(2, 20_002)])
    rows = await ImportBatch.insert(
        ImportBatch(uploaded_by=personas.ids["alice"], district=DISTRICT_A, filename="名单.xlsx", content=content)
    ).returning(ImportBatch.id)
    batch_id = rows[0]["id"]
    job_queue(kind=JobKind.HEAVY).enqueue(
        check_import_timed_from_its_start, batch_id, job_id=f"slow-check-{batch_id}", job_timeout=JOB_TIMEOUT
    )

    run_worker_until_idle()

    failed = await batch(client, await client.api_token("alice"), batch_id)
    assert failed["state"] == "failed" and failed["error"]["message_id"] == CHECK_TOO_SLOW
    assert failed["error"]["message"] == "检查文件用时超过 10 分钟，请拆分成几个较小的文件后再导入。"


async def test_it_refuses_other_file_types_at_once(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")

    response = await upload(client, token, b"\xd0\xcf\x11\xe0old", "名单.xls")

    assert response.status_code == 422
    assert response.json()["errors"]["file"] == "这是旧版 .xls 工作簿。请在 Excel 中另存为 .xlsx 后重新上传。"
    assert await ImportBatch.count() == 0


async def test_it_refuses_a_file_over_10_mb_with_a_clear_message(client: Client, personas: Personas) -> None:
    token = await client.api_token("alice")

    response = await upload(client, token, b"x" * (MAX_UPLOAD_BYTES + 1), "名单.csv")

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
    sheet = read_rows("template.xlsx", response.content)
    columns = map_columns(sheet.headers, "")
    assert set(columns.columns) == set(COLUMNS) and not columns.warnings


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


async def test_it_answers_an_impossible_batch_id_without_a_server_error(client: Client, personas: Personas) -> None:
    await client.login("alice")
    token = await client.api_token("alice")

    # An id no database column can hold names nothing: not found (core.bounds), never a server error.
    assert (await client.http.get("/enterprises/imports/99999999999")).status_code == 404
    assert (await client.http.get("/enterprises/imports/12345")).status_code == 404
    assert (await client.http.get("/api/v1/imports/99999999999", headers=token)).status_code == 404
