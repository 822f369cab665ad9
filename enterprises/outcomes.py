"""A survey's answers about how an enterprise is doing, as a broker types them on his phone, checked.

Pure: takes the form's fields as strings (the API's answers are turned into the same strings), and
returns clean answers or raises `Invalid` with a message id for every wrong field at once, so the
form comes back with what was typed and each error beside its field. Numbers are read by the intake
form's parsers (full-width digits, "12人", "50,000元"), amounts also as "5万" like a spreadsheet cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from core.errors import Invalid
from core.text import normalise_text
from enterprises.classification import EnterpriseStatus, RevenueBand, SnapshotSource
from enterprises.intake import MIGRANTS_EXCEED_EMPLOYEES, parse_count, parse_money, yuan_from_wan

# The form's fields, in the order the form shows them; `note` is the task's own note.
ANSWER_FIELDS = ("employees", "migrant_employees", "revenue_band", "status", "loans_obtained", "loan_amount")

EMPLOYEES_MISSING = "How many people does the enterprise employ now? Write 0 if none."
MIGRANTS_MISSING = "How many of them are returning migrant workers? Write 0 if none."
BAND_MISSING = "Choose the enterprise's revenue band."
STATUS_MISSING = "Choose whether the enterprise is operating, suspended or closed."
LOANS_MISSING = "Say whether the enterprise obtained a loan."
LOAN_AMOUNT_INVALID = "Enter the loan in yuan, e.g. 50000 or 5万."
LOAN_AMOUNT_WITHOUT_LOAN = "Leave the amount empty when no loan was obtained."

YES, NO = "yes", "no"

# The outcome surveys' months after a case moved to monitoring, and the source each one records.
E = TypeVar("E", RevenueBand, EnterpriseStatus)

SURVEY_SOURCES = {3: SnapshotSource.SURVEY_3M, 6: SnapshotSource.SURVEY_6M, 12: SnapshotSource.SURVEY_12M}


@dataclass(frozen=True)
class SurveyAnswers:
    employees: int
    migrant_employees: int  # returning migrant workers employed
    revenue_band: RevenueBand
    status: EnterpriseStatus
    loans_obtained: bool
    loan_amount: Decimal | None  # CNY; only when a loan was obtained, and then optional


def survey_source(months: int | None) -> SnapshotSource:
    """What a survey task's answers are recorded as: the 3-, 6- or 12-month survey, or (no such months:
    an officer dispatched the survey by hand) a survey an officer asked for."""
    return SURVEY_SOURCES.get(months or 0, SnapshotSource.OFFICER)


def _count(form: Mapping[str, str], field: str, missing: str, errors: dict[str, str]) -> int | None:
    try:
        value = parse_count(str(form.get(field) or ""))
    except ValueError as error:
        errors[field] = str(error)
        return None
    if value is None:
        errors[field] = missing
    return value


def _choice(form: Mapping[str, str], field: str, enum: type[E], missing: str, errors: dict[str, str]) -> E | None:
    value = normalise_text(str(form.get(field) or ""))
    if value not in enum.__members__.values():
        errors[field] = missing
        return None
    return enum(value)


def _loan_amount(raw: str, errors: dict[str, str]) -> Decimal | None:
    try:
        return parse_money(yuan_from_wan(raw))
    except ValueError:
        errors["loan_amount"] = LOAN_AMOUNT_INVALID
        return None


def parse_answers(form: Mapping[str, str]) -> SurveyAnswers:
    """The survey's answers from the form's fields; `Invalid` naming every wrong field."""
    errors: dict[str, str] = {}
    employees = _count(form, "employees", EMPLOYEES_MISSING, errors)
    migrants = _count(form, "migrant_employees", MIGRANTS_MISSING, errors)
    if employees is not None and migrants is not None and migrants > employees:
        errors["migrant_employees"] = MIGRANTS_EXCEED_EMPLOYEES
    band = _choice(form, "revenue_band", RevenueBand, BAND_MISSING, errors)
    status = _choice(form, "status", EnterpriseStatus, STATUS_MISSING, errors)
    loans = normalise_text(str(form.get("loans_obtained") or "")).lower()
    if loans not in (YES, NO):
        errors["loans_obtained"] = LOANS_MISSING
    amount = _loan_amount(str(form.get("loan_amount") or ""), errors)
    if amount is not None and loans == NO:
        errors["loan_amount"] = LOAN_AMOUNT_WITHOUT_LOAN
    if errors:
        raise Invalid(errors)
    assert employees is not None and migrants is not None and band is not None and status is not None
    return SurveyAnswers(
        employees=employees,
        migrant_employees=migrants,
        revenue_band=band,
        status=status,
        loans_obtained=loans == YES,
        loan_amount=amount,
    )
