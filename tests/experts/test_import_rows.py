"""One row of the pool's spreadsheet to a profile: every bad value named (pure: no database)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from experts.imports.rows import UNKNOWN_DISTRICT_NAMED, UNKNOWN_SPECIALTY, is_header, map_headers, parse_row
from experts.services import today
from tests.conftest import DISTRICT_A
from tests.experts.test_import_experts import HEADERS, ROWS

pytestmark = pytest.mark.pure


def test_it_names_the_bad_value_of_a_row() -> None:
    columns = map_headers(HEADERS)
    assert columns is not None
    parsed = parse_row([str(c) for c in ROWS[3]], columns, today())
    assert parsed.values is None and parsed.errors == {"specialties": UNKNOWN_SPECIALTY}
    assert parsed.params == {"specialty": "烹饪"}
    parsed = parse_row([str(c) for c in ROWS[4]], columns, today())
    assert parsed.errors == {"districts": UNKNOWN_DISTRICT_NAMED} and parsed.params == {"district": "火星区"}
    good = parse_row([str(c) for c in ROWS[1]], columns, today())
    assert good.values is not None and good.values["districts"] == [DISTRICT_A, "500235"]
    assert good.values["specialties"] == ["financing", "policy"] and good.username == "eve"


def test_it_refuses_an_away_until_date_in_the_past() -> None:
    columns = map_headers([*HEADERS, "外出至"])
    assert columns is not None
    past = (today() - timedelta(days=2)).isoformat()
    parsed = parse_row(["1", "孙工", "", "", "技术", "", "", "", "3", "", "", past], columns, today())
    assert parsed.errors == {"away_until": "The away-until date cannot be in the past."}


def test_it_knows_its_headers_and_their_variants() -> None:
    assert is_header("*姓名") and is_header("服务区县") and is_header("擅长领域") and not is_header("企业名称")
