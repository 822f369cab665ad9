"""What a broker types when registering an enterprise or filing a need, checked and cleaned.

Pure: takes the raw form fields, returns clean values or raises `Invalid` with a message id for
every field that is wrong, so the form can come back with the user's input and each error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from core.districts import is_district
from core.errors import Invalid
from enterprises.classification import INDUSTRY_SECTIONS, LegalForm, NeedCategory, Urgency
from enterprises.identifiers import CreditCodeStatus, check_credit_code, normalise_phone, normalise_text

REQUIRED = "This field is required."
NOT_YOUR_DISTRICT = "You can register enterprises only in your own district."
PILOT_CODE_NEEDS_REASON = (
    "This credit code fails its check character. If it is printed so on the licence, say so in the reason."
)
MONEY_INVALID = "Enter an amount in yuan, e.g. 50000 or 50000.00."


@dataclass(frozen=True)
class EnterpriseDraft:
    name: str
    legal_form: LegalForm
    district: str
    town: str
    village: str
    industry: str
    main_products: str
    credit_code: str
    credit_code_note: str
    founder_name: str
    founder_phone: str


def _text(form: Mapping[str, str], field: str, limit: int = 200) -> str:
    return normalise_text(form.get(field, ""))[:limit]


def clean_enterprise(form: Mapping[str, str], allowed_districts: frozenset[str] | None) -> EnterpriseDraft:
    """Check an enterprise-and-founder form; `allowed_districts` None means any district."""
    errors: dict[str, str] = {}
    for field in ("name", "town", "founder_name"):
        if not _text(form, field):
            errors[field] = REQUIRED
    district = _text(form, "district")
    if not is_district(district):
        errors["district"] = "Choose a district."
    elif allowed_districts is not None and district not in allowed_districts:
        errors["district"] = NOT_YOUR_DISTRICT
    legal_form = _text(form, "legal_form") or LegalForm.INDIVIDUAL_BUSINESS.value
    if legal_form not in LegalForm.__members__.values():
        errors["legal_form"] = "Choose a legal form."
    industry = _text(form, "industry").upper()
    if industry and industry not in INDUSTRY_SECTIONS:
        errors["industry"] = "Choose an industry section."
    phone = normalise_phone(form.get("founder_phone", ""))
    if phone.error:
        errors["founder_phone"] = phone.error
    credit_code, note = "", _text(form, "credit_code_note", 500)
    if raw_code := _text(form, "credit_code"):
        check = check_credit_code(raw_code)
        credit_code = check.code
        if check.status is CreditCodeStatus.MALFORMED and check.error:
            errors["credit_code"] = check.error
        elif check.status is CreditCodeStatus.CHECK_DIGIT_MISMATCH and not note:
            errors["credit_code"] = PILOT_CODE_NEEDS_REASON
    if errors:
        raise Invalid(errors)
    return EnterpriseDraft(
        name=_text(form, "name"),
        legal_form=LegalForm(legal_form),
        district=district,
        town=_text(form, "town", 100),
        village=_text(form, "village", 100),
        industry=industry,
        main_products=_text(form, "main_products"),
        credit_code=credit_code,
        credit_code_note=note if credit_code else "",
        founder_name=_text(form, "founder_name", 100),
        founder_phone=phone.number,
    )


@dataclass(frozen=True)
class NeedDraft:
    category: NeedCategory
    description: str
    urgency: Urgency
    amount_sought: Decimal | None


def parse_money(raw: str) -> Decimal | None:
    """Yuan as typed ("5万" is not accepted; "50,000" is): None when empty, ValueError when not money."""
    text = normalise_text(raw).replace(",", "").replace("¥", "").replace("元", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(raw) from exc
    if (
        not amount.is_finite()
        or amount < 0
        or amount >= Decimal("1e12")
        or amount != amount.quantize(Decimal("0.01"))
    ):
        raise ValueError(raw)
    return amount.quantize(Decimal("0.01"))


def clean_need(form: Mapping[str, str]) -> NeedDraft:
    errors: dict[str, str] = {}
    category = _text(form, "category")
    if category not in NeedCategory.__members__.values():
        errors["category"] = "Choose what the enterprise needs."
    description = normalise_text(form.get("description", ""))[:4000]
    if not description:
        errors["description"] = REQUIRED
    urgency = _text(form, "urgency") or Urgency.NORMAL.value
    if urgency not in Urgency.__members__.values():
        errors["urgency"] = "Choose an urgency."
    amount: Decimal | None = None
    try:
        amount = parse_money(form.get("amount_sought", ""))
    except ValueError:
        errors["amount_sought"] = MONEY_INVALID
    if errors:
        raise Invalid(errors)
    need_category = NeedCategory(category)
    return NeedDraft(
        category=need_category,
        description=description,
        urgency=Urgency(urgency),
        amount_sought=amount if need_category.is_money else None,
    )
