"""A survey's answers as a broker types them: the numbers and choices read, every wrong field named at once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.errors import Invalid
from enterprises.classification import EnterpriseStatus, RevenueBand, SnapshotSource
from enterprises.intake import COUNT_INVALID, MIGRANTS_EXCEED_EMPLOYEES
from enterprises.outcomes import (
    BAND_MISSING,
    EMPLOYEES_MISSING,
    LOAN_AMOUNT_INVALID,
    LOAN_AMOUNT_WITHOUT_LOAN,
    LOANS_MISSING,
    MIGRANTS_MISSING,
    STATUS_MISSING,
    SurveyAnswers,
    parse_answers,
    survey_source,
)

pytestmark = pytest.mark.pure

GOOD = {
    "employees": "12",
    "migrant_employees": "5",
    "revenue_band": "100k_500k",
    "status": "operating",
    "loans_obtained": "yes",
    "loan_amount": "50000",
}


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({}, "employees", 12),
        ({"employees": "１２"}, "employees", 12),  # full-width digits, as a Chinese keyboard types them
        ({"employees": " 12人 "}, "employees", 12),
        ({"employees": "0", "migrant_employees": "0"}, "employees", 0),
        ({"migrant_employees": "５"}, "migrant_employees", 5),
        ({"migrant_employees": "12"}, "migrant_employees", 12),  # everyone may be a returning migrant
        ({"revenue_band": "none"}, "revenue_band", RevenueBand.NONE),
        ({"revenue_band": "over_5m"}, "revenue_band", RevenueBand.OVER_5M),
        ({"status": "suspended"}, "status", EnterpriseStatus.SUSPENDED),
        ({"status": "closed"}, "status", EnterpriseStatus.CLOSED),
        ({}, "loans_obtained", True),
        ({"loans_obtained": "no", "loan_amount": ""}, "loans_obtained", False),
        ({"loans_obtained": "no", "loan_amount": ""}, "loan_amount", None),
        ({"loan_amount": ""}, "loan_amount", None),  # a loan whose amount the founder would not say
        ({"loan_amount": "50,000元"}, "loan_amount", Decimal("50000.00")),
        ({"loan_amount": "５００００"}, "loan_amount", Decimal("50000.00")),
        ({"loan_amount": "5万"}, "loan_amount", Decimal("50000.00")),
        ({"loan_amount": "1.5万元"}, "loan_amount", Decimal("15000.00")),
        ({"loan_amount": "５万"}, "loan_amount", Decimal("50000.00")),
        ({"loan_amount": "12345.67"}, "loan_amount", Decimal("12345.67")),
    ],
)
def test_it_reads_the_answers_as_typed(changes: dict[str, str], field: str, expected: object) -> None:
    answers = parse_answers({**GOOD, **changes})
    assert getattr(answers, field) == expected


def test_it_returns_every_answer() -> None:
    assert parse_answers(GOOD) == SurveyAnswers(
        employees=12,
        migrant_employees=5,
        revenue_band=RevenueBand.FROM_100K_TO_500K,
        status=EnterpriseStatus.OPERATING,
        loans_obtained=True,
        loan_amount=Decimal("50000.00"),
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"employees": ""}, {"employees": EMPLOYEES_MISSING}),
        ({"employees": "twelve"}, {"employees": COUNT_INVALID}),
        ({"employees": "-1"}, {"employees": COUNT_INVALID}),
        ({"employees": "2.5"}, {"employees": COUNT_INVALID}),
        ({"migrant_employees": ""}, {"migrant_employees": MIGRANTS_MISSING}),
        ({"migrant_employees": "13"}, {"migrant_employees": MIGRANTS_EXCEED_EMPLOYEES}),
        ({"revenue_band": ""}, {"revenue_band": BAND_MISSING}),
        ({"revenue_band": "a lot"}, {"revenue_band": BAND_MISSING}),
        ({"status": ""}, {"status": STATUS_MISSING}),
        ({"status": "bankrupt"}, {"status": STATUS_MISSING}),
        ({"loans_obtained": ""}, {"loans_obtained": LOANS_MISSING}),
        ({"loans_obtained": "maybe"}, {"loans_obtained": LOANS_MISSING}),
        ({"loan_amount": "many"}, {"loan_amount": LOAN_AMOUNT_INVALID}),
        ({"loan_amount": "-5"}, {"loan_amount": LOAN_AMOUNT_INVALID}),
        ({"loan_amount": "5万万"}, {"loan_amount": LOAN_AMOUNT_INVALID}),
        ({"loans_obtained": "no"}, {"loan_amount": LOAN_AMOUNT_WITHOUT_LOAN}),
        (
            {"employees": "x", "revenue_band": "", "loan_amount": "?"},
            {"employees": COUNT_INVALID, "revenue_band": BAND_MISSING, "loan_amount": LOAN_AMOUNT_INVALID},
        ),
    ],
)
def test_it_names_each_wrong_answer(changes: dict[str, str], errors: dict[str, str]) -> None:
    with pytest.raises(Invalid) as raised:
        parse_answers({**GOOD, **changes})
    assert raised.value.errors == errors


def test_it_names_every_missing_answer_of_an_empty_form() -> None:
    with pytest.raises(Invalid) as raised:
        parse_answers({})
    assert set(raised.value.errors) == {"employees", "migrant_employees", "revenue_band", "status", "loans_obtained"}


@pytest.mark.parametrize(
    ("months", "source"),
    [
        (3, SnapshotSource.SURVEY_3M),
        (6, SnapshotSource.SURVEY_6M),
        (12, SnapshotSource.SURVEY_12M),
        (None, SnapshotSource.OFFICER),  # a survey an officer dispatched by hand
        (9, SnapshotSource.OFFICER),
    ],
)
def test_it_names_the_survey_by_its_months(months: int | None, source: SnapshotSource) -> None:
    assert survey_source(months) is source
