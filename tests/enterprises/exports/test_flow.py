"""Exporting the enterprise list: a short list answered at once, a long one built by a real `rq worker`.

The long export is asked for on the list, followed on its page, built once however often its job
runs, and downloaded as the same file (masked alike) that a short export would have been.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from core.i18n import gettext
from core.jobs import job_queue
from enterprises.exporting import COLUMNS
from enterprises.exports import building, service
from enterprises.exports.controllers import STATE_LABELS
from enterprises.exports.rules import ABANDONED_AFTER, KEEP_FOR, STALLED_AFTER, ExportState
from enterprises.exports.tables import ExportFile
from tests.conftest import Client, Personas, run_worker_until_idle
from tests.enterprises.exports.listing import (
    INLINE_ROWS,
    ROWS,
    ask_export,
    export_id_of,
    id_number,
    lower_inline_limit,
    masked_values,
    phone,
    seed_enterprises,
)

pytestmark = pytest.mark.anyio

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def as_text(file_format: str, content: bytes) -> str:
    if file_format == "csv":
        return content.decode("utf-8-sig")
    return "\n".join(",".join(str(cell) for cell in row) for row in sheet_rows(content))


async def export_row(export_id: int) -> dict[str, Any]:
    row = await ExportFile.select().where(ExportFile.id == export_id).output(load_json=True).first()
    assert row is not None
    return row


async def test_it_answers_a_short_export_at_once(client: Client, personas: Personas, monkeypatch: Any) -> None:
    lower_inline_limit(monkeypatch)
    await seed_enterprises(personas.ids["alice"], INLINE_ROWS)
    await client.login("alice")

    response = await ask_export(client)

    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"] == 'attachment; filename="enterprises.xlsx"'
    assert response.headers["x-content-type-options"] == "nosniff"
    rows = sheet_rows(response.content)
    assert rows[0] == tuple(zh(header) for _, header in COLUMNS)
    assert len(rows) == INLINE_ROWS + 1
    assert await ExportFile.count() == 0


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
async def test_it_builds_a_long_export_in_the_background_masked_as_a_short_one(
    client: Client, personas: Personas, monkeypatch: Any, file_format: str
) -> None:
    await seed_enterprises(personas.ids["alice"])
    await client.login("alice")
    at_once = await ask_export(client, file_format)  # the same list, answered at once while the limit allows
    assert at_once.status_code == 200
    lower_inline_limit(monkeypatch)

    export_id = export_id_of(await ask_export(client, file_format))

    # No worker yet: the page shows the export waiting, its bar at 0.
    page = await client.http.get(f"/enterprises/exports/{export_id}")
    assert page.status_code == 200
    assert '<progress id="export-progress" max="100" value="0"' in page.text
    assert f'data-import-progress="/enterprises/exports/{export_id}/progress"' in page.text
    assert zh(STATE_LABELS[ExportState.REQUESTED]) in page.text
    assert "/download" not in page.text
    progress = await client.http.get(f"/enterprises/exports/{export_id}/progress")
    assert progress.json() == {
        "state": "requested",
        "percent": 0,
        "in_progress": True,
        "text": zh(STATE_LABELS[ExportState.REQUESTED]),
    }
    assert (await client.http.get(f"/enterprises/exports/{export_id}/download")).status_code == 404

    run_worker_until_idle()

    page = await client.http.get(f"/enterprises/exports/{export_id}")
    assert "<progress" not in page.text
    assert zh("Your file is ready: {count} enterprises.", count=ROWS) in page.text
    assert f'href="/enterprises/exports/{export_id}/download"' in page.text
    progress = await client.http.get(f"/enterprises/exports/{export_id}/progress")
    assert progress.json()["state"] == "ready" and progress.json()["percent"] == 100
    download = await client.http.get(f"/enterprises/exports/{export_id}/download")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith(at_once.headers["content-type"].split(";")[0])
    assert download.headers["content-disposition"].startswith("attachment")
    assert f"enterprises-{export_id}.{file_format}" in download.headers["content-disposition"]
    assert download.headers["x-content-type-options"] == "nosniff"
    if file_format == "csv":
        assert download.content == at_once.content
    else:
        assert sheet_rows(download.content) == sheet_rows(at_once.content)
    text = as_text(file_format, download.content)
    for i in range(ROWS):
        assert all(value in text for value in masked_values(i))
        assert phone(i) not in text and id_number(i) not in text
    row = await export_row(export_id)
    assert (row["state"], row["rows_total"], row["rows_written"]) == (ExportState.READY, ROWS, ROWS)
    assert not list(service.exports_dir().glob("*.part"))


async def test_it_builds_an_export_once_however_often_its_job_runs(
    client: Client, personas: Personas, monkeypatch: Any
) -> None:
    await seed_enterprises(personas.ids["alice"])
    lower_inline_limit(monkeypatch)
    await client.login("alice")
    export_id = export_id_of(await ask_export(client))
    run_worker_until_idle()
    path = service.file_path((await export_row(export_id))["file_name"])
    built = path.stat().st_mtime_ns, path.read_bytes()
    files = sorted(service.exports_dir().iterdir())

    # The same job again (a retry, a second worker), then once more in this process.
    job_queue().enqueue(service.BUILD_JOB, export_id, job_id=f"again-export-{export_id}")
    run_worker_until_idle()
    await building.build_export(export_id)

    assert (path.stat().st_mtime_ns, path.read_bytes()) == built
    assert (await export_row(export_id))["state"] == ExportState.READY
    assert sorted(service.exports_dir().iterdir()) == files


async def test_it_shows_how_far_the_build_is(client: Client, personas: Personas, monkeypatch: Any) -> None:
    await seed_enterprises(personas.ids["alice"])
    lower_inline_limit(monkeypatch)
    await client.login("alice")
    export_id = export_id_of(await ask_export(client))
    # Where a worker is, half way through (it writes its count after every chunk of rows).
    await ExportFile.update(
        {ExportFile.state: ExportState.BUILDING, ExportFile.rows_total: 8, ExportFile.rows_written: 4}
    ).where(ExportFile.id == export_id)

    progress = (await client.http.get(f"/enterprises/exports/{export_id}/progress")).json()
    page = await client.http.get(f"/enterprises/exports/{export_id}")

    text = zh("Written {done} of {total} rows ({percent}%).", done=4, total=8, percent=50)
    assert progress == {"state": "building", "percent": 50, "in_progress": True, "text": text}
    assert 'value="50"' in page.text and text in page.text
    listed = await client.http.get("/enterprises/exports")
    assert f'href="/enterprises/exports/{export_id}"' in listed.text and "50%" in listed.text


async def test_it_writes_its_progress_after_every_chunk(client: Client, personas: Personas, monkeypatch: Any) -> None:
    await seed_enterprises(personas.ids["alice"])
    lower_inline_limit(monkeypatch)
    await client.login("alice")
    export_id = export_id_of(await ask_export(client))
    monkeypatch.setattr(building, "CHUNK_ROWS", 4)
    seen: list[tuple[int, int]] = []  # (rows in the chunk, rows written as the page reads it before them)
    chunks = building.enterprise_chunks

    async def watched(*args: Any, **kwargs: Any) -> AsyncIterator[list[dict[str, Any]]]:
        async for chunk in chunks(*args, **kwargs):
            seen.append((len(chunk), (await export_row(export_id))["rows_written"]))
            yield chunk

    monkeypatch.setattr(building, "enterprise_chunks", watched)
    await building.build_export(export_id)

    assert seen == [(4, 0), (4, 4), (3, 8)]
    row = await export_row(export_id)
    assert (row["state"], row["rows_written"]) == (ExportState.READY, ROWS)


async def test_it_takes_again_a_build_stopped_at_its_timeout(
    client: Client, personas: Personas, monkeypatch: Any
) -> None:
    await seed_enterprises(personas.ids["alice"])
    lower_inline_limit(monkeypatch)
    await client.login("alice")
    export_id = export_id_of(await ask_export(client))
    now = datetime.now(UTC)
    building_since = {ExportFile.state: ExportState.BUILDING, ExportFile.rows_written: 5}

    # Being built by another run right now: left to it.
    await ExportFile.update({**building_since, ExportFile.progressed_at: now}).where(ExportFile.id == export_id)
    await building.build_export(export_id)
    assert (await export_row(export_id))["state"] == ExportState.BUILDING

    # Its run stopped making progress (a killed worker never says so): built from the start.
    stopped = now - STALLED_AFTER - timedelta(minutes=1)
    await ExportFile.update({ExportFile.progressed_at: stopped}).where(ExportFile.id == export_id)
    await building.build_export(export_id)
    row = await export_row(export_id)
    assert (row["state"], row["rows_written"]) == (ExportState.READY, ROWS)


async def test_it_deletes_old_files_and_fails_abandoned_builds(
    client: Client, personas: Personas, monkeypatch: Any
) -> None:
    await seed_enterprises(personas.ids["alice"])
    lower_inline_limit(monkeypatch)
    await client.login("alice")
    old, abandoned, fresh = [export_id_of(await ask_export(client)) for _ in range(3)]
    run_worker_until_idle()
    now = datetime.now(UTC)
    old_path = service.file_path((await export_row(old))["file_name"])
    await ExportFile.update({ExportFile.finished_at: now - KEEP_FOR - timedelta(hours=1)}).where(ExportFile.id == old)
    await ExportFile.update(
        {ExportFile.state: ExportState.BUILDING, ExportFile.started_at: now - ABANDONED_AFTER - timedelta(minutes=1)}
    ).where(ExportFile.id == abandoned)

    assert await service.sweep_exports(now) == 2
    assert await service.sweep_exports(now) == 0

    assert (await export_row(old))["state"] == ExportState.EXPIRED and not old_path.exists()
    assert (await export_row(abandoned))["state"] == ExportState.FAILED
    assert (await export_row(fresh))["state"] == ExportState.READY
    assert (await client.http.get(f"/enterprises/exports/{old}/download")).status_code == 404
    page = await client.http.get(f"/enterprises/exports/{abandoned}")
    assert zh(service.BUILD_ABANDONED) in page.text


async def test_it_keeps_no_phone_searched_for_once_the_file_is_built(
    client: Client, personas: Personas, monkeypatch: Any
) -> None:
    await seed_enterprises(personas.ids["alice"])
    lower_inline_limit(monkeypatch, rows=0)
    await client.login("alice")

    export_id = export_id_of(await ask_export(client, "csv", phone="0003", town="汉丰"))
    assert (await export_row(export_id))["filters"] == {"phone": "0003", "town": "汉丰"}
    run_worker_until_idle()

    row = await export_row(export_id)
    assert row["filters"] == {"town": "汉丰"} and row["rows_written"] == 1  # its last four: 13901540003
