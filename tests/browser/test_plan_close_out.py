"""A broker at a visit closes problems out on her phone: one with the founder's signature drawn on the
screen (static/signature.js), one with the code sent to his phone and read out to her."""

from __future__ import annotations

import re

import pytest
from piccolo.utils.sync import run_sync
from playwright.sync_api import Page, expect

from casework.confirmations.rules import code_in_text
from casework.confirmations.texts import last_text
from casework.states import CaseState
from casework.tables import Problem
from core.i18n import gettext
from tests.browser.conftest import sign_in
from tests.casework.plans.world import PlanWorld
from tests.conftest import Personas, run_worker_until_idle

pytestmark = pytest.mark.browser


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


def test_it_closes_problems_out_with_a_drawn_signature_and_with_a_code(page: Page, personas: Personas) -> None:
    world = PlanWorld(personas)
    case_id = run_sync(world.case(CaseState.IN_PROGRESS))
    signed, _ = run_sync(world.problem(case_id, [("done", "expert")], title="冷库容量不足"))
    coded, _ = run_sync(world.problem(case_id, [("dropped", "bureau")], title="销路不畅"))

    sign_in(page, "alice")
    page.goto(f"/cases/{case_id}/plan")
    page.get_by_label("冷库容量不足").check()
    page.get_by_role("button", name=zh("The founder signs on the screen")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(zh("The founder's signature"))

    confirm = page.get_by_role("button", name=zh("Confirm and close out"))
    confirm.click()  # nothing drawn: the page says so and stays
    expect(page.get_by_text(zh("Draw the signature first."))).to_be_visible()
    expect(page).to_have_url(re.compile(r"/plan/sign\?"))

    box = page.locator("canvas").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 30, box["y"] + 120)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 120 + (-1) ** step * 30)
    page.mouse.up()
    confirm.click()
    expect(
        page.get_by_role("status").filter(has_text=zh("Closed out with the founder's confirmation."))
    ).to_be_visible()

    page.get_by_label("销路不畅").check()
    page.get_by_role("button", name=zh("Send a code to the founder's phone")).click()
    expect(page.get_by_text("139****1234")).to_be_visible()
    run_worker_until_idle()
    kept = run_sync(last_text(case_id))
    assert kept is not None
    code = code_in_text(kept.text)
    assert code is not None
    page.get_by_label(zh("Code from the founder's phone")).fill(code)
    page.get_by_role("button", name=zh("Confirm and close out")).click()
    expect(
        page.get_by_role("status").filter(has_text=zh("Closed out with the founder's confirmation."))
    ).to_be_visible()

    closed = Problem.select(Problem.id).where(Problem.closed_out_at.is_not_null()).order_by(Problem.id).run_sync()
    assert [p["id"] for p in closed] == [signed, coded]
