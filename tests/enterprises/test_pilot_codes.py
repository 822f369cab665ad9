"""Pilot credit codes: a code whose only fault is its check character is accepted, flagged and warned about;
every other fault is an error that says what is wrong. Every code here is invented."""

from __future__ import annotations

from datetime import date

import pytest

from core.errors import Invalid
from enterprises.identifiers import (
    CREDIT_CODE_ALPHABET,
    CREDIT_CODE_CHECK_DIGIT_MISMATCH,
    CREDIT_CODE_FORBIDDEN_LETTER,
    CREDIT_CODE_NOT_A_PROVINCE,
    CREDIT_CODE_NOT_ALPHANUMERIC,
    CREDIT_CODE_UNKNOWN_DEPARTMENT,
    CREDIT_CODE_UNKNOWN_TYPE,
    CREDIT_CODE_WRONG_LENGTH,
    CreditCodeStatus,
    check_credit_code,
    complete_credit_code,
    credit_code_check_character,
)
from enterprises.intake import FieldWarning, carry_licence_check, clean_enterprise

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

TODAY = date(2026, 11, 27)


def failing_check(first17: str) -> str:
    """The 17 characters completed with a check character that is wrong for them."""
    right = credit_code_check_character(first17)
    return first17 + next(c for c in CREDIT_CODE_ALPHABET if c != right)


ENTERPRISE = complete_credit_code("91500154MA5YX2KQ3")
INDIVIDUAL_BUSINESS = complete_credit_code("92500101MA60ABCD1")
COOPERATIVE = complete_credit_code("93500235MA5YQ1234")
VILLAGE_COLLECTIVE = complete_credit_code("N2500154MF1234567")
OTHER_DEPARTMENT = complete_credit_code("Y1500101MA5U7XKQ0")


@pytest.mark.parametrize(
    "code",
    [
        ENTERPRISE,
        INDIVIDUAL_BUSINESS,
        COOPERATIVE,
        VILLAGE_COLLECTIVE,
        OTHER_DEPARTMENT,
        "91110000600037341L",
        # The check character passing is the standard's own test: a department or division this
        # table does not know (added since, or an old organisation code) does not make it invalid.
        complete_credit_code("B1500154MA5YX2KQ3"),
        complete_credit_code("91990154MA5YX2KQ3"),
    ],
)
def test_it_accepts_valid_codes(code: str) -> None:
    check = check_credit_code(code)
    assert (check.status, check.error, check.is_pilot) == (CreditCodeStatus.VALID, None, False)


@pytest.mark.parametrize(
    "code",
    [
        failing_check("91500154MA5YX2KQ3"),
        failing_check("92500101MA60ABCD1"),
        failing_check("93500235MA5YQ1234"),
        failing_check("12500000MB1234567"),  # 机构编制, 事业单位
        failing_check("52500000509876543"),  # 民政, 民办非企业单位
        failing_check("N3500154MF1234567"),  # 农业, 乡镇级集体经济组织
        failing_check("Y1500101MA5U7XKQ0"),
        failing_check("91820000MA5YX2KQ3"),  # 澳门
        "91350100M0001TGQXM",
        " 9150 0154-MA5Y X2KQ3" + failing_check("91500154MA5YX2KQ3")[-1].lower(),
    ],
)
def test_it_accepts_a_code_whose_only_fault_is_its_check_character_as_a_pilot_code(code: str) -> None:
    check = check_credit_code(code)
    assert check.status is CreditCodeStatus.CHECK_DIGIT_MISMATCH
    assert check.error is None
    assert check.is_pilot
    assert check.warning == CREDIT_CODE_CHECK_DIGIT_MISMATCH
    assert check.position == 18


@pytest.mark.parametrize(
    ("value", "error", "position"),
    [
        ("", CREDIT_CODE_WRONG_LENGTH, 0),
        ("91500154MA5YX2KQ3", CREDIT_CODE_WRONG_LENGTH, 0),  # 17: the check character left off
        (ENTERPRISE + "1", CREDIT_CODE_WRONG_LENGTH, 0),
        ("I1500154MA5YX2KQ3X", CREDIT_CODE_FORBIDDEN_LETTER, 1),
        ("9150015IMA5YX2KQ3X", CREDIT_CODE_FORBIDDEN_LETTER, 8),
        ("91500154MA5YX2OQ3X", CREDIT_CODE_FORBIDDEN_LETTER, 15),
        ("91500154SA5YX2KQ3X", CREDIT_CODE_FORBIDDEN_LETTER, 9),
        ("91500154MA5VX2KQ3X", CREDIT_CODE_FORBIDDEN_LETTER, 12),
        ("91500154MA5YX2KQ3Z", CREDIT_CODE_FORBIDDEN_LETTER, 18),
        ("915001.4MA5YX2KQ3X", CREDIT_CODE_NOT_ALPHANUMERIC, 7),
        ("统一社会信用代码统一社会信用代码统一", CREDIT_CODE_NOT_ALPHANUMERIC, 1),
        (failing_check("B1500154MA5YX2KQ3"), CREDIT_CODE_UNKNOWN_DEPARTMENT, 1),
        (failing_check("01500154MA5YX2KQ3"), CREDIT_CODE_UNKNOWN_DEPARTMENT, 1),
        (failing_check("94500154MA5YX2KQ3"), CREDIT_CODE_UNKNOWN_TYPE, 2),  # 工商 has types 1–3
        (failing_check("9A500154MA5YX2KQ3"), CREDIT_CODE_UNKNOWN_TYPE, 2),
        (failing_check("Y2500101MA5U7XKQ0"), CREDIT_CODE_UNKNOWN_TYPE, 2),  # 其他 has type 1 only
        (failing_check("54500154MA5YX2KQ3"), CREDIT_CODE_UNKNOWN_TYPE, 2),
        (failing_check("91990154MA5YX2KQ3"), CREDIT_CODE_NOT_A_PROVINCE, 3),
        (failing_check("91000000MA5YX2KQ3"), CREDIT_CODE_NOT_A_PROVINCE, 3),
        (failing_check("91160154MA5YX2KQ3"), CREDIT_CODE_NOT_A_PROVINCE, 3),  # 16 is no province
        (failing_check("91500A54MA5YX2KQ3"), CREDIT_CODE_NOT_A_PROVINCE, 3),
        (failing_check("91M50154MA5YX2KQ3"), CREDIT_CODE_NOT_A_PROVINCE, 3),
    ],
)
def test_it_says_what_else_is_wrong_with_a_code(value: str, error: str, position: int) -> None:
    check = check_credit_code(value)
    assert (check.status, check.error, check.position) == (CreditCodeStatus.MALFORMED, error, position)
    assert not check.is_pilot
    assert check.warning is None


FORM = {
    "name": "开州区春华柑橘家庭农场",
    "legal_form": "family_farm",
    "district": "500154",
    "town": "汉丰街道",
    "founder_name": "周春华",
    "founder_phone": "13983451234",
}
PILOT = failing_check("92500154MA5YX2KQ3")


def test_it_keeps_a_pilot_code_flagged_with_a_warning_when_nobody_ticked_the_licence_check() -> None:
    draft = clean_enterprise({**FORM, "credit_code": PILOT.lower()}, None, TODAY)
    assert draft.credit_code == PILOT
    assert draft.licence_check is True
    assert draft.warnings == (FieldWarning("credit_code", CREDIT_CODE_CHECK_DIGIT_MISMATCH, {"code": PILOT}),)


@pytest.mark.parametrize("tick", ["1", "on", "true", "是"])
def test_it_does_not_flag_a_pilot_code_the_broker_checked_against_the_licence(tick: str) -> None:
    form = {**FORM, "credit_code": PILOT, "credit_code_confirmed": tick, "credit_code_note": "执照原文如此"}
    draft = clean_enterprise(form, None, TODAY)
    assert (draft.credit_code, draft.licence_check, draft.warnings) == (PILOT, False, ())
    assert draft.credit_code_note == "执照原文如此"


@pytest.mark.parametrize("code", ["", ENTERPRISE])
def test_it_flags_no_valid_or_missing_code(code: str) -> None:
    draft = clean_enterprise({**FORM, "credit_code": code}, None, TODAY)
    assert (draft.licence_check, draft.warnings) == (False, ())


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (failing_check("94500154MA5YX2KQ3"), CREDIT_CODE_UNKNOWN_TYPE),
        ("9250015IMA5YX2KQ3X", CREDIT_CODE_FORBIDDEN_LETTER),
        ("92500154MA5YX2KQ3", CREDIT_CODE_WRONG_LENGTH),
    ],
)
def test_it_refuses_a_code_with_another_fault_even_with_the_tick(code: str, error: str) -> None:
    with pytest.raises(Invalid) as refused:
        clean_enterprise({**FORM, "credit_code": code, "credit_code_confirmed": "1"}, None, TODAY)
    assert refused.value.errors == {"credit_code": error}


@pytest.mark.parametrize(
    ("stored_code", "stored_flag", "ticked", "flagged"),
    [
        (PILOT, False, False, False),  # checked by an officer: an edit does not flag it again
        (PILOT, True, False, True),  # still waiting for its check
        (PILOT, True, True, False),  # the editor ticked: checked now
        ("", False, False, True),  # a pilot code newly given
        (ENTERPRISE, False, False, True),  # a pilot code replacing a valid one
    ],
)
def test_it_carries_a_stored_licence_check_while_the_code_is_unchanged(
    stored_code: str, stored_flag: bool, ticked: bool, flagged: bool
) -> None:
    form = {**FORM, "credit_code": PILOT, "credit_code_confirmed": "1" if ticked else ""}
    draft = carry_licence_check(clean_enterprise(form, None, TODAY), stored_code, stored_flag)
    assert draft.licence_check is flagged
    assert bool(draft.warnings) is flagged
