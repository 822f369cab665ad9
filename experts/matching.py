"""Ranking experts for a case, from plain data, with the reasons for every score.

Pure: no web, database or queue. `casework.matching` loads the facts (the case's needs, industry,
district and founders; each expert's profile, active load, conflicts and record) and calls `rank`.
Every score is the sum of its `Part`s, so the officer sees why an expert is suggested
(`experts.explaining` puts them in words); experts who may not take the case are `ExcludedExpert`s,
each with the reason. Ties break deterministically. Weights live in `WEIGHTS`, with why.

Ranking 5,000 experts must take 20 ms or less (bench/experts_matching.py measures it): the score
loop avoids calls and allocations it can, and a page asks for `limit` matches with their parts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from operator import attrgetter, itemgetter
from types import MappingProxyType

__all__ = [
    "WEIGHTS",
    "CaseFacts",
    "ConflictKind",
    "ExcludedExpert",
    "Exclusion",
    "ExpertFacts",
    "Level",
    "Match",
    "Part",
    "PartKind",
    "Ranking",
    "Weights",
    "rank",
]


class Level(StrEnum):
    """How well an expert knows a need category."""

    LEAD = "lead"  # he can lead a case on it
    SUPPORTING = "supporting"  # he can help the lead expert


class ConflictKind(StrEnum):
    """Why an expert must not advise an enterprise or a founder."""

    KIN = "kin"
    EQUITY = "equity"
    CONSULTING = "consulting"  # paid consulting for it


class Exclusion(StrEnum):
    """Why an expert is not ranked for a case."""

    CONFLICT = "conflict"
    UNAVAILABLE = "unavailable"
    AWAY = "away"
    FULL = "full"
    OUT_OF_AREA = "out_of_area"  # serves other districts only
    PASSED_OVER = "passed_over"  # declined, let lapse or handed back this case already
    # Knows none of the case's needs: other parts (district, spare desk) must not lift him above
    # an expert who does. A need of the kind "other" asks for no specialty.
    NO_SPECIALTY = "no_specialty"


class PartKind(StrEnum):
    """The parts a score is made of, in the order they are explained."""

    SPECIALTY = "specialty"
    INDUSTRY = "industry"
    DISTRICT = "district"
    LOAD = "load"
    RECORD = "record"
    SPEED = "speed"


OTHER = "other"  # enterprises.classification.NeedCategory.OTHER: a need no specialty names


@dataclass(frozen=True)
class Weights:
    """The points each part can give; the reasons are why the parts weigh what they do."""

    # The need is the case: an expert who can lead on it matters most, one who can support less.
    lead_specialty: float = 40.0
    supporting_specialty: float = 15.0
    # Knowing the trade (GB/T 4754 section) makes a diagnosis quicker and better.
    industry: float = 15.0
    # An expert who serves the district can visit; city-wide experts travel further.
    own_district: float = 10.0
    city_wide: float = 5.0
    # Spare capacity: an idle expert starts sooner than one with nearly a full desk.
    spare_capacity: float = 10.0
    # Past results in the same category, smoothed so that one case decides little.
    record: float = 15.0
    # Experts who answer offers quickly keep cases from waiting; unknown speed scores the middle.
    speed: float = 5.0
    speed_halving_days: float = 2.0  # accepting after this many days gives half the points


WEIGHTS = Weights()


@dataclass(frozen=True)
class CaseFacts:
    """What matching needs to know of a case."""

    case_id: int
    categories: frozenset[str]  # need categories (enterprises.classification.NeedCategory values)
    industry: str  # GB/T 4754 section letter, "" if unknown
    district: str  # GB/T 2260 code
    enterprise: int
    founders: frozenset[int] = frozenset()
    passed_over: frozenset[int] = frozenset()  # expert ids who declined, let lapse or handed it back


@dataclass(frozen=True)
class ExpertFacts:
    """What matching needs to know of an expert."""

    expert_id: int
    name: str
    lead: frozenset[str] = frozenset()  # need categories he leads on
    supporting: frozenset[str] = frozenset()  # need categories he supports
    industries: frozenset[str] = frozenset()
    districts: frozenset[str] = frozenset()  # empty: city-wide
    capacity: int = 5
    load: int = 0  # active cases he holds now
    available: bool = True
    away_until: date | None = None
    conflict_enterprises: frozenset[int] = frozenset()
    conflict_founders: frozenset[int] = frozenset()
    # category -> (closed as resolved, closed) of the cases he led
    record: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    accept_days: float | None = None  # median working days from offer to acceptance


@dataclass(frozen=True)
class Part:
    """One reason of a score: its kind, the points it gave and the facts it rests on (for the words)."""

    kind: PartKind
    points: float
    facts: Mapping[str, object]


@dataclass(frozen=True)
class Match:
    expert_id: int
    name: str
    score: float
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class ExcludedExpert:
    expert_id: int
    name: str
    reason: Exclusion
    facts: Mapping[str, object]


@dataclass(frozen=True)
class Ranking:
    matches: tuple[Match, ...]  # best first; ties broken by lower load, then lower expert id
    excluded: tuple[ExcludedExpert, ...]  # in expert id order
    ranked: int = -1  # how many experts may take the case (`matches` may hold only the best of them)

    def __post_init__(self) -> None:
        if self.ranked < 0:
            object.__setattr__(self, "ranked", len(self.matches))


_NO_FACTS: Mapping[str, object] = MappingProxyType({})
_WITH_ENTERPRISE: Mapping[str, object] = MappingProxyType({"with": "enterprise"})
_WITH_FOUNDER: Mapping[str, object] = MappingProxyType({"with": "founder"})


def _exclusion(
    case: CaseFacts, expert: ExpertFacts, today: date, elsewhere: Mapping[str, object]
) -> tuple[Exclusion, Mapping[str, object]] | None:
    """Why the expert may not take the case, first reason first; None if he may.

    `elsewhere` is the facts of an out-of-area exclusion, the same for every expert of one ranking.
    """
    if case.enterprise in expert.conflict_enterprises:
        return Exclusion.CONFLICT, _WITH_ENTERPRISE
    if expert.conflict_founders and not case.founders.isdisjoint(expert.conflict_founders):
        return Exclusion.CONFLICT, _WITH_FOUNDER
    if expert.expert_id in case.passed_over:
        return Exclusion.PASSED_OVER, _NO_FACTS
    if not expert.available:
        return Exclusion.UNAVAILABLE, _NO_FACTS
    if expert.away_until is not None and expert.away_until >= today:
        return Exclusion.AWAY, {"until": expert.away_until}
    if expert.load >= expert.capacity:
        return Exclusion.FULL, {"load": expert.load, "capacity": expert.capacity}
    if expert.districts and case.district not in expert.districts:
        return Exclusion.OUT_OF_AREA, elsewhere
    return None


def _parts(
    case: CaseFacts, categories: tuple[str, ...], expert: ExpertFacts, points: tuple[float, ...]
) -> tuple[Part, ...]:
    """A match's parts with the facts they rest on (for the words), given the points `rank` computed."""
    lead: list[str] = []
    supporting: list[str] = []
    resolved = closed = 0
    history = expert.record
    for category in categories:  # one pass: this runs for every match returned
        if category in expert.lead:
            lead.append(category)
        elif category in expert.supporting:
            supporting.append(category)
        if category in history:
            done, of = history[category]
            resolved += done
            closed += of
    knows = bool(case.industry) and case.industry in expert.industries
    specialty, industry, district, load, record, speed = points
    return (
        Part(PartKind.SPECIALTY, specialty, {"lead": tuple(lead), "supporting": tuple(supporting)}),
        Part(PartKind.INDUSTRY, industry, {"industry": case.industry, "knows": knows}),
        Part(PartKind.DISTRICT, district, {"district": case.district, "city_wide": not expert.districts}),
        Part(PartKind.LOAD, load, {"load": expert.load, "capacity": expert.capacity}),
        Part(PartKind.RECORD, record, {"resolved": resolved, "closed": closed, "categories": categories}),
        Part(PartKind.SPEED, speed, {"days": expert.accept_days}),
    )


def rank(
    case: CaseFacts,
    experts: Iterable[ExpertFacts],
    today: date,
    weights: Weights = WEIGHTS,
    *,
    limit: int | None = None,
) -> Ranking:
    """Rank the experts who may take the case, best first, and say why each other one may not.

    `limit` keeps only the best `limit` matches (`Ranking.ranked` still counts them all): their
    `Part`s, the costly bit, are then built for those alone. The points are computed here only, in
    one loop inlined for speed (the pool has thousands of experts); `_parts` reuses them, so the
    parts add up to the score (rounded to the hundredth).
    """
    categories = tuple(sorted(case.categories))
    wanted = len(categories) or 1
    industry_wanted = case.industry
    w_lead, w_supporting, w_industry = weights.lead_specialty, weights.supporting_specialty, weights.industry
    w_own, w_city, w_spare, w_record = weights.own_district, weights.city_wide, weights.spare_capacity, weights.record
    w_speed, halving = weights.speed, weights.speed_halving_days
    unknown_speed = w_speed / 2
    elsewhere = MappingProxyType({"district": case.district})
    specialised = any(category != OTHER for category in categories)
    needs = MappingProxyType({"categories": categories})
    scored: list[tuple[float, int, int, ExpertFacts, tuple[float, float, float, float, float, float]]] = []
    excluded: list[ExcludedExpert] = []
    for expert in experts:
        reason = _exclusion(case, expert, today, elsewhere)
        if reason is not None:
            excluded.append(ExcludedExpert(expert.expert_id, expert.name, reason[0], reason[1]))
            continue
        lead = supporting = resolved = closed = 0
        record = expert.record
        for category in categories:
            if category in expert.lead:
                lead += 1
            elif category in expert.supporting:
                supporting += 1
            if record and category in record:
                done, of = record[category]
                resolved += done
                closed += of
        if not lead and not supporting and specialised:
            excluded.append(ExcludedExpert(expert.expert_id, expert.name, Exclusion.NO_SPECIALTY, needs))
            continue
        capacity, load, days = expert.capacity, expert.load, expert.accept_days
        points = (
            (w_lead * lead + w_supporting * supporting) / wanted,
            w_industry if industry_wanted and industry_wanted in expert.industries else 0.0,
            w_own if expert.districts else w_city,
            w_spare * (capacity - load) / capacity if capacity > 0 else 0.0,
            # Laplace smoothing: no record scores the middle, and one case moves it little.
            w_record * (resolved + 1) / (closed + 2),
            unknown_speed if days is None else w_speed * halving / (halving + (days if days > 0 else 0.0)),
        )
        score = round(points[0] + points[1] + points[2] + points[3] + points[4] + points[5], 2)
        scored.append((-score, load, expert.expert_id, expert, points))
    # Ties: the higher score, then the lighter desk, then the lower id (the older profile).
    scored.sort(key=itemgetter(0, 1, 2))
    best = scored if limit is None else scored[: max(limit, 0)]
    matches = tuple(
        Match(expert.expert_id, expert.name, -negative, _parts(case, categories, expert, points))
        for negative, _load, _id, expert, points in best
    )
    excluded.sort(key=attrgetter("expert_id"))
    return Ranking(matches=matches, excluded=tuple(excluded), ranked=len(scored))
