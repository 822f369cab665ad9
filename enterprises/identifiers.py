"""Normalise, check and mask the identifiers Fuchi records: credit codes, ID numbers, phones.

Pure functions: no framework, no database, no clock (callers pass `today`).
Error strings are English message ids; the translation layer renders them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType

from core.text import fold_width

CREDIT_CODE_WRONG_LENGTH = "A credit code has exactly 18 characters; this one has more or fewer."
CREDIT_CODE_FORBIDDEN_LETTER = (
    "The credit code contains I, O, S, V or Z, letters credit codes never use (perhaps 1, 0, 5, U or 2 was meant)."
)
CREDIT_CODE_NOT_ALPHANUMERIC = "The credit code may hold only digits and capital letters."
CREDIT_CODE_UNKNOWN_DEPARTMENT = (
    "The first character of the credit code is not a registration department (1 to 9, A, N or Y)."
)
CREDIT_CODE_UNKNOWN_TYPE = (
    "The second character of the credit code is not an organisation type of its registration department "
    "(enterprises 91, individual businesses 92, cooperatives 93)."
)
CREDIT_CODE_NOT_A_PROVINCE = (
    "Characters 3 to 8 of the credit code are not the division code of a province "
    "(six digits; Chongqing's begin with 50)."
)
# A warning, not an error: the code is kept and the record flagged for a check against the licence.
CREDIT_CODE_CHECK_DIGIT_MISMATCH = (
    "The last character of the credit code does not match its check character. Some early pilot codes are "
    "lawful so: the record is flagged “check against the licence” until someone compares it with the licence."
)
RESIDENT_ID_MALFORMED = "ID number must be 18 characters: 17 digits followed by a digit or X."
RESIDENT_ID_BIRTH_DATE_INVALID = "ID number does not contain a possible birth date."
RESIDENT_ID_CHECK_MISMATCH = (
    "The last character of the ID number does not match its check character; look for a typing error."
)
PHONE_MISSING = "Enter a phone number."
PHONE_INVALID = "Enter a mainland mobile number (11 digits) or a landline number with its area code, e.g. 023-63861234."
PHONE_NOT_MAINLAND = "Only mainland China phone numbers (+86) can be recorded."

MESSAGES: tuple[str, ...] = (
    CREDIT_CODE_WRONG_LENGTH,
    CREDIT_CODE_FORBIDDEN_LETTER,
    CREDIT_CODE_NOT_ALPHANUMERIC,
    CREDIT_CODE_UNKNOWN_DEPARTMENT,
    CREDIT_CODE_UNKNOWN_TYPE,
    CREDIT_CODE_NOT_A_PROVINCE,
    CREDIT_CODE_CHECK_DIGIT_MISMATCH,
    RESIDENT_ID_MALFORMED,
    RESIDENT_ID_BIRTH_DATE_INVALID,
    RESIDENT_ID_CHECK_MISMATCH,
    PHONE_MISSING,
    PHONE_INVALID,
    PHONE_NOT_MAINLAND,
)

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_CODE_RE = re.compile(f"[{CREDIT_CODE_ALPHABET}]{{18}}")
_FORBIDDEN_LETTERS = frozenset("IOSVZ")

# GB 32100-2015 appendix A: registration department (position 1) -> its organisation types (position 2).
CREDIT_CODE_DEPARTMENTS: dict[str, frozenset[str]] = {
    "1": frozenset("1239"),  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": frozenset("19"),  # 外交: 外国常驻新闻机构, 其他
    "3": frozenset("1234569"),  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, …
    "4": frozenset("19"),  # 文化: 外国在华文化中心, 其他
    "5": frozenset("1239"),  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": frozenset("129"),  # 旅游: 外国及港澳台旅游部门常驻代表机构, 其他
    "7": frozenset("129"),  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": frozenset("19"),  # 工会: 基层工会, 其他
    "9": frozenset("123"),  # 工商: 企业, 个体工商户, 农民专业合作社
    "A": frozenset("19"),  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": frozenset("1239"),  # 农业: 组级, 村级, 乡镇级集体经济组织, 其他
    "Y": frozenset("1"),  # 其他
}
# GB/T 2260 province-level divisions: the first two digits of every county code.
PROVINCE_CODES = frozenset(
    (
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
        "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    )
)  # fmt: skip

_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = "10X98765432"
_DIGITS17_RE = re.compile(r"[0-9]{17}")
_RESIDENT_ID_RE = re.compile(r"[0-9]{17}[0-9X]")
_EARLIEST_BIRTH = date(1900, 1, 1)

_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
# Letters are refused before phonenumbers sees them: it would read "023-ABCD1234" as a keypad
# number and silently drop an "ext 5".
_PHONE_CHARS_RE = re.compile(r"\(?\+?[0-9 ().-]+")
_PHONE_SEPARATORS_RE = re.compile(r"[ ().-]")


def normalise_code(value: str) -> str:
    """Return a code or number normalised (NFKC, so every full-width form), without spaces or hyphens, upper-cased."""
    text = fold_width(value)
    return text.replace(" ", "").replace("-", "").upper()


class CreditCodeStatus(StrEnum):
    """Outcome of checking a unified social credit code."""

    VALID = "valid"
    # A warning, not an error: some lawful early pilot codes fail the position-18 check. Only a
    # code whose every other part is well formed gets it; any other fault is MALFORMED.
    CHECK_DIGIT_MISMATCH = "check_digit_mismatch"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class CreditCodeCheck:
    """A normalised credit code and what its check found; `position` (1–18) is where a fault was found, 0 if none."""

    code: str
    status: CreditCodeStatus
    error: str | None
    position: int = 0

    @property
    def is_pilot(self) -> bool:
        """Whether the code is accepted only as a pilot code: it needs checking against the licence."""
        return self.status is CreditCodeStatus.CHECK_DIGIT_MISMATCH

    @property
    def warning(self) -> str | None:
        """The message to show when the code is accepted despite a check-digit mismatch."""
        if self.status is CreditCodeStatus.CHECK_DIGIT_MISMATCH:
            return CREDIT_CODE_CHECK_DIGIT_MISMATCH
        return None


def credit_code_check_character(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in CREDIT_CODE_ALPHABET for c in first17):
        raise ValueError("expected 17 characters from the credit code alphabet")
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def complete_credit_code(first17: str) -> str:
    """The 18-character code for its first 17 (for demo data and tests, which must pass the check)."""
    return first17 + credit_code_check_character(first17)


def _malformed(code: str, error: str, position: int) -> CreditCodeCheck:
    return CreditCodeCheck(code, CreditCodeStatus.MALFORMED, error, position)


def _shape_fault(code: str) -> CreditCodeCheck | None:
    """What is wrong with a code's length or characters, or None when it is 18 from the alphabet."""
    if len(code) != 18:
        return _malformed(code, CREDIT_CODE_WRONG_LENGTH, 0)
    for position, character in enumerate(code, start=1):
        if character in _FORBIDDEN_LETTERS:
            return _malformed(code, CREDIT_CODE_FORBIDDEN_LETTER, position)
        if character not in CREDIT_CODE_ALPHABET:
            return _malformed(code, CREDIT_CODE_NOT_ALPHANUMERIC, position)
    return None


def _structure_fault(code: str) -> CreditCodeCheck | None:
    """What is wrong with a code's department, type or division, or None when a pilot code could look so."""
    types = CREDIT_CODE_DEPARTMENTS.get(code[0])
    if types is None:
        return _malformed(code, CREDIT_CODE_UNKNOWN_DEPARTMENT, 1)
    if code[1] not in types:
        return _malformed(code, CREDIT_CODE_UNKNOWN_TYPE, 2)
    if not code[2:8].isdigit() or code[2:4] not in PROVINCE_CODES:
        return _malformed(code, CREDIT_CODE_NOT_A_PROVINCE, 3)
    return None


def check_credit_code(value: str) -> CreditCodeCheck:
    """Normalise a unified social credit code and check its form and check character.

    A code passing its check character is valid whatever its department, type and division:
    lawful codes carry organisation codes whose own check fails, and departments added since.
    A code failing it is a pilot code (accepted with a warning) only when everything else is
    well formed; otherwise the first other fault is the error, so a typing slip is not waved through.
    """
    code = normalise_code(value)
    if (fault := _shape_fault(code)) is not None:
        return fault
    if credit_code_check_character(code[:17]) == code[17]:
        return CreditCodeCheck(code, CreditCodeStatus.VALID, None)
    if (fault := _structure_fault(code)) is not None:
        return fault
    return CreditCodeCheck(code, CreditCodeStatus.CHECK_DIGIT_MISMATCH, None, 18)


@dataclass(frozen=True)
class ResidentIdCheck:
    """A normalised resident ID number; birth date and gender are set only when it is valid."""

    number: str
    error: str | None
    birth_date: date | None
    gender: Literal["male", "female"] | None


def resident_id_check_character(first17: str) -> str:
    """Return the GB 11643-1999 check character for the first 17 digits of an ID number."""
    if not _DIGITS17_RE.fullmatch(first17):
        raise ValueError("expected 17 digits")
    total = sum(int(c) * w for c, w in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def complete_resident_id(first17: str) -> str:
    """The 18-character ID number for its first 17 digits (for invented demo and test numbers)."""
    return first17 + resident_id_check_character(first17)


def _birth_date(number: str, today: date) -> date | None:
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    return born if _EARLIEST_BIRTH <= born <= today else None


def check_resident_id(value: str, today: date) -> ResidentIdCheck:
    """Normalise an 18-character resident ID number and check its birth date and check character."""
    number = normalise_code(value)
    # The address code is not looked up: people keep the code of where they were first
    # registered, so a 1985 birth under 500101 (created 1997) is lawful.
    if not _RESIDENT_ID_RE.fullmatch(number):
        return ResidentIdCheck(number, RESIDENT_ID_MALFORMED, None, None)
    born = _birth_date(number, today)
    if born is None:
        return ResidentIdCheck(number, RESIDENT_ID_BIRTH_DATE_INVALID, None, None)
    if resident_id_check_character(number[:17]) != number[17]:
        return ResidentIdCheck(number, RESIDENT_ID_CHECK_MISMATCH, None, None)
    gender: Literal["male", "female"] = "male" if int(number[16]) % 2 else "female"
    return ResidentIdCheck(number, None, born, gender)


@dataclass(frozen=True)
class PhoneCheck:
    """A phone number in canonical national form (or as entered, when it has an error)."""

    number: str
    kind: Literal["mobile", "landline"] | None
    error: str | None


def _without_country_code(compact: str) -> str | None:
    """Return the national part of a compacted number, or None when it has a foreign prefix."""
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            return compact[len(prefix) :]
    if compact.startswith("+"):
        return None
    if compact.startswith("86") and len(compact) == 13:
        return compact[2:]
    return compact


def normalise_phone(value: str) -> PhoneCheck:
    """Normalise a mainland mobile (13800000000) or landline (023-63861234) number."""
    text = fold_width(value)
    if not text:
        return PhoneCheck("", None, PHONE_MISSING)
    if not _PHONE_CHARS_RE.fullmatch(text):
        return PhoneCheck(text, None, PHONE_INVALID)
    compact = _PHONE_SEPARATORS_RE.sub("", text)
    national = _without_country_code(compact)
    # phonenumbers' metadata lags new allocations (it refuses 140, 154, 160, 174, 194 …), so
    # the mainland mobile rule decides before it is consulted.
    if national is not None and _MOBILE_RE.fullmatch(national):
        return PhoneCheck(national, "mobile", None)
    try:
        parsed = phonenumbers.parse(compact, "CN")
    except NumberParseException:
        return PhoneCheck(text, None, PHONE_INVALID)
    if parsed.country_code != 86:
        return PhoneCheck(text, None, PHONE_NOT_MAINLAND)
    if not phonenumbers.is_valid_number(parsed):
        return PhoneCheck(text, None, PHONE_INVALID)
    significant = phonenumbers.national_significant_number(parsed)
    kind = phonenumbers.number_type(parsed)
    if kind == PhoneNumberType.MOBILE and _MOBILE_RE.fullmatch(significant):
        return PhoneCheck(significant, "mobile", None)
    area_length = phonenumbers.length_of_geographical_area_code(parsed)
    if kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE) and area_length:
        area, local = significant[:area_length], significant[area_length:]
        return PhoneCheck(f"0{area}-{local}", "landline", None)
    # Toll-free, premium-rate, VoIP and other numbers do not reach a person.
    return PhoneCheck(text, None, PHONE_INVALID)


def _mask_tail(value: str) -> str:
    """Show the last four characters only; mask everything when there are four or fewer."""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_resident_id(number: str) -> str:
    """Mask an ID number to its last four characters: **************1234."""
    return _mask_tail(number)


def mask_phone(number: str) -> str:
    """Mask a phone number: 138****5678 for mobiles, 023-****1234 for landlines."""
    if len(number) < 7:
        return "*" * len(number)
    area, hyphen, local = number.partition("-")
    if hyphen and area and local:
        return f"{area}-{_mask_tail(local)}"
    if len(number) == 11:
        return f"{number[:3]}****{number[-4:]}"
    return _mask_tail(number)
