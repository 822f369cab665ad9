"""A broker registers an enterprise and files its need on a phone, in Chinese; the district office sees it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from core.i18n import gettext
from enterprises.identifiers import PHONE_INVALID
from tests.browser.conftest import sign_in
from tests.conftest import Personas

pytestmark = pytest.mark.browser

ENTERPRISE = "开州区春华柑橘家庭农场"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def case_state(page: Page) -> Locator:
    """The badge of the case's state, the first on a case page (the timeline comes after it)."""
    return page.locator("main .state").first


def test_it_lets_a_broker_register_an_enterprise_and_file_a_need_that_his_district_officer_sees(
    new_page: Callable[[], Page], personas: Personas
) -> None:
    alice = new_page()
    sign_in(alice, "alice")
    expect(alice).to_have_url(re.compile(r"/cases/mine$"))
    expect(alice.get_by_role("heading", level=1)).to_have_text("我的案件")

    alice.locator("a[href='/enterprises/new']").click()
    expect(alice).to_have_url(re.compile(r"/enterprises/new$"))
    expect(alice.get_by_role("heading", level=1)).to_have_text("登记企业")
    alice.locator("#f-name").fill(ENTERPRISE)
    alice.locator("#f-town").fill("汉丰街道")
    alice.locator("#f-founder_name").fill("周春华")
    alice.locator("#f-founder_phone").fill("12345")
    alice.get_by_role("button", name="登记", exact=True).click()

    phone_error = alice.locator("#e-founder_phone")
    expect(phone_error).to_have_text(gettext("zh_CN", PHONE_INVALID))
    expect(phone_error).to_contain_text(CHINESE)
    expect(alice.locator("#f-founder_phone")).to_have_attribute("aria-invalid", "true")
    expect(alice.locator("#f-name")).to_have_value(ENTERPRISE)
    expect(alice.locator("#f-founder_phone")).to_have_value("12345")

    alice.locator("#f-founder_phone").fill("139 8345 1234")
    alice.get_by_role("button", name="登记", exact=True).click()
    expect(alice).to_have_url(re.compile(r"/enterprises/\d+\?registered=1$"))
    expect(alice.get_by_role("heading", level=1)).to_have_text(ENTERPRISE)
    expect(alice.get_by_role("status").filter(has_text="企业已登记")).to_be_visible()
    expect(alice.locator("main")).to_contain_text("139****1234")  # the founder's phone, masked

    alice.locator("#f-category").select_option("financing")
    alice.locator("#f-description").fill("扩建冷库，需要贷款五万元。")
    alice.locator("#f-urgency").select_option("high")
    alice.locator("#f-amount_sought").fill("50000")
    alice.get_by_role("button", name="提交需求").click()

    expect(alice).to_have_url(re.compile(r"/cases/\d+\?filed=1$"))
    expect(case_state(alice)).to_have_text("已提交")
    expect(alice.get_by_role("heading", level=1)).to_contain_text(ENTERPRISE)
    case_url = alice.url.split("?")[0]

    olga = new_page()
    sign_in(olga, "olga")
    expect(olga).to_have_url(re.compile(r"/cases/queue$"))
    olga.get_by_role("link", name=ENTERPRISE).click()
    expect(olga).to_have_url(case_url)
    expect(case_state(olga)).to_have_text("已提交")
    olga.get_by_role("button", name="受理", exact=True).click()
    expect(case_state(olga)).to_have_text("已受理")
    timeline = olga.locator("ol.timeline > li")
    expect(timeline).to_have_count(2)
    expect(timeline.first).to_contain_text("提交了需求")
    expect(timeline.last).to_contain_text("Olga")
    expect(timeline.last).to_contain_text("已受理")
    expect(olga.get_by_role("button", name="受理", exact=True)).to_have_count(0)

    oscar = new_page()
    sign_in(oscar, "oscar")
    expect(oscar).to_have_url(re.compile(r"/cases/queue$"))
    oscar.goto("/cases/queue?state=")  # every state, not only the submitted ones
    expect(oscar.get_by_role("heading", level=1)).to_have_text("待办案件")
    expect(oscar.locator("main")).not_to_contain_text(ENTERPRISE)
    response = oscar.goto(case_url)
    assert response is not None
    assert response.status == 404
    expect(oscar.get_by_role("heading", level=1)).to_have_text(gettext("zh_CN", "Not found."))
    expect(oscar.locator("main")).not_to_contain_text(ENTERPRISE)


def test_it_fits_a_phone_screen(page: Page, personas: Personas, tmp_path: Path) -> None:
    sign_in(page, "alice")
    for path in ("/cases/mine", "/enterprises/new"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate(NO_HORIZONTAL_SCROLL), f"{path} scrolls sideways on a phone"

    page.get_by_role("button", name="登记", exact=True).click()  # an empty form: errors everywhere
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.evaluate(NO_HORIZONTAL_SCROLL), "the form with its errors scrolls sideways on a phone"
    page.screenshot(path=tmp_path / "register-enterprise.png", full_page=True)


def test_it_switches_to_english(page: Page) -> None:
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("link", name="中文")).to_be_visible()
