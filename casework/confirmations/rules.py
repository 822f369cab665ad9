"""The founder's confirmation: a one-time code sent to his phone, or a signature drawn on the broker's screen.

Pure: no web, database or queue; `now` and the keyed hash are passed in. A code is 6 digits from
`secrets`, kept only as a keyed hash, valid for a few minutes and for a few wrong tries; once
typed right it is used up. A signature confirms as it is drawn.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from core.errors import Invalid
from core.text import fold_width

CODE_LENGTH = 6
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# What the founder receives; filled in with the code, the enterprise and the minutes it is valid.
CODE_TEXT = (
    "Fuchi: {code} is the code confirming that the problems of {enterprise} are resolved. "
    "It is valid for {minutes} minutes. Tell it only to your broker."
)
VISIT_CODE_TEXT = (
    "Fuchi: {code} is the code confirming that your broker visited {enterprise}. "
    "It is valid for {minutes} minutes. Tell it only to your broker."
)


def code_text(purpose: Mapping[str, Any]) -> str:
    """What the founder's text says his code confirms (a message id): the problems closed out, else the visit."""
    return CODE_TEXT if purpose.get("problems") else VISIT_CODE_TEXT


_CODE_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{6}(?![0-9])")


def code_in_text(text: str) -> str | None:
    """The code in a text sent to a founder (for the demo's screen and the tests, which have no phone)."""
    found = _CODE_IN_TEXT.search(text)
    return found.group(0) if found else None


class Method(StrEnum):
    CODE = "code"
    SIGNATURE = "signature"


def new_code() -> str:
    """Six random digits, leading zeros kept."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def read_code(text: str) -> str | None:
    """The code as typed (full-width digits, spaces and dashes allowed), or None if it is not 6 digits."""
    compact = fold_width(text).replace(" ", "").replace("-", "")
    if len(compact) == CODE_LENGTH and compact.isascii() and compact.isdigit():
        return compact
    return None


def code_matches(code: str, stored_digest: str, digest: Callable[[str], str]) -> bool:
    return bool(stored_digest) and hmac.compare_digest(digest(code), stored_digest)


def expiry(now: datetime, minutes: int) -> datetime:
    return now + timedelta(minutes=minutes)


@dataclass(frozen=True)
class ConfirmationFacts:
    id: int
    case_id: int
    method: Method
    problems: frozenset[int]
    confirmed_at: datetime | None = None
    expires_at: datetime | None = None
    tries: int = 0
    task: int | None = None  # the visit task it confirms, if any


def facts_of(row: Mapping[str, Any]) -> ConfirmationFacts:
    """The facts of a `casework_confirmation` row (its purpose JSON already loaded)."""
    purpose = row.get("purpose") or {}
    problems = purpose.get("problems", []) if isinstance(purpose, Mapping) else []
    task = purpose.get("task") if isinstance(purpose, Mapping) else None
    return ConfirmationFacts(
        id=row["id"],
        case_id=row["case"],
        method=Method(row["method"]),
        problems=frozenset(int(p) for p in problems if isinstance(p, int)),
        confirmed_at=row.get("confirmed_at"),
        expires_at=row.get("expires_at"),
        tries=row.get("tries") or 0,
        task=task if isinstance(task, int) and not isinstance(task, bool) else None,
    )


def covers(confirmation: ConfirmationFacts, problem_ids: Iterable[int]) -> bool:
    """Whether the founder confirmed (at least) these problems."""
    return frozenset(problem_ids) <= confirmation.problems


class Verdict(StrEnum):
    """What typing a code into a confirmation comes to."""

    CONFIRMED = "confirmed"
    WRONG = "wrong"  # counted; tries remain
    WRONG_LAST = "wrong_last"  # counted; that was the last try
    USED_UP = "used_up"  # no tries left: a new code must be sent
    EXPIRED = "expired"
    ALREADY_USED = "already_used"
    NOT_A_CODE = "not_a_code"  # a signature has no code to type


COUNTS_A_TRY = frozenset({Verdict.WRONG, Verdict.WRONG_LAST})

VERDICT_MESSAGES = {
    Verdict.WRONG: "The code is wrong.",
    Verdict.WRONG_LAST: "The code is wrong, and that was the last try. Send a new code.",
    Verdict.USED_UP: "Too many wrong codes: this code no longer works. Send a new code.",
    Verdict.EXPIRED: "The code has expired. Send a new code.",
    Verdict.ALREADY_USED: "This code has already been used.",
    Verdict.NOT_A_CODE: "This confirmation was not made with a code.",
}


def judge_code(confirmation: ConfirmationFacts, matches: bool, now: datetime, max_tries: int) -> Verdict:
    """The verdict on a code typed for `confirmation`; `matches` says whether it is the code sent."""
    if confirmation.method is not Method.CODE:
        return Verdict.NOT_A_CODE
    if confirmation.confirmed_at is not None:
        return Verdict.ALREADY_USED
    if confirmation.tries >= max_tries:
        return Verdict.USED_UP
    if confirmation.expires_at is None or confirmation.expires_at <= now:
        return Verdict.EXPIRED
    if matches:
        return Verdict.CONFIRMED
    return Verdict.WRONG_LAST if confirmation.tries + 1 >= max_tries else Verdict.WRONG


class CodeState(StrEnum):
    """Where a code stands, for the page that asks for it."""

    WAITING = "waiting"
    CONFIRMED = "confirmed"
    EXPIRED = "expired"
    USED_UP = "used_up"


def code_state(confirmation: ConfirmationFacts, now: datetime, max_tries: int) -> CodeState:
    if confirmation.confirmed_at is not None:
        return CodeState.CONFIRMED
    if confirmation.tries >= max_tries:
        return CodeState.USED_UP
    if confirmation.expires_at is None or confirmation.expires_at <= now:
        return CodeState.EXPIRED
    return CodeState.WAITING


# A confirmation still in play: given, or a code the founder can still read out.
IN_PLAY = frozenset({CodeState.CONFIRMED, CodeState.WAITING})


def shown_for_task(
    confirmations: Iterable[ConfirmationFacts], task_id: int, named: int | None, now: datetime, max_tries: int
) -> ConfirmationFacts | None:
    """The confirmation a visit task's page shows, among the case's: the one the page names, if asked for this
    task (whatever its state, so a refused code is explained); else the newest of the task's still in play.

    The page is reached by the redirect after a code is sent (which names it) or from the broker's list
    (which does not): either way a code waiting to be typed in is shown, and none that can no longer be.
    """
    mine = [c for c in confirmations if c.task == task_id]
    chosen = next((c for c in mine if c.id == named), None)
    if chosen is not None:
        return chosen
    live = [c for c in mine if code_state(c, now, max_tries) in IN_PLAY]
    return max(live, key=lambda c: c.id, default=None)


def read_purpose(problem_ids: Iterable[int], task: int | None = None) -> dict[str, Any]:
    """What a confirmation confirms, as stored: the problems to close out and/or the task of a visit."""
    purpose: dict[str, Any] = {}
    problems = sorted(set(problem_ids))
    if problems:
        purpose["problems"] = problems
    if task is not None:
        purpose["task"] = task
    if not purpose:
        raise Invalid({"problems": "Choose the problems to close out."})
    return purpose


def read_signature(data: str | bytes) -> bytes:
    """The PNG of a drawn signature, sent as a data URL (`data:image/png;base64,…`), base64, or raw bytes."""
    if isinstance(data, str):
        text = data.strip()
        if not text:
            raise Invalid({"signature": "Draw the signature first."})
        header, comma, payload = text.partition(",")
        if comma and header.startswith("data:"):
            if header.lower() != "data:image/png;base64":
                raise Invalid({"signature": "The signature must be a PNG image."})
            text = payload
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid({"signature": "The signature must be a PNG image."}) from None
    else:
        raw = data
    if not raw:
        raise Invalid({"signature": "Draw the signature first."})
    if not raw.startswith(PNG_MAGIC):
        raise Invalid({"signature": "The signature must be a PNG image."})
    return raw
