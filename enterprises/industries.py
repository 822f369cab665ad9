"""An industry as people write it, read as a GB/T 4754-2017 section and, where known, a division.

Pure: no framework, database or clock. `resolve_industry` tries, in order: the section's letter,
the division's two-digit code, a name of the standard exactly, the same name normalised (full-width
folded, spaces and punctuation dropped, a trailing 业/制造/服务 variant), a common short form, and
last a fuzzy match. A short form or a fuzzy match is an assumption, so it comes with a warning that
names what the text was read as.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from enterprises.industry_table import DIVISIONS, SECTIONS, SHORT_FORMS, STANDARD_TERMS, division_name, section_name

READ_AS = "Read “{given}” as {name} ({code})"
# No placeholder: a field's error is shown beside the value as given (the form keeps it; the import's
# report names the column and its failed-rows download the cell).
UNKNOWN_INDUSTRY = (
    "Unknown industry. Write a section letter, a two-digit division code or a name "
    "from the 行业代码 sheet of the template or the list on the form."
)

# rapidfuzz's `ratio` (0–100) at or above which a name is taken as a near-miss of one in the table.
# 80 takes a dropped or added character in a name of five or more (纺织服装业 → 纺织服装、服饰业: 83;
# 农副产品加工业 → 农副食品加工业: 86) and refuses what shares only a word (服务 → 快递服务: 67);
# tests/enterprises/test_industries.py holds both sides.
FUZZY_THRESHOLD = 80.0

# Dropped before names are compared: punctuation, spaces and the joining words of the standard's names.
_NOISE = re.compile(r"[\s、，,。.．·•;；:：/\\()（）\[\]【】\"'“”‘’_\-—和及与]")
# Trailing words people add or leave off (住宿 for 住宿业, 酒、饮料和精制茶制造 for …制造业), longest first.
_SUFFIXES = ("制造业", "服务业", "加工业", "行业", "制造", "服务", "活动", "业")
_LETTER_AND_REST = re.compile(r"^([A-Za-z])(?![A-Za-z])\s*(.*)$")
_CODE_AND_REST = re.compile(r"^(\d{2})(?!\d)\s*(.*)$")


class How:
    """How a text was read: the values of `IndustryMatch.how`."""

    LETTER = "letter"
    DIVISION_CODE = "division_code"
    EXACT = "exact"
    NORMALISED = "normalised"
    SHORT_FORM = "short_form"
    FUZZY = "fuzzy"


@dataclass(frozen=True)
class IndustryMatch:
    section: str  # A–T
    division: str  # "01"–"97", "" when only the section is known
    how: str  # a `How` value
    name: str  # the standard's name it was read as (the division's, else the section's)
    warning: str = ""  # READ_AS for a short form or a fuzzy match, else ""
    warning_params: dict[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.division or self.section


def normalise(text: str) -> str:
    """A name as compared: NFKC (full-width folded), punctuation, spaces and 和/及/与 dropped."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text))


def stems(key: str) -> list[str]:
    """A normalised name without each trailing 业/制造/服务 variant it has, where two characters or more remain.

    Every variant, not only the longest: 农副食品加工业 is 农副食品加工 and 农副食品 both.
    """
    return [key[: -len(suffix)] for suffix in _SUFFIXES if key.endswith(suffix) and len(key) - len(suffix) >= 2]


Target = tuple[str, str]  # (section, division)


def _standard_names() -> dict[str, Target]:
    """Every name of the standard here: sections, divisions, the groups and classes kept."""
    names: dict[str, Target] = {}
    for code, (letter, name) in DIVISIONS.items():
        names[name] = (letter, code)
    for letter, name in SECTIONS.items():
        # 房地产业, 教育 and 国际组织 name a section and its only division: the division is the better answer.
        names.setdefault(name, (letter, ""))
    for term in STANDARD_TERMS:
        names.setdefault(term.word, (term.section, term.division))
    return names


def _index(names: dict[str, Target], with_stems: bool) -> dict[str, Target | None]:
    """Names by their key; a key two different targets share maps to None (ambiguous: 其他 of 其他制造业/其他服务业)."""
    index: dict[str, Target | None] = {}
    for name, target in names.items():
        whole = normalise(name)
        for key in {whole, *stems(whole)} if with_stems else {whole}:
            if key in index and index[key] != target:
                index[key] = None
            else:
                index[key] = target
    return index


STANDARD_NAMES: dict[str, Target] = _standard_names()
_BY_KEY: dict[str, Target | None] = _index(STANDARD_NAMES, with_stems=True)
_SHORT: dict[str, Target] = {}
for _term in SHORT_FORMS:
    for _key in (normalise(_term.word), *stems(normalise(_term.word))):
        _SHORT.setdefault(_key, (_term.section, _term.division))
# What fuzzy matching compares against: each normalised name or short form, and where it points.
_FUZZY_CHOICES: dict[str, Target | None] = {**_SHORT, **_index(STANDARD_NAMES, with_stems=False)}


def _name_of(target: Target) -> str:
    section, division = target
    return division_name(division) if division else section_name(section)


def _match(target: Target, how: str, given: str = "") -> IndustryMatch:
    section, division = target
    name = _name_of(target)
    if how in (How.SHORT_FORM, How.FUZZY):
        params = {"given": given, "name": name, "code": division or section}
        return IndustryMatch(section, division, how, name, READ_AS, params)
    return IndustryMatch(section, division, how, name)


def _by_name(text: str) -> IndustryMatch | None:
    if text in STANDARD_NAMES:
        return _match(STANDARD_NAMES[text], How.EXACT)
    key = normalise(text)
    if not key:
        return None
    for candidate in (key, *stems(key)):
        target = _BY_KEY.get(candidate)
        if target is not None:
            return _match(target, How.NORMALISED)
    for candidate in (key, *stems(key)):
        if candidate in _SHORT:
            return _match(_SHORT[candidate], How.SHORT_FORM, text)
    return _fuzzy(key, text)


def _fuzzy(key: str, given: str) -> IndustryMatch | None:
    # Only Chinese words of two characters or more: "abc" or "12" are near nothing the standard names.
    if len(key) < 2 or not any("\u4e00" <= char <= "\u9fff" for char in key):
        return None
    found = process.extract(key, list(_FUZZY_CHOICES), scorer=fuzz.ratio, limit=5, score_cutoff=FUZZY_THRESHOLD)
    if not found:
        return None
    best_score = found[0][1]
    targets = {_FUZZY_CHOICES[choice] for choice, score, _ in found if score == best_score}
    if len(targets) != 1 or None in targets:
        return None  # as near to two different things: not a guess to make for the user
    (target,) = targets
    assert target is not None
    return _match(target, How.FUZZY, given)


def resolve_industry(text: str) -> IndustryMatch | None:
    """The section and division `text` names ("C", "15", "C15", "酒、饮料和精制茶制造业", "电商" …), or None."""
    given = " ".join(unicodedata.normalize("NFKC", text).split())
    if not given:
        return None
    if letter_match := _LETTER_AND_REST.match(given):
        letter, rest = letter_match[1].upper(), letter_match[2]
        if letter not in SECTIONS:
            return None
        if not rest:
            return _match((letter, ""), How.LETTER)
        # "C 13", "C13 农副食品加工业", "A 农、林、牧、渔业": the letter decides; a division in it is kept.
        inner = resolve_industry(rest)
        division = inner.division if inner is not None and inner.section == letter else ""
        return _match((letter, division), How.LETTER)
    if code_match := _CODE_AND_REST.match(given):
        code = code_match[1]
        return _match((DIVISIONS[code][0], code), How.DIVISION_CODE) if code in DIVISIONS else None
    if given.isascii():
        return None
    return _by_name(given)


def industry_choices() -> list[tuple[str, str]]:
    """(value, label) of every section and, under it, its divisions: the list on the form."""
    choices: list[tuple[str, str]] = []
    for letter, name in SECTIONS.items():
        choices.append((letter, f"{letter} {name}"))
        choices.extend((code, f"　{code} {d_name}") for code, (s, d_name) in DIVISIONS.items() if s == letter)
    return choices
