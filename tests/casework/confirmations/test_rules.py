"""The founder's confirmation as a table: codes, tries, expiry, what counts as confirmed, signatures."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from casework.confirmations.rules import (
    CodeState,
    ConfirmationFacts,
    Method,
    Verdict,
    code_matches,
    code_state,
    covers,
    facts_of,
    judge_code,
    new_code,
    read_code,
    read_purpose,
    read_signature,
)
from core.errors import Invalid

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=10)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
MAX = 5


def code(
    tries: int = 0, expires_at: datetime | None = LATER, confirmed_at: datetime | None = None
) -> ConfirmationFacts:
    return ConfirmationFacts(1, 7, Method.CODE, frozenset({3}), confirmed_at, expires_at, tries)


def test_it_makes_codes_of_six_random_digits() -> None:
    codes = {new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 190  # random, not a counter or a constant


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("042917", "042917"),
        (" 042 917 ", "042917"),
        ("042-917", "042917"),
        ("０４２９１７", "042917"),  # full-width digits from a Chinese keyboard
        ("42917", None),
        ("0429170", None),
        ("04291a", None),
        ("٠٤٢٩١٧", None),  # other scripts' digits are not the code's digits
        ("", None),
    ],
)
def test_it_reads_a_code_as_typed(typed: str, read: str | None) -> None:
    assert read_code(typed) == read


def test_it_matches_a_code_by_its_keyed_hash_only() -> None:
    def digest(value: str) -> str:
        return f"h({value})"

    assert code_matches("042917", "h(042917)", digest)
    assert not code_matches("042918", "h(042917)", digest)
    assert not code_matches("042917", "", digest)  # a signature has no digest to match


@pytest.mark.parametrize(
    ("facts", "matches", "verdict"),
    [
        (code(), True, Verdict.CONFIRMED),
        (code(tries=4), True, Verdict.CONFIRMED),  # the fifth try may still be right
        (code(), False, Verdict.WRONG),
        (code(tries=3), False, Verdict.WRONG),
        (code(tries=4), False, Verdict.WRONG_LAST),  # the fifth wrong code kills it
        (code(tries=5), True, Verdict.USED_UP),  # dead: even the right code no longer works
        (code(expires_at=NOW), True, Verdict.EXPIRED),
        (code(expires_at=NOW - timedelta(seconds=1)), True, Verdict.EXPIRED),
        (code(expires_at=None), True, Verdict.EXPIRED),
        (code(confirmed_at=NOW), True, Verdict.ALREADY_USED),  # a right code works once
        (ConfirmationFacts(1, 7, Method.SIGNATURE, frozenset({3}), NOW), True, Verdict.NOT_A_CODE),
    ],
)
def test_it_judges_a_typed_code(facts: ConfirmationFacts, matches: bool, verdict: Verdict) -> None:
    assert judge_code(facts, matches, NOW, MAX) is verdict


@pytest.mark.parametrize(
    ("facts", "state"),
    [
        (code(), CodeState.WAITING),
        (code(confirmed_at=NOW), CodeState.CONFIRMED),
        (code(tries=5), CodeState.USED_UP),
        (code(expires_at=NOW), CodeState.EXPIRED),
    ],
)
def test_it_says_where_a_code_stands(facts: ConfirmationFacts, state: CodeState) -> None:
    assert code_state(facts, NOW, MAX) is state


def test_it_knows_what_a_confirmation_covers() -> None:
    facts = facts_of({"id": 1, "case": 7, "method": "signature", "purpose": {"problems": [3, 4]}, "tries": 0})
    assert facts.problems == frozenset({3, 4}) and facts.case_id == 7
    assert covers(facts, [3]) and covers(facts, [3, 4]) and not covers(facts, [3, 5])
    assert facts_of({"id": 2, "case": 7, "method": "code", "purpose": {"task": 9}}).problems == frozenset()


def test_it_stores_a_purpose_of_problems_or_a_task() -> None:
    assert read_purpose([4, 3, 4]) == {"problems": [3, 4]}
    assert read_purpose([], task=9) == {"task": 9}
    with pytest.raises(Invalid):
        read_purpose([])


@pytest.mark.parametrize(
    ("sent", "ok"),
    [
        ("data:image/png;base64," + base64.b64encode(PNG).decode(), True),
        (base64.b64encode(PNG).decode(), True),
        (PNG, True),
        ("data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff").decode(), False),
        ("data:image/png;base64," + base64.b64encode(b"GIF89a").decode(), False),  # lying about its type
        ("data:image/png;base64,%%%", False),
        ("", False),
        (b"", False),
    ],
)
def test_it_reads_a_drawn_signature_as_png_only(sent: str | bytes, ok: bool) -> None:
    if ok:
        assert read_signature(sent) == PNG
    else:
        with pytest.raises(Invalid) as refused:
            read_signature(sent)
        assert set(refused.value.errors) == {"signature"}
