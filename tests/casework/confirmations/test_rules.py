"""The founder's confirmation as a table: codes, tries, expiry, what counts as confirmed, signatures."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from casework.confirmations.rules import (
    CODE_TEXT,
    VISIT_CODE_TEXT,
    CodeState,
    ConfirmationFacts,
    Method,
    Verdict,
    code_matches,
    code_state,
    code_text,
    covers,
    facts_of,
    judge_code,
    new_code,
    read_code,
    read_purpose,
    read_signature,
    shown_for_task,
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


def test_it_reads_the_task_a_confirmation_is_for() -> None:
    assert facts_of({"id": 2, "case": 7, "method": "code", "purpose": {"task": 9}}).task == 9
    assert facts_of({"id": 3, "case": 7, "method": "code", "purpose": {"problems": [3]}}).task is None
    assert facts_of({"id": 4, "case": 7, "method": "code", "purpose": {"task": "9"}}).task is None
    assert facts_of({"id": 5, "case": 7, "method": "code", "purpose": {"task": True}}).task is None


def for_task(
    id: int, task: int | None = 9, *, tries: int = 0, expires_at: datetime | None = LATER, given: bool = False
) -> ConfirmationFacts:
    method = Method.SIGNATURE if given and expires_at is None else Method.CODE
    return ConfirmationFacts(id, 7, method, frozenset(), NOW if given else None, expires_at, tries, task)


WAITING, EXPIRED, USED_UP = for_task(1), for_task(2, expires_at=NOW), for_task(3, tries=MAX)
SIGNED, OTHER_TASKS = for_task(4, given=True, expires_at=None), for_task(5, task=8)
CLOSE_OUT = for_task(6, task=None)  # a code closing out problems of the plan


@pytest.mark.parametrize(
    ("confirmations", "named", "shown"),
    [
        ([], None, None),
        ([WAITING], None, WAITING),  # reached from the list: the code is still shown
        ([WAITING], 1, WAITING),  # reached by the redirect after sending it
        ([EXPIRED], None, None),  # a code that can no longer be typed in is not offered
        ([USED_UP], None, None),
        ([EXPIRED], 2, EXPIRED),  # ... unless the page names it, to say why it no longer works
        ([SIGNED], None, SIGNED),  # given and not yet used by the completion
        ([WAITING, SIGNED], None, SIGNED),  # the newest in play
        ([SIGNED, for_task(7)], None, for_task(7)),
        ([OTHER_TASKS], None, None),
        ([OTHER_TASKS], 5, None),  # named, but asked for another task
        ([CLOSE_OUT], 6, None),
        ([WAITING, OTHER_TASKS, CLOSE_OUT], 5, WAITING),
        ([for_task(8, given=True)], None, for_task(8, given=True)),  # a code typed in through the API
    ],
)
def test_it_chooses_the_confirmation_a_visit_tasks_page_shows(
    confirmations: list[ConfirmationFacts], named: int | None, shown: ConfirmationFacts | None
) -> None:
    assert shown_for_task(confirmations, 9, named, NOW, MAX) == shown


@pytest.mark.parametrize(
    ("purpose", "text"),
    [
        ({"problems": [3, 4]}, CODE_TEXT),
        ({"task": 9}, VISIT_CODE_TEXT),  # not "the problems are resolved": he confirms a visit
        ({"problems": [3], "task": 9}, CODE_TEXT),  # closing problems out says more than the visit
    ],
)
def test_it_tells_the_founder_what_his_code_confirms(purpose: dict[str, object], text: str) -> None:
    assert code_text(purpose) == text


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
