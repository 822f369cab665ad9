"""Whether an enterprise being typed is one already registered, and why it looks so.

Pure: takes what the broker typed (a `Probe`) and the records that might match (`Candidate`s,
read by `enterprises.duplicates.service`) and returns the matches with their reasons, strongest
first. No framework, no database, no clock.

Identifiers match exactly (they are normalised before they get here: credit code upper-cased,
the founder's phone and ID number as the keyed digests of their normalised forms). Names match
only within the same town, where two enterprises rarely share a name by chance: the same name
after the place names in front are dropped, or a similar one (`name_similarity`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from core.districts import BY_CODE


class Reason(StrEnum):
    """Why a registered enterprise may be the one being typed; declared strongest first."""

    SAME_CREDIT_CODE = "same_credit_code"
    SAME_NAME_SAME_TOWN = "same_name_same_town"
    SAME_FOUNDER_ID = "same_founder_id"
    SAME_FOUNDER_PHONE = "same_founder_phone"
    SIMILAR_NAME_SAME_TOWN = "similar_name_same_town"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]

    @property
    def strength(self) -> int:
        """0 for the strongest reason; a credit code identifies one legal entity, a founder may own several."""
        return list(Reason).index(self)


_REASON_LABELS = {
    Reason.SAME_CREDIT_CODE: "Same unified social credit code",
    Reason.SAME_NAME_SAME_TOWN: "Same name in the same town",
    Reason.SAME_FOUNDER_ID: "Same founder ID number",
    Reason.SAME_FOUNDER_PHONE: "Same founder phone",
    Reason.SIMILAR_NAME_SAME_TOWN: "Similar name in the same town",
}

# Chosen with the table in tests/enterprises/duplicates/test_matching.py. Over the distinctive part of
# a name (what is left without place names and legal-form words), 0.75 is one character in four
# differing (春华 / 春花: a typo or a homophone) or a word added (王家老屋 / 王家); two characters in
# four (春华 / 秋实) score 0.5 and are different enterprises. The price is a warning for 李记面馆 /
# 张记面馆 in one town, which the broker dismisses with one tick; a missed duplicate costs more.
SIMILAR_NAME_THRESHOLD = 0.75
# One distinctive part of three or more characters inside the other (春华柑橘 / 春华柑橘种植) is
# the same business described at more or less length.
CONTAINED_SCORE = 0.9
MIN_CONTAINED_LENGTH = 3

# Place names written in front of a name: 重庆市开州区春华柑橘家庭农场 is 春华柑橘家庭农场.
_CITY_PREFIXES = ("重庆市", "重庆")
# Words of the legal form or kind of business written at the end; longest first, so that
# 有限责任公司 goes as a whole and not as 公司.
# fmt: off
_GENERIC_WORDS = (
    "股份有限公司", "有限责任公司", "有限公司", "分公司", "公司", "个体工商户", "农民专业合作社", "专业合作社",
    "股份合作社", "合作社", "联合社", "家庭农场", "普通合伙", "有限合伙", "个人独资", "经营部", "门市部", "商行", "店",
)
# fmt: on
_GENERIC_SUFFIXES = tuple(sorted(_GENERIC_WORDS, key=len, reverse=True))
_DISTRICT_SUFFIXES = ("土家族苗族自治县", "苗族土家族自治县", "土家族自治县", "自治县", "区", "县")
_TOWN_SUFFIXES = ("街道办事处", "街道", "办事处", "镇", "乡")


@dataclass(frozen=True)
class Candidate:
    """A registered enterprise that might be the one being typed."""

    enterprise_id: int
    name: str
    district: str
    town: str
    credit_code: str = ""
    founder_phone: str = ""
    founder_id_digest: str = ""


@dataclass(frozen=True)
class Probe:
    """What is being typed, identifiers already normalised; empty fields match nothing."""

    name: str = ""
    district: str = ""
    town: str = ""
    credit_code: str = ""
    founder_phone: str = ""
    founder_id_digest: str = ""
    enterprise_id: int | None = None  # the record itself, when looking for duplicates of a registered one
    # The same identifiers hashed under earlier keys: rows not yet re-hashed by a key rotation match too.
    older_phone_digests: tuple[str, ...] = ()
    older_id_digests: tuple[str, ...] = ()


def _compact(text: str) -> str:
    """NFKC, lower case, without spaces, punctuation and symbols: 「春华·柑橘（家庭农场）」 is 春华柑橘家庭农场."""
    normal = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in normal if unicodedata.category(ch)[0] not in "PZSC")


def _strip_suffix(text: str, suffixes: Iterable[str], keep: int = 1) -> str:
    """`text` without the first of `suffixes` it ends with, unless fewer than `keep` characters would remain."""
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) - len(suffix) >= keep:
            return text[: -len(suffix)]
    return text


def town_key(town: str) -> str:
    """A town as typed, without 镇, 乡 or 街道: 汉丰街道, 汉丰 and 汉丰 街道 are one town."""
    return _strip_suffix(_compact(town), _TOWN_SUFFIXES, keep=2)


def place_names(district: str, town: str) -> tuple[str, ...]:
    """The names of a district (code) and town as they may be written in front of an enterprise name."""
    names: list[str] = list(_CITY_PREFIXES)
    if (known := BY_CODE.get(district)) is not None:
        names.append(known.name_zh)
        names.append(_strip_suffix(known.name_zh, _DISTRICT_SUFFIXES, keep=2))  # 开州; 忠县 stays whole
    if compact_town := _compact(town):
        names += [compact_town, town_key(town)]
    return tuple(sorted({n for n in names if len(n) >= 2}, key=len, reverse=True))


def name_key(name: str, places: Sequence[str] = ()) -> str:
    """A name without punctuation and without the place names in front: what "the same name" compares."""
    text = _compact(name)
    longest_first = sorted(places, key=len, reverse=True)
    while True:
        # Longest place first, from the top after each cut: 重庆市开州区 goes as 重庆市 then 开州区, not
        # 开州; and only while two characters or more remain: 开州区 alone is not 区.
        place = next((p for p in longest_first if text.startswith(p) and len(text) - len(p) >= 2), "")
        if not place:
            return text
        text = text[len(place) :]


def distinctive_part(name: str, places: Sequence[str] = ()) -> str:
    """A name without place names in front and legal-form words behind: 开州区春华柑橘家庭农场 is 春华柑橘."""
    text = name_key(name, places)
    while (shorter := _strip_suffix(text, _GENERIC_SUFFIXES)) != text:
        text = shorter
    return text


def name_similarity(a: str, b: str, places: Sequence[str] = ()) -> float:
    """How alike two enterprise names are, from 0 to 1, comparing their distinctive parts."""
    first, second = distinctive_part(a, places), distinctive_part(b, places)
    if not first or not second:
        return 0.0
    if first == second:
        return 1.0
    ratio = SequenceMatcher(None, first, second, autojunk=False).ratio()
    shorter, longer = sorted((first, second), key=len)
    if len(shorter) >= MIN_CONTAINED_LENGTH and shorter in longer:
        return max(ratio, CONTAINED_SCORE)
    return ratio


def same_town(probe: Probe, candidate: Candidate) -> bool:
    key = town_key(probe.town)
    return bool(key) and probe.district == candidate.district and key == town_key(candidate.town)


def _places(probe: Probe, candidate: Candidate) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(place_names(probe.district, probe.town) + place_names(candidate.district, candidate.town))
    )


def match_reasons(probe: Probe, candidate: Candidate) -> list[Reason]:
    """Why `candidate` may be the enterprise of `probe`, strongest first; empty when it does not look so."""
    if probe.enterprise_id is not None and probe.enterprise_id == candidate.enterprise_id:
        return []
    reasons: list[Reason] = []
    for reason, mine, theirs in (
        (Reason.SAME_CREDIT_CODE, probe.credit_code, candidate.credit_code),
        (Reason.SAME_FOUNDER_ID, probe.founder_id_digest, candidate.founder_id_digest),
        (Reason.SAME_FOUNDER_PHONE, probe.founder_phone, candidate.founder_phone),
    ):
        if mine and mine == theirs:
            reasons.append(reason)
    if probe.name and same_town(probe, candidate):
        places = _places(probe, candidate)
        mine_key, their_key = name_key(probe.name, places), name_key(candidate.name, places)
        # Two different credit codes are two legal entities: a merely similar name is then a
        # neighbour, not a duplicate. An identical name still warns, as registries refuse the same
        # name twice in one place, so one of the codes is likely mistyped.
        different_codes = bool(probe.credit_code and candidate.credit_code) and (
            probe.credit_code != candidate.credit_code
        )
        if mine_key and mine_key == their_key:
            reasons.append(Reason.SAME_NAME_SAME_TOWN)
        elif not different_codes and name_similarity(probe.name, candidate.name, places) >= SIMILAR_NAME_THRESHOLD:
            reasons.append(Reason.SIMILAR_NAME_SAME_TOWN)
    return sorted(reasons, key=lambda r: r.strength)


def rank(probe: Probe, candidates: Iterable[Candidate]) -> list[tuple[Candidate, list[Reason]]]:
    """The candidates that match, strongest reason first, then most reasons, most alike name, oldest record."""
    matches = [(candidate, reasons) for candidate in candidates if (reasons := match_reasons(probe, candidate))]

    def order(match: tuple[Candidate, list[Reason]]) -> tuple[int, int, float, int]:
        candidate, reasons = match
        similarity = name_similarity(probe.name, candidate.name, _places(probe, candidate)) if probe.name else 0.0
        return (reasons[0].strength, -len(reasons), -similarity, candidate.enterprise_id)

    return sorted(matches, key=order)
