"""The Content-Security-Policy breaks nothing: every main page of every role loads with no violation.

A violation shows twice: as chromium's console error ("Refused to … Content Security Policy") and as
the page's `securitypolicyviolation` event, which a script added before any page script reports to
the console too. Both are collected for the whole run of a role, across navigations.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from core.security_headers import CONTENT_SECURITY_POLICY
from tests.browser.conftest import sign_in
from tests.conftest import Personas

pytestmark = pytest.mark.browser

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile);
});
"""
ENTERPRISE = "开州区春华柑橘家庭农场"


def watched(new_page: Callable[[], Page]) -> tuple[Page, list[str]]:
    page = new_page()
    page.context.add_init_script(REPORT_VIOLATIONS)
    violations: list[str] = []

    def on_console(message: object) -> None:
        text = getattr(message, "text", "")
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            violations.append(f"{page.url}: {text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: script error {error}"))
    return page, violations


def visit_every_nav_link(page: Page) -> list[str]:
    """Open each page the role's menu offers; returns their paths."""
    paths = [href for href in page.locator("header nav a").evaluate_all("links => links.map(a => a.pathname)")]
    assert paths, "a signed-in page shows the menu"
    for path in paths:
        response = page.goto(path)
        # An expert without a profile yet gets /experts/me's 404 page: still a page to check.
        assert response is not None and response.status < 500, (path, response and response.status)
        page.wait_for_load_state("load")
    return paths


def register_enterprise_and_file_a_need(page: Page) -> str:
    page.goto("/enterprises/new")
    page.locator("#f-name").fill(ENTERPRISE)
    page.locator("#f-town").fill("汉丰街道")
    page.locator("#f-founder_name").fill("周春华")
    page.locator("#f-founder_phone").fill("139 8345 1234")
    page.wait_for_timeout(700)  # duplicates.js asks the server and writes its warning box
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page).to_have_url(re.compile(r"/enterprises/\d+\?registered=1$"))
    enterprise_url = page.url.split("?")[0]
    page.locator("#f-category").select_option("financing")
    page.locator("#f-description").fill("扩建冷库，需要贷款五万元。")
    page.locator("#f-urgency").select_option("high")
    page.get_by_role("button", name="提交需求").click()
    expect(page).to_have_url(re.compile(r"/cases/\d+\?filed=1$"))
    return enterprise_url


def test_it_serves_the_main_pages_of_every_role_without_a_csp_violation(
    new_page: Callable[[], Page], personas: Personas
) -> None:
    alice, alices = watched(new_page)
    first = alice.goto("/login")
    assert first is not None and first.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    sign_in(alice, "alice")
    enterprise_url = register_enterprise_and_file_a_need(alice)
    case_url = alice.url.split("?")[0]
    visited = visit_every_nav_link(alice)
    for path in (enterprise_url, f"{enterprise_url}/edit", case_url, "/no/such/page"):
        alice.goto(path)
    assert "/enterprises/new" in visited and alices == [], alices

    for username, extra in (("olga", [case_url, enterprise_url]), ("eve", []), ("adam", [])):
        page, violations = watched(new_page)
        sign_in(page, username)
        visit_every_nav_link(page)
        for path in extra:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
        page.get_by_role("button", name="退出登录").click()
        expect(page).to_have_url(re.compile(r"/login$"))
        assert violations == [], (username, violations)

    # The watch sees a violation when there is one: an inline style is refused and reported.
    alice.evaluate("document.body.setAttribute('style', 'color: red')")
    alice.wait_for_timeout(300)
    assert any("style-src" in line for line in alices), alices
