"""Tests for enterprises.identifiers: every number here is invented, none belongs to a person."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date

import pytest
from stdnum.cn import ric, uscc

from core.text import normalise_text
from enterprises.identifiers import (
    CREDIT_CODE_CHECK_DIGIT_MISMATCH,
    CREDIT_CODE_FORBIDDEN_LETTER,
    CREDIT_CODE_NOT_ALPHANUMERIC,
    CREDIT_CODE_WRONG_LENGTH,
    MESSAGES,
    PHONE_INVALID,
    PHONE_MISSING,
    PHONE_NOT_MAINLAND,
    RESIDENT_ID_BIRTH_DATE_INVALID,
    RESIDENT_ID_CHECK_MISMATCH,
    RESIDENT_ID_MALFORMED,
    CreditCodeCheck,
    CreditCodeStatus,
    check_credit_code,
    check_resident_id,
    credit_code_check_character,
    mask_phone,
    mask_resident_id,
    normalise_code,
    normalise_phone,
    resident_id_check_character,
)

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

TODAY = date(2025, 6, 1)


def with_credit_check(first17: str) -> str:
    """Complete an invented credit code with its check character."""
    return first17 + credit_code_check_character(first17)


def with_id_check(first17: str) -> str:
    """Complete an invented resident ID number with its check character."""
    return first17 + resident_id_check_character(first17)


def wrong_last(number: str, alphabet: str) -> str:
    """Replace the last character with another one from the alphabet."""
    return number[:-1] + next(c for c in alphabet if c != number[-1])


# Invented codes: letter-leading (authority Y, entity type 1), 92 individual business,
# 93 cooperative, and one whose organisation-code part stdnum would not like.
LETTER_LEADING_CODE = with_credit_check("Y1500101MA5U7XKQ0")
INDIVIDUAL_BUSINESS_CODE = with_credit_check("92500101MA60ABCD1")
COOPERATIVE_CODE = with_credit_check("93500235MA5YQ1234")
LETTER_IN_DIVISION_CODE = with_credit_check("5A500112MJ0000001")

MALE_ID = with_id_check("50010119850312123")  # sequence 123: odd, male
FEMALE_ID = with_id_check("50023319920704246")  # sequence 246: even, female
TONGLIANG_1985_ID = with_id_check("50015119850101015")  # 500151 was created in 2014
X_ID = next(
    number for number in (with_id_check(f"50010119900101{seq:03d}") for seq in range(1000)) if number.endswith("X")
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("重庆\u3000万州", "重庆 万州"),
        ("  a \t\n b  ", "a b"),
        ("返乡　创业　　合作社", "返乡 创业 合作社"),
        ("", ""),
    ],
)
def test_it_normalises_full_width_input(value: str, expected: str) -> None:
    assert normalise_text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (" 9111 0000-6000 3734 1l ", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
        ("50010119850312123x", "50010119850312123X"),
        ("500101\u200b19850312123X", "50010119850312123X"),
        ("５００１０１－１９８５", "5001011985"),
    ],
)
def test_it_normalises_codes(value: str, expected: str) -> None:
    assert normalise_code(value) == expected


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341L",
        LETTER_LEADING_CODE,
        INDIVIDUAL_BUSINESS_CODE,
        COOPERATIVE_CODE,
        LETTER_IN_DIVISION_CODE,
    ],
)
def test_it_accepts_valid_credit_codes(code: str) -> None:
    assert check_credit_code(code) == CreditCodeCheck(code, CreditCodeStatus.VALID, None)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("9111 0000 6000 3734 1l", "91110000600037341L"),
        ("９１１１００００６０００３７３４１Ｌ", "91110000600037341L"),
        (LETTER_LEADING_CODE.lower(), LETTER_LEADING_CODE),
    ],
)
def test_it_normalises_credit_codes_before_checking(value: str, code: str) -> None:
    assert check_credit_code(value) == CreditCodeCheck(code, CreditCodeStatus.VALID, None)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M0001TGQXM",
        wrong_last("91110000600037341L", "0123456789ABCDEFGHJKLMNPQRTUWXY"),
        wrong_last(LETTER_LEADING_CODE, "0123456789ABCDEFGHJKLMNPQRTUWXY"),
    ],
)
def test_it_flags_pilot_codes_as_check_digit_mismatch_not_malformed(code: str) -> None:
    check = check_credit_code(code)
    assert check.status is CreditCodeStatus.CHECK_DIGIT_MISMATCH
    assert check.error is None
    assert check.warning == CREDIT_CODE_CHECK_DIGIT_MISMATCH


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", CREDIT_CODE_WRONG_LENGTH),
        ("91110000600037341", CREDIT_CODE_WRONG_LENGTH),  # 17 characters
        ("91110000600037341L1", CREDIT_CODE_WRONG_LENGTH),  # 19 characters
        ("9111000060003734IL", CREDIT_CODE_FORBIDDEN_LETTER),  # I is not in the alphabet
        ("91110000600037341O", CREDIT_CODE_FORBIDDEN_LETTER),
        ("9111000060003734SL", CREDIT_CODE_FORBIDDEN_LETTER),
        ("91110000600037341V", CREDIT_CODE_FORBIDDEN_LETTER),
        ("Z1110000600037341L", CREDIT_CODE_FORBIDDEN_LETTER),
        ("911100006000373.1L", CREDIT_CODE_NOT_ALPHANUMERIC),
        ("统一社会信用代码统一社会信用代码统一", CREDIT_CODE_NOT_ALPHANUMERIC),
    ],
)
def test_it_rejects_malformed_credit_codes(value: str, error: str) -> None:
    check = check_credit_code(value)
    assert check.status is CreditCodeStatus.MALFORMED
    assert check.error == error
    assert check.warning is None


@pytest.mark.parametrize(
    "first17", ["91110000600037341", "91350100M0001TGQX", "12500000MB1234567", "52500000509876543"]
)
def test_it_computes_the_credit_check_character_as_stdnum_does(first17: str) -> None:
    assert credit_code_check_character(first17) == uscc.calc_check_digit(first17)


def test_it_accepts_credit_codes_stdnum_refuses() -> None:
    assert not uscc.is_valid(LETTER_LEADING_CODE)
    assert check_credit_code(LETTER_LEADING_CODE).status is CreditCodeStatus.VALID


@pytest.mark.parametrize("first17", ["", "9111000060003734", "9111000060003734I", "91110000600037341L"])
def test_it_refuses_to_compute_a_credit_check_character_from_bad_input(first17: str) -> None:
    with pytest.raises(ValueError):
        credit_code_check_character(first17)


def test_it_lists_credit_code_statuses_as_strings() -> None:
    assert [str(s) for s in CreditCodeStatus] == ["valid", "check_digit_mismatch", "malformed"]


@pytest.mark.parametrize(
    ("number", "birth_date", "gender"),
    [
        (MALE_ID, date(1985, 3, 12), "male"),
        (FEMALE_ID, date(1992, 7, 4), "female"),
        (TONGLIANG_1985_ID, date(1985, 1, 1), "male"),
        (X_ID, date(1990, 1, 1), "male" if int(X_ID[16]) % 2 else "female"),
        (with_id_check("50010119000101002"), date(1900, 1, 1), "female"),
        (with_id_check("50010120250601001"), TODAY, "male"),
    ],
)
def test_it_accepts_valid_resident_ids(number: str, birth_date: date, gender: str) -> None:
    check = check_resident_id(number, TODAY)
    assert check.number == number
    assert check.error is None
    assert check.birth_date == birth_date
    assert check.gender == gender


def test_it_accepts_lower_case_x() -> None:
    check = check_resident_id(X_ID.lower(), TODAY)
    assert check.number == X_ID
    assert check.error is None


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (f" {MALE_ID[:6]} {MALE_ID[6:14]} {MALE_ID[14:]} ", MALE_ID),
        (f"{MALE_ID[:6]}-{MALE_ID[6:14]}-{MALE_ID[14:]}", MALE_ID),
        (MALE_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９")), MALE_ID),
    ],
)
def test_it_normalises_resident_ids(value: str, number: str) -> None:
    check = check_resident_id(value, TODAY)
    assert (check.number, check.error) == (number, None)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "500101850312123",  # first-generation 15-digit number
        MALE_ID[:17],
        MALE_ID + "1",
        "X" + MALE_ID[1:],
        MALE_ID[:16] + "X" + MALE_ID[17],
        MALE_ID[:17] + "Y",
        MALE_ID[:10] + "٠" + MALE_ID[11:],  # Arabic-Indic zero survives NFKC
    ],
)
def test_it_rejects_malformed_resident_ids(value: str) -> None:
    check = check_resident_id(value, TODAY)
    assert (check.error, check.birth_date, check.gender) == (RESIDENT_ID_MALFORMED, None, None)


@pytest.mark.parametrize(
    "first17",
    [
        "50010119850230123",  # February 30th
        "50010119850229123",  # 1985 is not a leap year
        "50010119851301123",  # month 13
        "50010119850000123",  # day 0
        "50010118991231123",  # before 1900
        "50010120250602123",  # the day after TODAY
        "50010130000101123",  # far future
    ],
)
def test_it_rejects_impossible_birth_dates(first17: str) -> None:
    check = check_resident_id(with_id_check(first17), TODAY)
    assert (check.error, check.birth_date, check.gender) == (RESIDENT_ID_BIRTH_DATE_INVALID, None, None)


@pytest.mark.parametrize("number", [wrong_last(MALE_ID, "0123456789X"), wrong_last(X_ID, "0123456789X")])
def test_it_rejects_a_wrong_resident_id_check_character(number: str) -> None:
    check = check_resident_id(number, TODAY)
    assert (check.error, check.birth_date, check.gender) == (RESIDENT_ID_CHECK_MISMATCH, None, None)


@pytest.mark.parametrize("number", [MALE_ID, FEMALE_ID, X_ID])
def test_it_computes_the_id_check_character_as_stdnum_does(number: str) -> None:
    assert resident_id_check_character(number[:17]) == ric.calc_check_digit(number)


def test_it_accepts_resident_ids_stdnum_refuses() -> None:
    # stdnum looks the address code up by birth year: Chongqing's codes date from 1997.
    assert not ric.is_valid(MALE_ID)
    assert not ric.is_valid(TONGLIANG_1985_ID)
    assert check_resident_id(MALE_ID, TODAY).error is None
    assert check_resident_id(TONGLIANG_1985_ID, TODAY).error is None


@pytest.mark.parametrize(
    "value",
    [
        "+86 138 0000 0000",
        "138-0000-0000",
        "86 13800000000",
        "0086 138 0000 0000",
        "(+86) 138 0000 0000",
        "１３８００００００００",
        "１３８－００００－００００",
        " 138 0000 0000 ",
    ],
)
def test_it_normalises_mobile_numbers(value: str) -> None:
    check = normalise_phone(value)
    assert (check.number, check.kind, check.error) == ("13800000000", "mobile", None)


@pytest.mark.parametrize(
    "number",
    [
        "13912345678",
        "14512345678",
        "15012345678",
        "16612345678",
        "17012345678",
        "18812345678",
        "19912345678",
        # Refused by phonenumbers' metadata, accepted by the mainland mobile rule:
        "14012345678",
        "15412345678",
        "16012345678",
        "16812345678",
        "17412345678",
        "19412345678",
    ],
)
def test_it_accepts_every_mainland_mobile_prefix(number: str) -> None:
    check = normalise_phone(f"+86 {number}")
    assert (check.number, check.kind, check.error) == (number, "mobile", None)


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("(023) 6386 1234", "023-63861234"),
        ("023-63861234", "023-63861234"),
        ("02363861234", "023-63861234"),
        ("０２３－６３８６１２３４", "023-63861234"),
        ("+86 23 6386 1234", "023-63861234"),
        ("010-12345678", "010-12345678"),
        ("0755 1234 5678", "0755-12345678"),
        ("0831-1234567", "0831-1234567"),
    ],
)
def test_it_normalises_landline_numbers(value: str, number: str) -> None:
    check = normalise_phone(value)
    assert (check.number, check.kind, check.error) == (number, "landline", None)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("", PHONE_MISSING),
        ("　 ", PHONE_MISSING),
        ("+1 650 253 0000", PHONE_NOT_MAINLAND),
        ("+852 9123 4567", PHONE_NOT_MAINLAND),
        ("+886 912 345 678", PHONE_NOT_MAINLAND),
        ("abc", PHONE_INVALID),
        ("023-ABCD1234", PHONE_INVALID),  # phonenumbers would read the letters as keypad digits
        ("023-63861234 ext 5", PHONE_INVALID),
        ("1-800-FLOWERS", PHONE_INVALID),
        ("12345678901", PHONE_INVALID),
        ("1380000000", PHONE_INVALID),  # 10 digits
        ("138000000000", PHONE_INVALID),  # 12 digits
        ("63861234", PHONE_INVALID),  # no area code
        ("023-6386123", PHONE_INVALID),
        ("400-810-8888", PHONE_INVALID),  # toll-free, not a person's line
        ("95588", PHONE_INVALID),
        ("()", PHONE_INVALID),
        ("+", PHONE_INVALID),
    ],
)
def test_it_rejects_bad_phone_numbers(value: str, error: str) -> None:
    check = normalise_phone(value)
    assert (check.kind, check.error) == (None, error)


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("500101198503121231", "**************1231"),
        ("50010119850312123X", "**************123X"),
        ("", ""),
        ("1234", "****"),
        ("12345", "*2345"),
    ],
)
def test_it_masks_resident_ids_to_the_last_four(number: str, masked: str) -> None:
    assert mask_resident_id(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812345678", "138****5678"),
        ("023-63861234", "023-****1234"),
        ("0755-12345678", "0755-****5678"),
        ("0831-1234567", "0831-***4567"),
        ("", ""),
        ("123456", "******"),
        ("1", "*"),
        ("1234567", "***4567"),
    ],
)
def test_it_masks_phone_numbers(number: str, masked: str) -> None:
    assert mask_phone(number) == masked


def test_it_masks_an_eighteen_character_id_with_fourteen_asterisks() -> None:
    assert mask_resident_id(MALE_ID) == "*" * 14 + MALE_ID[-4:]


def test_it_lists_every_message_once() -> None:
    assert len(set(MESSAGES)) == len(MESSAGES) == 13
    assert all(isinstance(m, str) and m.endswith(".") for m in MESSAGES)


def test_it_returns_frozen_results() -> None:
    check = check_credit_code("91110000600037341L")
    with pytest.raises(FrozenInstanceError):
        check.code = "x"  # type: ignore[misc]
