"""Checking what a broker types: every error beside its field, everything else cleaned."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import Invalid
from enterprises.classification import LegalForm, NeedCategory
from enterprises.intake import (
    NOT_YOUR_DISTRICT,
    PILOT_CODE_NEEDS_REASON,
    REQUIRED,
    clean_enterprise,
    clean_need,
    parse_money,
)

GOOD = {
    "name": " 开州区春华柑橘家庭农场 ",
    "legal_form": "family_farm",
    "district": "500154",
    "town": "汉丰街道",
    "founder_name": "周春华",
    "founder_phone": "+86 139 8345 1234",
}


def test_it_cleans_a_good_form() -> None:
    draft = clean_enterprise(GOOD, frozenset({"500154"}))
    assert draft.name == "开州区春华柑橘家庭农场"
    assert draft.legal_form is LegalForm.FAMILY_FARM
    assert draft.founder_phone == "13983451234"


def test_it_normalises_full_width_input() -> None:
    draft = clean_enterprise({**GOOD, "founder_phone": "１３９８３４５１２３４", "industry": "ａ"}, None)
    assert draft.founder_phone == "13983451234"
    assert draft.industry == "A"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "  "}, "name", REQUIRED),
        ({"town": ""}, "town", REQUIRED),
        ({"founder_name": ""}, "founder_name", REQUIRED),
        ({"district": "500118"}, "district", NOT_YOUR_DISTRICT),
        ({"district": "999999"}, "district", "Choose a district."),
        ({"legal_form": "llc"}, "legal_form", "Choose a legal form."),
        ({"industry": "Z"}, "industry", "Choose an industry section."),
        ({"credit_code": "91350100M0001TGQXM"}, "credit_code", PILOT_CODE_NEEDS_REASON),
    ],
)
def test_it_reports_each_bad_field(change: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_enterprise({**GOOD, **change}, frozenset({"500154"}))
    assert caught.value.errors[field] == message


def test_it_reports_every_bad_field_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        clean_enterprise({"founder_phone": "12"}, None)
    assert {"name", "town", "founder_name", "district", "founder_phone"} <= set(caught.value.errors)


def test_it_accepts_a_pilot_credit_code_with_a_reason() -> None:
    draft = clean_enterprise(
        {**GOOD, "credit_code": "91350100M0001TGQXM", "credit_code_note": "营业执照原文如此"}, None
    )
    assert draft.credit_code == "91350100M0001TGQXM"
    assert draft.credit_code_note == "营业执照原文如此"


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("", None),
        ("50000", Decimal("50000.00")),
        ("50,000.5", Decimal("50000.50")),
        ("３０００元", Decimal("3000.00")),
    ],
)
def test_it_parses_money(raw: str, amount: Decimal | None) -> None:
    assert parse_money(raw) == amount


@pytest.mark.parametrize("raw", ["5万", "-1", "1.234", "NaN", "1e20"])
def test_it_refuses_what_is_not_money(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_money(raw)


def test_it_keeps_an_amount_only_for_money_needs() -> None:
    need = clean_need({"category": "technology", "description": "防疫", "amount_sought": "1000"})
    assert need.category is NeedCategory.TECHNOLOGY
    assert need.amount_sought is None
    assert (
        clean_need({"category": "financing", "description": "贷款", "amount_sought": "1000"}).amount_sought
        == 1000
    )


def test_it_requires_a_category_and_description() -> None:
    with pytest.raises(Invalid) as caught:
        clean_need({"category": "lunch", "description": " "})
    assert set(caught.value.errors) == {"category", "description"}
