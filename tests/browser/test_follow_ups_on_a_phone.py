"""A district officer opens what falls due on his phone: the follow-ups list, in Chinese, without sideways scrolling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from piccolo.utils.sync import run_sync
from playwright.sync_api import Page, expect

from casework.followups.rules import FollowUpKind
from casework.tables import FollowUp
from core.i18n import gettext
from tests.browser.conftest import sign_in
from tests.casework.life import Life
from tests.conftest import Personas

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


def test_it_lists_an_officers_follow_ups_on_a_phone(page: Page, personas: Personas) -> None:
    case_id = run_sync(Life(personas).case("alice"))
    # Its triage clock ran out two days ago.
    FollowUp.update({FollowUp.due_at: datetime.now(UTC) - timedelta(days=2, hours=1)}).where(
        FollowUp.case == case_id
    ).run_sync()

    sign_in(page, "olga")
    page.get_by_role("link", name=zh("Follow-ups")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Follow-ups"))
    row = page.locator("table.cases tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(zh(FollowUpKind.TRIAGE_DUE.label))
    expect(row).to_contain_text(zh("Overdue by {n} days", n=2))
    assert page.evaluate(NO_HORIZONTAL_SCROLL), "the follow-ups scroll sideways on a phone"

    row.get_by_role("link", name=zh("Case {id}", id=case_id)).click()
    expect(page.locator("#follow-ups-heading")).to_have_text(zh("Follow-ups"))
