"""Why an expert is suggested for a case, or left out, in plain words: pure.

A `Match`'s parts and an `ExcludedExpert`'s reason become `Phrase`s: an English message id with
`{placeholders}` and its parameters. The caller translates the message id (`_()`) and then fills
it in; `render` does both. Category, district and industry names come from label functions the
caller passes, already in the reader's language, so this module keeps no lookup tables. A list of
names (several categories) stays a tuple in the parameters and is joined with the translated
`LIST_SEPARATOR` when rendered ("融资、市场" in Chinese, "financing, marketing" in English).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from experts.matching import ExcludedExpert, Exclusion, Match, Part, PartKind

if TYPE_CHECKING:  # not at run time: the case page needs no scipy to explain a match
    from experts.batching import LineError, Unassigned

__all__ = [
    "EXCLUSION_MESSAGES",
    "LIST_SEPARATOR",
    "MESSAGES",
    "Label",
    "Phrase",
    "explain_exclusion",
    "explain_line_error",
    "explain_match",
    "explain_unassigned",
    "format_phrase",
    "render",
]

Label = Callable[[str], str]


@dataclass(frozen=True)
class Phrase:
    """One reason, as a message id to translate and the parameters to fill it with."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)


LIST_SEPARATOR = ", "  # translated too: Chinese joins names with "、"

SPECIALTY_LEAD = "specialty: {categories}, lead"
SPECIALTY_SUPPORTING = "specialty: {categories}, supporting"
SPECIALTY_NONE = "no specialty in the case's needs"
INDUSTRY = "knows the trade: {industry}"
SERVES_DISTRICT = "serves {district}"
SERVES_CITY = "serves the whole city"
LOAD = "{load} of {capacity} cases"
RECORD = "resolved {resolved} of {closed} {categories} cases"
RECORD_NONE = "no closed {categories} cases yet"
SPEED_ONE = "accepts in {days} working day on average"
SPEED_MANY = "accepts in {days} working days on average"
SPEED_NONE = "no offers answered yet"
SPEED_SAME_DAY = "accepts on the day of the offer on average"

EXCLUSION_MESSAGES: dict[Exclusion, str] = {
    Exclusion.CONFLICT: "excluded: declared conflict of interest",
    Exclusion.PASSED_OVER: "excluded: already declined, let lapse or handed back this case",
    Exclusion.UNAVAILABLE: "excluded: not taking cases",
    Exclusion.AWAY: "excluded: away until {until}",
    Exclusion.FULL: "excluded: full, {load} of {capacity} cases",
    Exclusion.OUT_OF_AREA: "excluded: does not serve {district}",
    Exclusion.NO_SPECIALTY: "excluded: knows none of this case's needs ({categories})",
}
CONFLICT_ENTERPRISE = "excluded: conflict of interest with the enterprise"
CONFLICT_FOUNDER = "excluded: conflict of interest with a founder"

# A backlog's proposed assignment (experts.batching): why a case has no expert, what is wrong with a line.
UNASSIGNED_MESSAGES: dict[str, str] = {
    "no_match": "No expert may take this case.",
    "taken": "The experts who may take this case have no room left after the other cases.",
}
LINE_ERROR_MESSAGES: dict[str, str] = {
    "unknown_case": "This case is not in the backlog any more.",
    "unknown_expert": "This expert is not in the pool.",
    "over_capacity": "{name} would get {proposed} of these cases but has room for {remaining}.",
}

# Every message id this module can produce: the catalog must translate them all.
MESSAGES: tuple[str, ...] = (
    LIST_SEPARATOR,
    SPECIALTY_LEAD,
    SPECIALTY_SUPPORTING,
    SPECIALTY_NONE,
    INDUSTRY,
    SERVES_DISTRICT,
    SERVES_CITY,
    LOAD,
    RECORD,
    RECORD_NONE,
    SPEED_ONE,
    SPEED_MANY,
    SPEED_SAME_DAY,
    SPEED_NONE,
    *EXCLUSION_MESSAGES.values(),
    CONFLICT_ENTERPRISE,
    CONFLICT_FOUNDER,
    *UNASSIGNED_MESSAGES.values(),
    *LINE_ERROR_MESSAGES.values(),
)


def _identity(code: str) -> str:
    return code


def _number(value: float) -> int | float:
    """1.0 reads "1", 1.25 reads "1.3": a median of working days needs no more."""
    rounded = round(value, 1)
    return int(rounded) if rounded == int(rounded) else rounded


def _labels(codes: Iterable[object], label: Label) -> tuple[str, ...]:
    return tuple(label(str(code)) for code in codes)


def _tuple(value: object) -> tuple[object, ...]:
    return tuple(value) if isinstance(value, tuple | list | frozenset | set) else ()


def _int(value: object) -> int:
    return value if isinstance(value, int) else 0


def _part_phrases(part: Part, category_label: Label, district_label: Label, industry_label: Label) -> list[Phrase]:
    facts = part.facts
    if part.kind is PartKind.SPECIALTY:
        lead, supporting = _tuple(facts.get("lead")), _tuple(facts.get("supporting"))
        phrases = []
        if lead:
            phrases.append(Phrase(SPECIALTY_LEAD, {"categories": _labels(lead, category_label)}))
        if supporting:
            phrases.append(Phrase(SPECIALTY_SUPPORTING, {"categories": _labels(supporting, category_label)}))
        return phrases or [Phrase(SPECIALTY_NONE)]
    if part.kind is PartKind.INDUSTRY:
        # A trade he does not know gives no points and is not worth a word.
        knows = bool(facts.get("knows")) and bool(facts.get("industry"))
        return [Phrase(INDUSTRY, {"industry": industry_label(str(facts["industry"]))})] if knows else []
    if part.kind is PartKind.DISTRICT:
        if facts.get("city_wide"):
            return [Phrase(SERVES_CITY)]
        return [Phrase(SERVES_DISTRICT, {"district": district_label(str(facts.get("district", "")))})]
    if part.kind is PartKind.LOAD:
        return [Phrase(LOAD, {"load": _int(facts.get("load")), "capacity": _int(facts.get("capacity"))})]
    if part.kind is PartKind.RECORD:
        categories = _labels(_tuple(facts.get("categories")), category_label)
        closed = _int(facts.get("closed"))
        if not closed:
            return [Phrase(RECORD_NONE, {"categories": categories})]
        return [Phrase(RECORD, {"resolved": _int(facts.get("resolved")), "closed": closed, "categories": categories})]
    if part.kind is PartKind.SPEED:
        days = facts.get("days")
        if not isinstance(days, int | float):
            return [Phrase(SPEED_NONE)]
        shown = _number(float(days))
        if shown == 0:
            return [Phrase(SPEED_SAME_DAY)]
        return [Phrase(SPEED_ONE if shown == 1 else SPEED_MANY, {"days": shown})]
    return []


def explain_match(
    match: Match,
    *,
    category_label: Label,
    district_label: Label,
    industry_label: Label = _identity,
) -> tuple[Phrase, ...]:
    """The reasons of a match's score, in the order of its parts."""
    phrases: list[Phrase] = []
    for part in match.parts:
        phrases.extend(_part_phrases(part, category_label, district_label, industry_label))
    return tuple(phrases)


def explain_exclusion(excluded: ExcludedExpert, *, district_label: Label, category_label: Label = _identity) -> Phrase:
    """Why an expert is not ranked for the case."""
    facts = excluded.facts
    if excluded.reason is Exclusion.CONFLICT:
        party = facts.get("with")
        if party == "enterprise":
            return Phrase(CONFLICT_ENTERPRISE)
        if party == "founder":
            return Phrase(CONFLICT_FOUNDER)
    msgid = EXCLUSION_MESSAGES[excluded.reason]
    if excluded.reason is Exclusion.AWAY:
        return Phrase(msgid, {"until": facts.get("until")})
    if excluded.reason is Exclusion.FULL:
        return Phrase(msgid, {"load": _int(facts.get("load")), "capacity": _int(facts.get("capacity"))})
    if excluded.reason is Exclusion.OUT_OF_AREA:
        return Phrase(msgid, {"district": district_label(str(facts.get("district", "")))})
    if excluded.reason is Exclusion.NO_SPECIALTY:
        return Phrase(msgid, {"categories": _labels(_tuple(facts.get("categories")), category_label)})
    return Phrase(msgid)


def explain_unassigned(why: Unassigned) -> Phrase:
    """Why a case of a proposed assignment has no expert."""
    return Phrase(UNASSIGNED_MESSAGES[why.value])


def explain_line_error(error: LineError, *, district_label: Label, category_label: Label = _identity) -> Phrase:
    """What is wrong with a line of an edited proposal; an excluded pair reads as its exclusion."""
    if error.excluded is not None:
        return explain_exclusion(error.excluded, district_label=district_label, category_label=category_label)
    return Phrase(LINE_ERROR_MESSAGES[error.problem.value], dict(error.facts))


def format_phrase(phrase: Phrase, translate: Callable[[str], str]) -> str:
    """The phrase in the reader's language: the message id translated, then its parameters filled in."""
    separator = translate(LIST_SEPARATOR)
    params = {
        key: separator.join(str(item) for item in value) if isinstance(value, tuple | list) else value
        for key, value in phrase.params.items()
    }
    return translate(phrase.msgid).format(**params)


def render(phrases: Iterable[Phrase], translate: Callable[[str], str]) -> list[str]:
    """Each phrase in the reader's language (join them with "; " or "；" as the page prefers)."""
    return [format_phrase(phrase, translate) for phrase in phrases]
