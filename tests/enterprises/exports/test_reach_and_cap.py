"""Who sees an export (its requester alone), and the cap on heavy work: imports and exports in progress per user."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.i18n import gettext
from enterprises.exports.tables import ExportFile
from enterprises.heavy_work import TooMuchHeavyWork, heavy_work_in_progress
from enterprises.imports.tables import ImportBatch
from tests.conftest import Client, Personas, run_worker_until_idle
from tests.enterprises.exports.listing import ask_export, export_id_of, lower_inline_limit, seed_enterprises
from tests.enterprises.imports.uploads import messy_workbook, upload

pytestmark = pytest.mark.anyio


def refusal(count: int) -> str:
    return gettext("zh_CN", TooMuchHeavyWork.message, count=count)


async def upload_on_the_page(client: Client) -> Any:
    page = await client.http.get("/enterprises/imports")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token
    return await client.http.post(
        "/enterprises/imports",
        data={"_csrf_token": token.group(1)},
        files={"file": ("名单.xlsx", messy_workbook(), "application/octet-stream")},
    )


@pytest.mark.parametrize("viewer", ["olga", "bob", "carl"])  # her district officer, another broker, the city
async def test_it_shows_an_export_to_its_requester_alone(
    client: Client, new_client: Any, personas: Personas, monkeypatch: Any, viewer: str
) -> None:
    await seed_enterprises(personas.ids["alice"])
    lower_inline_limit(monkeypatch)
    await client.login("alice")
    export_id = export_id_of(await ask_export(client))
    run_worker_until_idle()
    other = new_client()
    await other.login(viewer)

    for path in ("", "/progress", "/download"):
        assert (await other.http.get(f"/enterprises/exports/{export_id}{path}")).status_code == 404, path
        assert (await client.http.get(f"/enterprises/exports/{export_id}{path}")).status_code == 200, path
    listed = await other.http.get("/enterprises/exports")
    assert listed.status_code == 200 and f"/enterprises/exports/{export_id}" not in listed.text


async def test_it_refuses_a_fourth_heavy_job_until_one_finishes(
    client: Client, new_client: Any, personas: Personas, monkeypatch: Any
) -> None:
    await seed_enterprises(personas.ids["alice"])
    lower_inline_limit(monkeypatch)
    await client.login("alice")
    token = await client.api_token("alice")
    # An import waiting for its dry run and two exports waiting for their build: no worker runs yet.
    assert (await upload(client, token, messy_workbook())).status_code == 201
    first, second = [export_id_of(await ask_export(client)) for _ in range(2)]
    assert await heavy_work_in_progress(personas.ids["alice"]) == 3

    refused = await ask_export(client, "csv", town="汉丰")
    assert refused.status_code == 429
    assert refusal(3) in refused.text
    assert 'name="town" value="汉丰"' in refused.text  # the list again, her search as she left it
    by_api = await upload(client, token, messy_workbook())
    assert by_api.status_code == 429 and by_api.json()["detail"] == refusal(3)
    on_the_page = await upload_on_the_page(client)
    assert on_the_page.status_code == 429 and refusal(3) in on_the_page.text
    assert await ExportFile.count() == 2 and await ImportBatch.count() == 1

    # The cap is hers: her district officer still exports the same enterprises.
    olga = new_client()
    await olga.login("olga")
    export_id_of(await ask_export(olga))

    run_worker_until_idle()  # her exports are built; her import is checked and waits for her, not for a worker

    assert await heavy_work_in_progress(personas.ids["alice"]) == 0
    third = export_id_of(await ask_export(client))
    assert len({first, second, third}) == 3
    assert (await upload(client, token, messy_workbook())).status_code == 201
