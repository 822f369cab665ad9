"""Checking what a broker types: every error beside its field, everything else cleaned."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core.errors import Invalid
from enterprises.classification import LegalForm, NeedCategory
from enterprises.identifiers import CREDIT_CODE_UNKNOWN_TYPE, complete_resident_id
from enterprises.industries import UNKNOWN_INDUSTRY
from enterprises.intake import (
    DATE_IN_FUTURE,
    DATE_INVALID,
    MIGRANTS_EXCEED_EMPLOYEES,
    NOT_YOUR_DISTRICT,
    REQUIRED,
    clean_enterprise,
    clean_need,
    parse_money,
)

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

TODAY = date(2026, 11, 27)


GOOD = {
    "name": " 开州区春华柑橘家庭农场 ",
    "legal_form": "family_farm",
    "district": "500154",
    "town": "汉丰街道",
    "founder_name": "周春华",
    "founder_phone": "+86 139 8345 1234",
}


def test_it_cleans_a_good_form() -> None:
    draft = clean_enterprise(GOOD, frozenset({"500154"}), TODAY)
    assert draft.name == "开州区春华柑橘家庭农场"
    assert draft.legal_form is LegalForm.FAMILY_FARM
    assert draft.founder_phone == "13983451234"


def test_it_normalises_full_width_input() -> None:
    draft = clean_enterprise({**GOOD, "founder_phone": "１３９８３４５１２３４", "industry": "ａ"}, None, TODAY)
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
        ({"industry": "Z"}, "industry", UNKNOWN_INDUSTRY),
        ({"credit_code": "94350100M0001TGQXM"}, "credit_code", CREDIT_CODE_UNKNOWN_TYPE),
    ],
)
def test_it_reports_each_bad_field(change: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_enterprise({**GOOD, **change}, frozenset({"500154"}), TODAY)
    assert caught.value.errors[field] == message


def test_it_reports_every_bad_field_at_once() -> None:
    with pytest.raises(Invalid) as caught:
        clean_enterprise({"founder_phone": "12"}, None, TODAY)
    assert {"name", "town", "founder_name", "district", "founder_phone"} <= set(caught.value.errors)


def test_it_accepts_a_pilot_credit_code_with_an_optional_note() -> None:
    draft = clean_enterprise(
        {**GOOD, "credit_code": "91350100M0001TGQXM", "credit_code_note": "营业执照原文如此"}, None, TODAY
    )
    assert draft.credit_code == "91350100M0001TGQXM"
    assert draft.credit_code_note == "营业执照原文如此"
    assert (
        draft.licence_check
    )  # no tick: flagged for a check against the licence (tests/enterprises/test_pilot_codes.py)


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("", None),
        ("50000", Decimal("50000.00")),
        ("50,000.5", Decimal("50000.50")),
        ("３０００元", Decimal("3000.00")),
        ("5万", Decimal("50000.00")),  # one parser for every door: the form takes what a ledger holds
        ("¥1,256,000.00", Decimal("1256000.00")),
    ],
)
def test_it_parses_money(raw: str, amount: Decimal | None) -> None:
    assert parse_money(raw) == amount


@pytest.mark.parametrize("raw", ["5万万", "-1", "1.234", "NaN", "1e20"])
def test_it_refuses_what_is_not_money(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_money(raw)


def test_it_keeps_an_amount_only_for_money_needs() -> None:
    need = clean_need({"category": "technology", "description": "防疫", "amount_sought": "1000"})
    assert need.category is NeedCategory.TECHNOLOGY
    assert need.amount_sought is None
    assert clean_need({"category": "financing", "description": "贷款", "amount_sought": "1000"}).amount_sought == 1000


def test_it_requires_a_category_and_description() -> None:
    with pytest.raises(Invalid) as caught:
        clean_need({"category": "lunch", "description": " "})
    assert set(caught.value.errors) == {"category", "description"}


def test_it_reads_the_founders_id_number_and_derives_birth_year_and_gender() -> None:
    number = complete_resident_id("50015419850312123")  # sequence 123: odd, a man
    draft = clean_enterprise({**GOOD, "founder_id_number": number.lower()}, None, TODAY)
    assert draft.founder_id_number == number
    assert draft.founder_birth_year == 1985 and draft.founder_gender == "male"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"founded_on": "2021-02-30"}, "founded_on", DATE_INVALID),
        ({"founded_on": "2027-01-01"}, "founded_on", DATE_IN_FUTURE),
        ({"employees": "十"}, "employees", "Enter a whole number of people, 0 or more."),
        ({"employees": "3", "migrant_employees": "5"}, "migrant_employees", MIGRANTS_EXCEED_EMPLOYEES),
        ({"founder_return_year": "1900"}, "founder_return_year", "Enter a year between 1950 and this year."),
        (
            {"founder_id_number": "500154198502301234"},
            "founder_id_number",
            "ID number does not contain a possible birth date.",
        ),
    ],
)
def test_it_reports_bad_numbers_dates_and_ids(change: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(Invalid) as caught:
        clean_enterprise({**GOOD, **change}, None, TODAY)
    assert caught.value.errors == {field: message}


@pytest.mark.parametrize("written", ["2021-03-15", "2021/3/15", "2021年3月15日", "２０２１－０３－１５"])
def test_it_reads_dates_as_brokers_write_them(written: str) -> None:
    assert clean_enterprise({**GOOD, "founded_on": written}, None, TODAY).founded_on == date(2021, 3, 15)


def test_it_keeps_chinese_punctuation_in_names_as_on_the_licence() -> None:
    draft = clean_enterprise({**GOOD, "name": "春华（柑橘）　有限公司", "main_products": "ＡＢＣ１２３"}, None, TODAY)
    assert draft.name == "春华（柑橘） 有限公司"
    assert draft.main_products == "ABC123"


def test_it_keeps_the_line_breaks_of_a_need_description() -> None:
    need = clean_need({"category": "market", "description": "  找销路，\r\n  对接超市。 "})
    assert need.description == "找销路，\n对接超市。"
