"""What a broker types when registering an enterprise or filing a need, checked and cleaned.

Pure: takes the raw fields (from a form, the API or a spreadsheet row), returns clean values or
raises `Invalid` with a message id for every field that is wrong, so the form can come back with
the user's input and each error beside its field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from core.districts import is_district
from core.errors import Invalid
from core.text import fold_width, normalise_lines, normalise_text
from enterprises.classification import (
    EnterpriseStatus,
    LegalForm,
    NeedCategory,
    Stage,
    Urgency,
)
from enterprises.identifiers import (
    CREDIT_CODE_CHECK_DIGIT_MISMATCH,
    check_credit_code,
    check_resident_id,
    normalise_phone,
)
from enterprises.imports.values import GENDERS, LEGAL_FORMS, STAGES, STATUSES, choice
from enterprises.industries import UNKNOWN_INDUSTRY, resolve_industry

REQUIRED = "This field is required."
NOT_YOUR_DISTRICT = "You can register enterprises only in your own district."
# The registration form's tick: "I have checked the licence; the code is as printed there".
CREDIT_CODE_CONFIRMED = "credit_code_confirmed"
MONEY_INVALID = "Enter an amount in yuan, e.g. 50000 or 50000.00."
DATE_INVALID = "Enter a date such as 2021-03-15."
DATE_IN_FUTURE = "The date cannot be in the future."
DATE_BEFORE_1949 = "The date cannot be before 1949-01-01."
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
    "name", "legal_form", "district", "town", "village", "park", "industry", "industry_division", "main_products",
    "credit_code",
    "credit_code_note", "founded_on", "employees", "migrant_employees", "annual_revenue", "stage", "status",
    "licence_check",
)  # fmt: skip
FOUNDER_COLUMNS = {
    "founder_name": "name",
    "founder_gender": "gender",
    "founder_birth_year": "birth_year",
    "founder_worked_before": "worked_before",
    "founder_return_year": "return_year",
}


@dataclass(frozen=True)
class FieldWarning:
    """A value accepted with an assumption: which field, what was assumed (an English msgid with {placeholders})."""

    field: str
    message: str
    params: dict[str, str]


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
    industry_division: str = ""  # GB/T 4754 division code, "" when only the section is known
    warnings: tuple[FieldWarning, ...] = ()
    # A pilot credit code nobody has checked against the business licence yet (核对营业执照).
    licence_check: bool = False


def _text(form: Mapping[str, str], field: str, limit: int = 200) -> str:
    return normalise_text(str(form.get(field) or ""))[:limit]


# Excel counts days from 1900-01-01 = 1 and, copying Lotus 1-2-3, believes 1900 was a leap year: serial 60 is
# its 1900-02-29, a day that never was, and every serial from 61 on is one day past the count from 1899-12-31.
_EXCEL_EPOCH = date(1899, 12, 30)  # for serials >= 61
_EXCEL_LEAP_BUG = 60
_SERIAL = re.compile(r"^(\d{1,6})(?:\.\d+)?$")  # "44197", or "44197.0" / "44197.5" (a time of day, dropped)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")  # 20210315
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# The registry holds enterprises founded since the People's Republic: an earlier date is a typing or a
# spreadsheet mistake (an Excel serial read from a text cell, a two-digit year).
EARLIEST_DATE = date(1949, 1, 1)


def excel_serial_date(serial: int) -> date | None:
    """The day Excel shows for a date serial of its 1900 system; None for 0 and for its fictitious 1900-02-29."""
    if serial <= 0 or serial == _EXCEL_LEAP_BUG:
        return None
    if serial < _EXCEL_LEAP_BUG:
        return _EXCEL_EPOCH + timedelta(days=serial + 1)
    return _EXCEL_EPOCH + timedelta(days=serial)


def parse_date(raw: str, today: date) -> date | None:
    """A date as brokers write it (2021-03-15, 2021/3/15, 2021.3.15, 2021年3月15日, 20210315) or as Excel stores
    it (the serial 44270 in a cell not formatted as a date); None when empty.

    Refused: a day that does not exist, one in the future and one before 1949 (`EARLIEST_DATE`). Excel's
    serial 60 (its 1900-02-29) is refused as before 1949, like every serial of 1900 it neighbours.
    """
    text = fold_width(raw).strip()
    if not text:
        return None
    parsed: date | None = None
    if serial := _SERIAL.match(text):
        if int(serial[1]) == _EXCEL_LEAP_BUG:
            raise ValueError(DATE_BEFORE_1949)
        parsed = excel_serial_date(int(serial[1]))
    elif match := (_COMPACT.match(text) or _DATE.match(text)):
        try:
            parsed = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValueError(DATE_INVALID)
    if parsed > today:
        raise ValueError(DATE_IN_FUTURE)
    if parsed < EARLIEST_DATE:
        raise ValueError(DATE_BEFORE_1949)
    return parsed


_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3})")


def _number_text(raw: str, *suffixes: str) -> str:
    """The number in a cell as typed: widths folded, spaces and thousands separators gone, a unit word dropped."""
    text = "".join(fold_width(raw).split())
    text = _THOUSANDS.sub("", text)
    for suffix in suffixes:
        text = text.removesuffix(suffix)
    return text


def parse_count(raw: str) -> int | None:
    """People as typed (12, 12人, 1,200, 12.0 from a spreadsheet); None when empty."""
    text = _number_text(raw, "人", "名")
    if not text:
        return None
    if not re.fullmatch(r"\d+(\.0+)?", text) or int(float(text)) > 1_000_000:
        raise ValueError(COUNT_INVALID)
    return int(float(text))


def parse_year(raw: str, today: date) -> int | None:
    """A year as typed (2015, 2015年), or the year of a month or date (2015-03, 2015年3月); None when empty."""
    text = _number_text(raw)
    if not text:
        return None
    if written := re.fullmatch(r"(\d{4})(?:年|[-/.年]\d{1,2}(?:月|[-/.月]\d{1,2}日?)?)?", text):
        text = written[1]
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


# Units brokers write after an amount, longest first, and what one of them is in yuan.
_MONEY_UNITS = (("万元", 10_000), ("万", 10_000), ("亿元", 100_000_000), ("亿", 100_000_000), ("元", 1))


def parse_money(raw: str) -> Decimal | None:
    """Yuan as typed (50000, 50,000.00, ¥50,000, 3000元, 45万, 4.5万元, 1.2亿): None when empty, ValueError when not."""
    text = _number_text(raw).removeprefix("人民币").removeprefix("¥").removeprefix("RMB").removeprefix("rmb")
    if not text:
        return None
    scale = 1
    for unit, size in _MONEY_UNITS:
        if text.endswith(unit):
            text, scale = text.removesuffix(unit), size
            break
    try:
        amount = Decimal(text) * scale
    except InvalidOperation as exc:
        raise ValueError(MONEY_INVALID) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e12") or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(MONEY_INVALID)
    return amount.quantize(Decimal("0.01"))


def _ticked(form: Mapping[str, str], field: str) -> bool:
    """Whether a checkbox (or an API/sheet flag) is set: "1", "on", "true", "yes", "是", "√"."""
    return fold_width(str(form.get(field) or "")).strip().lower() in ("1", "on", "true", "yes", "是", "√")


def carry_licence_check(draft: EnterpriseDraft, stored_code: str, stored_flag: bool) -> EnterpriseDraft:
    """A draft of a stored record keeps its licence check as it is while its credit code is unchanged.

    Once an officer has checked a pilot code against the licence, a later edit (or re-import) of
    the record must not flag it again; a flagged one stays flagged unless the tick is given.
    """
    if draft.credit_code != stored_code or not draft.licence_check or stored_flag:
        return draft
    kept = tuple(w for w in draft.warnings if w.message != CREDIT_CODE_CHECK_DIGIT_MISMATCH)
    return replace(draft, licence_check=False, warnings=kept)


def _choice(
    form: Mapping[str, str],
    field: str,
    enum: type,
    default: str,
    errors: dict[str, str],
    message: str,
    words: Mapping[str, str] | None = None,
) -> str:
    # The words ledgers write (个体户, 成长型, 正常经营) count as the choice at every door, not only in an import.
    value = choice(words, _text(form, field)) if words else _text(form, field)
    value = value or default
    if value not in {member.value for member in enum}:  # type: ignore[attr-defined]
        errors[field] = message
    return value


def clean_enterprise(form: Mapping[str, str], allowed_districts: frozenset[str] | None, today: date) -> EnterpriseDraft:
    """Check an enterprise-and-founder form; `allowed_districts` None means any district."""
    errors: dict[str, str] = {}
    warnings: list[FieldWarning] = []  # what the parsers assumed; the draft carries them to the page, API and report
    for field in ("name", "town", "founder_name"):
        if not _text(form, field):
            errors[field] = REQUIRED
    district = _text(form, "district")
    if not is_district(district):
        errors["district"] = "Choose a district."
    elif allowed_districts is not None and district not in allowed_districts:
        errors["district"] = NOT_YOUR_DISTRICT
    legal_form = _choice(
        form, "legal_form", LegalForm, "individual_business", errors, "Choose a legal form.", LEGAL_FORMS
    )
    stage = _choice(form, "stage", Stage, "survival", errors, "Choose a stage.", STAGES)
    status = _choice(form, "status", EnterpriseStatus, "operating", errors, "Choose a status.", STATUSES)
    # The section letter, the division code or a name as people write it (enterprises.industries).
    industry, industry_division = "", ""
    if raw_industry := _text(form, "industry"):
        read = resolve_industry(raw_industry)
        if read is None:
            errors["industry"] = UNKNOWN_INDUSTRY
        else:
            industry, industry_division = read.section, read.division
            if read.warning:
                warnings.append(FieldWarning("industry", read.warning, read.warning_params))
    gender = choice(GENDERS, _text(form, "founder_gender"))
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

    # A pilot code (only its check character is wrong) is kept: flagged for a check against the
    # licence with a warning, unless the form's tick says that check was just made.
    credit_code, note, licence_check = "", _text(form, "credit_code_note", 500), False
    if raw_code := _text(form, "credit_code"):
        code = check_credit_code(raw_code)
        credit_code = code.code
        if code.error:
            errors["credit_code"] = code.error
        elif code.is_pilot and not _ticked(form, CREDIT_CODE_CONFIRMED):
            licence_check = True
            warnings.append(FieldWarning("credit_code", CREDIT_CODE_CHECK_DIGIT_MISMATCH, {"code": credit_code}))

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
        industry_division=industry_division,
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
        warnings=tuple(warnings),
        licence_check=licence_check,
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
