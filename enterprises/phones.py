"""A founder's phone at rest: encrypted, with a keyed hash for exact search and its last four digits.

Like the ID number beside it, the number is never stored in clear: `stored_phone` gives the
columns to write from a normalised number, `phone_search` what a typed search looks up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import crypto
from core.text import fold_width
from enterprises.identifiers import mask_phone, normalise_phone
from enterprises.tables import Founder

SEARCH_FULL_OR_LAST4 = "Search by the full number or its last four digits."
PHONE_COLUMNS = ("phone_cipher", "phone_digest", "phone_last4", "phone_masked")
_LAST4 = re.compile(r"[0-9]{4}")


def stored_phone(number: str) -> dict[str, str]:
    """The founder columns holding a normalised phone number ('' clears them)."""
    if not number:
        return dict.fromkeys(PHONE_COLUMNS, "")
    return {
        "phone_cipher": crypto.encrypt(number),
        "phone_digest": crypto.digest(number),
        "phone_last4": number[-4:],
        "phone_masked": mask_phone(number),
    }


def phone_digest(number: str) -> str:
    """The keyed hash stored for a normalised number (under the current key)."""
    return crypto.digest(number) if number else ""


def phone_digests(number: str) -> list[str]:
    """What a lookup of a normalised number matches: its hash under every key, so rows not yet
    re-hashed by a key rotation are still found."""
    return crypto.digests(number) if number else []


async def phone_on_record(founder_id: int | None) -> str:
    """A founder's phone in full, decrypted: for an edit that keeps it, or a reveal already logged."""
    if founder_id is None:
        return ""
    row = await Founder.select(Founder.phone_cipher).where(Founder.id == founder_id).first()
    return crypto.decrypt(row["phone_cipher"]) if row else ""


@dataclass(frozen=True)
class PhoneSearch:
    """What a phone typed into a search looks for: a full number's digest, or the last four digits."""

    digests: tuple[str, ...] = ()
    last4: str = ""


def phone_search(text: str) -> PhoneSearch | None:
    """A full number (as it is written: "+86 139 8345 1234") or its last four; None for anything else."""
    checked = normalise_phone(text)
    if not checked.error:
        return PhoneSearch(digests=tuple(phone_digests(checked.number)))
    compact = "".join(fold_width(text).split())
    if _LAST4.fullmatch(compact):
        return PhoneSearch(last4=compact)
    return None
