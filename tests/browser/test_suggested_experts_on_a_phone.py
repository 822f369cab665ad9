"""An officer on his phone assigns a triaged case from the suggested experts, and reviews a batch, without
sideways scrolling."""

from __future__ import annotations

from pathlib import Path

import pytest
from piccolo.utils.sync import run_sync
from playwright.sync_api import Page, expect

from casework.workflow import CaseState, Transition
from core.i18n import gettext
from experts.tables import Expert, ExpertConflict
from tests.browser.conftest import sign_in
from tests.casework.life import Life
from tests.conftest import Personas

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"
SHOTS = Path("/tmp/fuchi-shots")  # looked at by hand; nothing asserts on them


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


def test_it_assigns_a_suggested_expert_on_a_phone(page: Page, personas: Personas) -> None:
    life = Life(personas)
    run_sync(life.expert("eve", name="李工"))
    ed = run_sync(life.expert("ed", name="王工"))
    case_id = run_sync(life.case(category="market"))
    run_sync(life.move("olga", case_id, Transition.TRIAGE))
    enterprise = Expert.raw("SELECT enterprise FROM casework_case WHERE id = {}", case_id).run_sync()[0]["enterprise"]
    ExpertConflict.insert(ExpertConflict(expert=ed, enterprise=enterprise, kind="kin")).run_sync()
    Expert.update({Expert.organisation: "重庆工商大学管理学院创新创业研究中心"}, force=True).run_sync()

    sign_in(page, "olga")
    page.goto(f"/cases/{case_id}")
    section = page.locator("section.suggested-experts")
    expect(section.get_by_role("heading", level=2)).to_have_text(zh("Suggested experts"))
    expect(section).to_contain_text("李工")
    page.get_by_text(zh("Not suggested: {count} experts", count=1)).click()
    expect(section).to_contain_text("王工")
    assert page.evaluate(NO_HORIZONTAL_SCROLL), "the suggested experts scroll sideways on a phone"
    SHOTS.mkdir(exist_ok=True)
    section.screenshot(path=str(SHOTS / "suggested-experts-390.png"))

    section.get_by_role("button", name=zh("Offer the case to {name}", name="李工")).click()
    expect(page.locator(".state").first).to_have_text(zh(CaseState.ASSIGNED.label))


def test_it_reviews_a_batch_on_a_phone(page: Page, personas: Personas) -> None:
    life = Life(personas)
    run_sync(life.expert("eve", name="李工"))
    for _ in range(2):
        case_id = run_sync(life.case(category="market"))
        run_sync(life.move("olga", case_id, Transition.TRIAGE))

    sign_in(page, "olga")
    page.goto("/cases/queue?state=triaged")
    page.get_by_role("link", name=zh("Assign triaged cases in a batch")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(zh("Batch assignment"))
    assert page.evaluate(NO_HORIZONTAL_SCROLL), "the batch review scrolls sideways on a phone"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "batch-review-390.png"), full_page=True)
    page.get_by_role("button", name=zh("Confirm and send the offers")).click()
    sent = zh("{offered} offers sent; {failed} cases not assigned.", offered=2, failed=0)
    expect(page.locator(".notice")).to_contain_text(sent)
