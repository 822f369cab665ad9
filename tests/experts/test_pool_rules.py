"""The rules of an expert's profile, as a table: what each field accepts and the message when it does not."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import Invalid
from experts import profile_rules as r

pytestmark = pytest.mark.pure

TODAY = date(2026, 5, 11)
GOOD = {
    "name": "李工",
    "organisation": "重庆市农科院",
    "title": "高级农艺师",
    "specialties": ["financing", "market"],
    "supporting_specialties": ["market", "legal"],
    "industries": ["a", "C"],
    "districts": ["500152"],
    "capacity": "5",
    "available": "yes",
    "away_until": "",
    "bio": "二十年农技推广",
}


def test_it_parses_a_whole_profile() -> None:
    values = r.parse_profile(GOOD, r.CITY_FIELDS, TODAY)
    assert values["specialties"] == ["financing", "market"]
    assert values["supporting_specialties"] == ["legal"]  # he leads on market already
    assert values["industries"] == ["A", "C"]
    assert values["capacity"] == 5 and values["available"] is True and values["away_until"] is None


def test_it_reads_a_list_written_in_one_cell() -> None:
    values = r.parse_profile({**GOOD, "districts": "500152、500154"}, r.CITY_FIELDS, TODAY)
    assert values["districts"] == ["500152", "500154"]


@pytest.mark.parametrize(
    ("field", "value", "load", "message"),
    [
        ("name", "", 0, r.NAME_REQUIRED),
        ("name", "名" * 101, 0, r.TOO_LONG),
        ("bio", "字" * 2001, 0, r.TOO_LONG),
        ("capacity", "51", 0, r.CAPACITY_NOT_A_NUMBER),
        ("capacity", "-1", 0, r.CAPACITY_NOT_A_NUMBER),
        ("capacity", "three", 0, r.CAPACITY_NOT_A_NUMBER),
        ("capacity", "2", 3, r.CAPACITY_BELOW_LOAD),
        ("away_until", "2026-05-10", 0, r.AWAY_IN_PAST),
        ("away_until", "next week", 0, r.AWAY_NOT_A_DATE),
        ("specialties", ["cooking"], 0, r.UNKNOWN_CATEGORY),
        ("supporting_specialties", ["financing", "x"], 0, r.UNKNOWN_CATEGORY),
        ("industries", ["Z"], 0, r.UNKNOWN_SECTION),
        ("districts", ["999999"], 0, r.UNKNOWN_DISTRICT),
        ("available", "maybe", 0, r.NOT_YES_OR_NO),
    ],
)
def test_it_refuses_a_bad_field_with_its_message(field: str, value: object, load: int, message: str) -> None:
    with pytest.raises(Invalid) as refused:
        r.parse_profile({**GOOD, field: value}, r.CITY_FIELDS, TODAY, r.Load(load))  # type: ignore[dict-item]
    assert refused.value.errors == {field: message}


@pytest.mark.parametrize(("capacity", "load"), [("3", 3), ("0", 0), ("50", 10)])
def test_it_accepts_a_capacity_at_or_above_the_load(capacity: str, load: int) -> None:
    assert r.parse_profile({"capacity": capacity}, ["capacity"], TODAY, r.Load(load))["capacity"] == int(capacity)


def test_it_accepts_today_as_the_away_until_date() -> None:
    assert r.parse_profile({"away_until": "2026-05-11"}, ["away_until"], TODAY)["away_until"] == TODAY


def test_it_touches_only_the_fields_named() -> None:
    values = r.parse_profile({**GOOD, "name": "", "capacity": "4"}, r.OWN_FIELDS, TODAY)
    assert set(values) == set(r.OWN_FIELDS)


def test_it_names_the_unknown_values_of_a_list() -> None:
    assert r.unknown_values("financing,cooking、x", r.CATEGORIES) == ["cooking", "x"]


def test_it_shows_a_past_away_until_date_as_over() -> None:
    assert r.away_text(date(2026, 5, 10), TODAY) == "" and r.away_text(TODAY, TODAY) == "2026-05-11"


@pytest.mark.parametrize(
    ("form", "errors"),
    [
        ({"kind": "kin", "enterprise": "12"}, {}),
        ({"kind": "bribe", "enterprise": "12"}, {"kind": r.CONFLICT_KIND_REQUIRED}),
        ({"kind": "equity"}, {"enterprise": r.CONFLICT_TARGET_REQUIRED}),
        ({"kind": "consulting", "founder": "3", "note": "x" * 501}, {"note": r.TOO_LONG}),
    ],
)
def test_it_checks_a_declared_conflict(form: dict[str, str], errors: dict[str, str]) -> None:
    if not errors:
        assert r.parse_conflict(form) == (r.ConflictKind.KIN, "", "12")
        return
    with pytest.raises(Invalid) as refused:
        r.parse_conflict(form)
    assert refused.value.errors == errors


def test_it_shows_the_load_against_the_capacity() -> None:
    assert r.load_text(2, 5) == "2 / 5"
