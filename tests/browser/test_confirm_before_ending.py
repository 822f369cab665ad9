"""A move that ends a case asks first (static/confirm.js): Alice, on her phone, withdraws a case she
filed; answering no to the question leaves the case as it was, answering yes withdraws it."""

from __future__ import annotations

import pytest
from piccolo.utils.sync import run_sync
from playwright.sync_api import Dialog, Page, expect

from accounts.policy import Actor, Role
from casework.services import file_need
from casework.tables import Case
from core.i18n import gettext
from enterprises.services import register_enterprise
from tests.browser.conftest import sign_in
from tests.conftest import DISTRICT_A, Personas

pytestmark = pytest.mark.browser


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


def test_it_withdraws_a_case_only_once_the_broker_confirms(page: Page, personas: Personas) -> None:
    alice = Actor(personas.ids["alice"], Role.BROKER, DISTRICT_A)
    form = {"name": "春华柑橘家庭农场", "legal_form": "family_farm", "district": DISTRICT_A, "town": "汉丰街道"}
    founder = {"founder_name": "周春华", "founder_phone": "13983451234"}
    enterprise_id = run_sync(register_enterprise(alice, {**form, **founder}))
    case_id = run_sync(file_need(alice, enterprise_id, {"category": "market", "description": "找销路"}))
    asked: list[str] = []

    def answer(accept: bool) -> None:
        def reply(dialog: Dialog) -> None:
            asked.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        page.once("dialog", reply)

    sign_in(page, "alice")
    page.goto(f"/cases/{case_id}")
    page.get_by_label(zh("Reason")).fill("企业已自筹资金")
    withdraw = page.get_by_role("button", name=zh("Withdraw"), exact=True)

    answer(accept=False)
    withdraw.click()
    expect(page.locator("main .state").first).to_have_text(zh("Submitted"))
    assert asked == [zh("Withdraw this case? A withdrawn case cannot be reopened.")]
    assert page.get_by_label(zh("Reason")).input_value() == "企业已自筹资金"  # not sent: still as typed
    assert Case.select(Case.state).where(Case.id == case_id).first().run_sync()["state"] == "submitted"

    answer(accept=True)
    with page.expect_navigation():
        withdraw.click()
    expect(page.locator("main .state").first).to_have_text(zh("Withdrawn"))
    assert len(asked) == 2
