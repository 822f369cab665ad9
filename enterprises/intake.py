"""What a broker types when registering an enterprise or filing a need, checked and cleaned.

Pure: takes the raw fields (from a form, the API or a spreadsheet row), returns clean values or
raises `Invalid` with a message id for every field that is wrong, so the form can come back with
the user's input and each error beside its field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from core.districts import is_district
from core.errors import Invalid
from core.text import fold_width, normalise_lines, normalise_text
from enterprises.classification import (
    INDUSTRY_SECTIONS,
    EnterpriseStatus,
    LegalForm,
    NeedCategory,
    Stage,
    Urgency,
)
from enterprises.identifiers import CreditCodeStatus, check_credit_code, check_resident_id, normalise_phone

REQUIRED = "This field is required."
NOT_YOUR_DISTRICT = "You can register enterprises only in your own district."
PILOT_CODE_NEEDS_REASON = (
    "This credit code fails its check character. If it is printed so on the licence, say so in the reason."
)
MONEY_INVALID = "Enter an amount in yuan, e.g. 50000 or 50000.00."
DATE_INVALID = "Enter a date such as 2021-03-15."
DATE_IN_FUTURE = "The date cannot be in the future."
COUNT_INVALID = "Enter a whole number of people, 0 or more."
YEAR_INVALID = "Enter a year between 1950 and this year."
MIGRANTS_EXCEED_EMPLOYEES = "Cannot be more than the number of employees."

ENTERPRISE_FIELDS = (
    "name", "legal_form", "credit_code", "credit_code_note", "district", "town", "village", "park",
    "industry", "main_products", "founded_on", "employees", "migrant_employees", "annual_revenue",
    "stage", "status",
    "founder_name", "founder_gender", "founder_birth_year", "founder_phone", "founder_id_number",
    "founder_worked_before", "founder_return_year",
)  # fmt: skip


# Where a draft is stored: the enterprise columns it sets (named as its fields), and founder
# field -> founder column. The phone and the ID number are not among them: they are stored
# encrypted, with a keyed hash and their last four (enterprises.records).
ENTERPRISE_COLUMNS = (
    "name", "legal_form", "district", "town", "village", "park", "industry", "main_products", "credit_code",
    "credit_code_note", "founded_on", "employees", "migrant_employees", "annual_revenue", "stage", "status",
)  # fmt: skip
FOUNDER_COLUMNS = {
    "founder_name": "name",
    "founder_gender": "gender",
    "founder_birth_year": "birth_year",
    "founder_worked_before": "worked_before",
    "founder_return_year": "return_year",
}


@dataclass(frozen=True)
class EnterpriseDraft:
    name: str
    legal_form: LegalForm
    district: str
    town: str
    village: str
    park: str
    industry: str
    main_products: str
    credit_code: str
    credit_code_note: str
    founded_on: date | None
    employees: int | None
    migrant_employees: int | None
    annual_revenue: Decimal | None
    stage: Stage
    status: EnterpriseStatus
    founder_name: str
    founder_gender: str
    founder_birth_year: int | None
    founder_phone: str
    founder_id_number: str
    founder_worked_before: str
    founder_return_year: int | None


def _text(form: Mapping[str, str], field: str, limit: int = 200) -> str:
    return normalise_text(str(form.get(field) or ""))[:limit]


_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(raw: str, today: date) -> date | None:
    """A date as brokers write it (2021-03-15, 2021/3/15, 2021年3月15日); None when empty."""
    text = fold_width(raw)
    if not text:
        return None
    match = _DATE.match(text)
    if match is None:
        raise ValueError(DATE_INVALID)
    try:
        parsed = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise ValueError(DATE_INVALID) from exc
    if parsed > today:
        raise ValueError(DATE_IN_FUTURE)
    return parsed


def parse_count(raw: str) -> int | None:
    text = fold_width(raw).removesuffix("人").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) > 1_000_000:
        raise ValueError(COUNT_INVALID)
    return int(text)


def parse_year(raw: str, today: date) -> int | None:
    text = fold_width(raw).removesuffix("年").strip()
    if not text:
        return None
    if not text.isdigit() or not 1950 <= int(text) <= today.year:
        raise ValueError(YEAR_INVALID)
    return int(text)


def yuan_from_wan(text: str, scale: int = 1) -> str:
    """Yuan from "68万" or "68万元" (or 68 in a column headed "（万元）", `scale` 10,000); other text as it is."""
    plain = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    if plain.endswith(("万", "万元")):
        plain, scale = plain.removesuffix("元").removesuffix("万").strip(), 10_000
    if scale == 1:
        return text
    try:
        return str(Decimal(plain) * scale)
    except InvalidOperation:
        return text


def parse_money(raw: str) -> Decimal | None:
    """Yuan as typed ("50,000" and "3000元" are; "5万" is not): None when empty, ValueError when not money."""
    text = fold_width(raw).replace(",", "").replace("¥", "").replace("元", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(MONEY_INVALID) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12") or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(MONEY_INVALID)
    return amount.quantize(Decimal("0.01"))


def _choice(form: Mapping[str, str], field: str, enum: type, default: str, errors: dict[str, str], message: str) -> str:
    value = _text(form, field) or default
    if value not in {member.value for member in enum}:  # type: ignore[attr-defined]
        errors[field] = message
    return value


def clean_enterprise(form: Mapping[str, str], allowed_districts: frozenset[str] | None, today: date) -> EnterpriseDraft:
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
    legal_form = _choice(form, "legal_form", LegalForm, "individual_business", errors, "Choose a legal form.")
    stage = _choice(form, "stage", Stage, "survival", errors, "Choose a stage.")
    status = _choice(form, "status", EnterpriseStatus, "operating", errors, "Choose a status.")
    industry = fold_width(_text(form, "industry")).upper()
    if industry and industry not in INDUSTRY_SECTIONS:
        errors["industry"] = "Choose an industry section."
    gender = _text(form, "founder_gender")
    if gender not in ("", "male", "female"):
        errors["founder_gender"] = "Choose a gender."

    phone = normalise_phone(str(form.get("founder_phone") or ""))
    if phone.error:
        errors["founder_phone"] = phone.error

    id_number, birth_year = "", None
    if raw_id := _text(form, "founder_id_number"):
        checked = check_resident_id(raw_id, today)
        if checked.error:
            errors["founder_id_number"] = checked.error
        else:
            id_number = checked.number
            birth_year = checked.birth_date.year if checked.birth_date else None
            gender = gender or (checked.gender or "")

    credit_code, note = "", _text(form, "credit_code_note", 500)
    if raw_code := _text(form, "credit_code"):
        code = check_credit_code(raw_code)
        credit_code = code.code
        if code.status is CreditCodeStatus.MALFORMED and code.error:
            errors["credit_code"] = code.error
        elif code.status is CreditCodeStatus.CHECK_DIGIT_MISMATCH and not note:
            errors["credit_code"] = PILOT_CODE_NEEDS_REASON

    parsed: dict[str, object] = {}
    parsers: dict[str, Callable[[str], object]] = {
        "founded_on": lambda raw: parse_date(raw, today),
        "employees": parse_count,
        "migrant_employees": parse_count,
        "annual_revenue": parse_money,
        "founder_birth_year": lambda raw: parse_year(raw, today),
        "founder_return_year": lambda raw: parse_year(raw, today),
    }
    for field, parse in parsers.items():
        try:
            parsed[field] = parse(str(form.get(field) or ""))
        except ValueError as error:
            errors[field] = str(error)
    employees, migrants = parsed.get("employees"), parsed.get("migrant_employees")
    if isinstance(employees, int) and isinstance(migrants, int) and migrants > employees:
        errors["migrant_employees"] = MIGRANTS_EXCEED_EMPLOYEES

    if errors:
        raise Invalid(errors)
    return EnterpriseDraft(
        name=_text(form, "name"),
        legal_form=LegalForm(legal_form),
        district=district,
        town=_text(form, "town", 100),
        village=_text(form, "village", 100),
        park=_text(form, "park"),
        industry=industry,
        main_products=_text(form, "main_products"),
        credit_code=credit_code,
        credit_code_note=note if credit_code else "",
        founded_on=parsed["founded_on"],  # type: ignore[arg-type]
        employees=employees,  # type: ignore[arg-type]
        migrant_employees=migrants,  # type: ignore[arg-type]
        annual_revenue=parsed["annual_revenue"],  # type: ignore[arg-type]
        stage=Stage(stage),
        status=EnterpriseStatus(status),
        founder_name=_text(form, "founder_name", 100),
        founder_gender=gender,
        founder_birth_year=birth_year or parsed["founder_birth_year"],  # type: ignore[arg-type]
        founder_phone=phone.number,
        founder_id_number=id_number,
        founder_worked_before=_text(form, "founder_worked_before"),
        founder_return_year=parsed["founder_return_year"],  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class NeedDraft:
    category: NeedCategory
    description: str
    urgency: Urgency
    amount_sought: Decimal | None


def clean_need(form: Mapping[str, str]) -> NeedDraft:
    errors: dict[str, str] = {}
    category = _choice(form, "category", NeedCategory, "", errors, "Choose what the enterprise needs.")
    description = normalise_lines(str(form.get("description") or ""))[:4000]
    if not description:
        errors["description"] = REQUIRED
    urgency = _choice(form, "urgency", Urgency, "normal", errors, "Choose an urgency.")
    amount: Decimal | None = None
    try:
        amount = parse_money(str(form.get("amount_sought") or ""))
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
