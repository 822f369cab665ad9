"""A broker follows a long export on her phone: the page shows its progress, then offers the file.

The export is asked for through the service (the live server answers a list this short at once);
a real `rq worker` builds it only once the page is open, so the page must notice the end by itself
(static/import.js, shared with imports).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from piccolo.utils.sync import run_sync
from playwright.sync_api import Page, expect

from accounts.policy import Actor, Role
from core.i18n import gettext
from enterprises.exports.controllers import STATE_LABELS
from enterprises.exports.rules import ExportFormat, ExportState
from enterprises.exports.service import request_export
from enterprises.listing import EnterpriseFilter
from tests.browser.conftest import sign_in
from tests.conftest import DISTRICT_A, Personas, run_worker_until_idle
from tests.enterprises.exports.listing import ROWS, id_number, masked_values, phone, seed_enterprises

pytestmark = pytest.mark.browser

WORKER_MS = 60_000  # how long the page may wait for the worker on a loaded machine


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


def test_it_shows_the_progress_of_a_long_export_and_then_its_file(
    page: Page, personas: Personas, tmp_path: Path
) -> None:
    alice = Actor(user_id=personas.ids["alice"], role=Role.BROKER, district=DISTRICT_A)
    run_sync(seed_enterprises(alice.user_id))
    export_id = run_sync(request_export(alice, EnterpriseFilter(), ExportFormat.XLSX, "zh_CN"))

    sign_in(page, "alice")
    page.goto("/enterprises")
    page.get_by_role("link", name=zh("My exports")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("My exports"))
    page.locator(f'a[href="/enterprises/exports/{export_id}"]').click()

    # No worker yet: the export waits, its bar at 0, the page polling.
    expect(page).to_have_url(re.compile(rf"/enterprises/exports/{export_id}$"))
    expect(page.locator("progress#export-progress")).to_have_attribute("value", "0")
    waiting = zh(STATE_LABELS[ExportState.REQUESTED])
    expect(page.get_by_role("status").filter(has_text=waiting)).to_have_attribute("data-progress-text", "")

    run_worker_until_idle()

    ready = zh("Your file is ready: {count} enterprises.", count=ROWS)
    expect(page.get_by_role("status").filter(has_text=ready)).to_be_visible(timeout=WORKER_MS)
    expect(page.locator("progress")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name=zh("Download the file ({format})", format="XLSX")).click()
    assert download.value.suggested_filename == f"enterprises-{export_id}.xlsx"
    saved = tmp_path / "export.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    assert sheet is not None
    text = "\n".join(",".join(str(cell) for cell in row) for row in sheet.iter_rows(values_only=True))
    for i in range(ROWS):
        assert all(value in text for value in masked_values(i))
        assert phone(i) not in text and id_number(i) not in text
