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

CREDIT_CODE_MALFORMED = "Credit code must be 18 characters from digits and capital letters except I, O, S, V, Z."
CREDIT_CODE_CHECK_DIGIT_MISMATCH = (
    "The last character of the credit code does not match its check character; "
    "confirm it against the business licence and give a reason."
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
    CREDIT_CODE_MALFORMED,
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
    # A warning, not an error: some lawful early pilot codes fail the position-18 check.
    CHECK_DIGIT_MISMATCH = "check_digit_mismatch"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class CreditCodeCheck:
    """A normalised credit code and what its check found."""

    code: str
    status: CreditCodeStatus
    error: str | None

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


def check_credit_code(value: str) -> CreditCodeCheck:
    """Normalise a unified social credit code and check its form and check character."""
    code = normalise_code(value)
    # Only length, alphabet and check character are tested: registration authorities such as
    # "Y", and organisation codes whose own check fails, occur in lawful codes.
    if not _CREDIT_CODE_RE.fullmatch(code):
        return CreditCodeCheck(code, CreditCodeStatus.MALFORMED, CREDIT_CODE_MALFORMED)
    if credit_code_check_character(code[:17]) != code[17]:
        return CreditCodeCheck(code, CreditCodeStatus.CHECK_DIGIT_MISMATCH, None)
    return CreditCodeCheck(code, CreditCodeStatus.VALID, None)


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
