"""The founder's signature pad (static/signature.js) in Debian's chromium: "请先签字。" stands while the canvas is
empty once he has been asked to sign, and goes as soon as he draws.

The pad's partial is rendered as the sign pages include it, and the script run on it, with no server: the browser
is started and stopped inside each test, because Playwright's sync API holds the thread's event loop while it runs
(see tests/browser/conftest.py) and the tests around these are anyio tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import Environment, FileSystemLoader
from playwright.sync_api import Page, expect, sync_playwright

from core.i18n import gettext
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, PROJECT

pytestmark = pytest.mark.browser

ASK = gettext("zh_CN", "Draw the signature first.")


def sign_page(errors: dict[str, str]) -> str:
    """A sign page's form around the pad, as templates/casework/task_sign.html has it."""
    templates = Environment(loader=FileSystemLoader(PROJECT / "templates"), autoescape=True)
    templates.globals["_"] = lambda message, **params: gettext("zh_CN", message, **params)
    pad = templates.get_template("casework/_founder_signature.html").render(errors=errors, other_errors=())
    form = f'<form method="post" action="/sign">{pad}<button type="submit">确认走访</button></form>'
    return f"<!doctype html><html><body>{form}</body></html>"


@pytest.fixture
def pad() -> Iterator[Page]:
    """The sign page with the pad's script running, on a phone-sized chromium; a submission is caught, not sent."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install -y chromium`", pytrace=False)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_context(**PHONE).new_page()  # type: ignore[arg-type]
        finally:
            browser.close()


def open_pad(page: Page, errors: dict[str, str] | None = None) -> None:
    page.set_content(sign_page(errors or {}))
    page.add_script_tag(content=(Path(PROJECT) / "static" / "signature.js").read_text(encoding="utf-8"))
    # After the pad's own listener: what it would send is kept, and the page stays.
    page.evaluate(
        """() => document.querySelector("form").addEventListener("submit", (event) => {
            window.sent = event.defaultPrevented ? null : document.querySelector('[name="signature"]').value;
            event.preventDefault();
        })"""
    )


def draw(page: Page) -> None:
    box = page.locator("canvas").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 40, box["y"] + 60)
    page.mouse.down()
    for step in range(1, 8):
        page.mouse.move(box["x"] + 40 + step * 25, box["y"] + 60 + (step % 2) * 40)
    page.mouse.up()


def test_it_hides_the_request_to_sign_once_the_founder_draws_and_shows_it_again_on_clear(pad: Page) -> None:
    open_pad(pad)
    ask = pad.locator("[data-signature-error]")
    expect(ask).to_be_hidden()
    pad.get_by_role("button", name="确认走访").click()
    expect(ask).to_be_visible()
    expect(ask).to_have_text(ASK)
    assert pad.evaluate("window.sent") is None  # nothing drawn, nothing sent

    draw(pad)
    expect(ask).to_be_hidden()
    pad.get_by_role("button", name=gettext("zh_CN", "Clear")).click()
    expect(ask).to_be_visible()
    expect(ask).to_have_text(ASK)

    draw(pad)
    expect(ask).to_be_hidden()
    pad.get_by_role("button", name="确认走访").click()
    assert str(pad.evaluate("window.sent")).startswith("data:image/png;base64,")


def test_it_asks_nothing_before_the_founder_has_tried_to_confirm(pad: Page) -> None:
    open_pad(pad)
    draw(pad)
    pad.get_by_role("button", name=gettext("zh_CN", "Clear")).click()
    expect(pad.locator("[data-signature-error]")).to_be_hidden()


def test_it_hides_the_servers_refusal_once_the_founder_draws(pad: Page) -> None:
    open_pad(pad, {"signature": "Draw the signature first."})  # the page again, after an empty submission
    ask = pad.locator("[data-signature-error]")
    expect(ask).to_be_visible()
    draw(pad)
    expect(ask).to_be_hidden()
    pad.get_by_role("button", name=gettext("zh_CN", "Clear")).click()
    expect(ask).to_have_text(ASK)
    expect(ask).to_be_visible()
