"""Ranking experts for a case, from plain data, with the reasons for every score.

Pure: no web, database or queue. `casework.matching` loads the facts (the case's needs, industry,
district and founders; each expert's profile, active load, conflicts and record) and calls `rank`.
Every score is the sum of its `Part`s, so the officer sees why an expert is suggested; experts who
may not take the case are `Excluded`, each with the reason. Weights live in `WEIGHTS`, with why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

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


class PartKind(StrEnum):
    """The parts a score is made of, in the order they are explained."""

    SPECIALTY = "specialty"
    INDUSTRY = "industry"
    DISTRICT = "district"
    LOAD = "load"
    RECORD = "record"
    SPEED = "speed"


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


def _exclusion(case: CaseFacts, expert: ExpertFacts, today: date) -> tuple[Exclusion, dict[str, object]] | None:
    if case.enterprise in expert.conflict_enterprises or case.founders & expert.conflict_founders:
        return Exclusion.CONFLICT, {}
    if expert.expert_id in case.passed_over:
        return Exclusion.PASSED_OVER, {}
    if not expert.available:
        return Exclusion.UNAVAILABLE, {}
    if expert.away_until is not None and expert.away_until >= today:
        return Exclusion.AWAY, {"until": expert.away_until}
    if expert.load >= expert.capacity:
        return Exclusion.FULL, {"load": expert.load, "capacity": expert.capacity}
    if expert.districts and case.district not in expert.districts:
        return Exclusion.OUT_OF_AREA, {"district": case.district}
    return None


def _parts(case: CaseFacts, expert: ExpertFacts, weights: Weights) -> tuple[Part, ...]:
    wanted = len(case.categories) or 1
    lead = sorted(case.categories & expert.lead)
    supporting = sorted((case.categories & expert.supporting) - expert.lead)
    specialty = (weights.lead_specialty * len(lead) + weights.supporting_specialty * len(supporting)) / wanted
    parts = [Part(PartKind.SPECIALTY, specialty, {"lead": tuple(lead), "supporting": tuple(supporting)})]
    knows = bool(case.industry) and case.industry in expert.industries
    industry = weights.industry if knows else 0.0
    parts.append(Part(PartKind.INDUSTRY, industry, {"industry": case.industry, "knows": knows}))
    if expert.districts:
        parts.append(Part(PartKind.DISTRICT, weights.own_district, {"district": case.district, "city_wide": False}))
    else:
        parts.append(Part(PartKind.DISTRICT, weights.city_wide, {"district": case.district, "city_wide": True}))
    spare = (expert.capacity - expert.load) / expert.capacity if expert.capacity else 0.0
    parts.append(
        Part(PartKind.LOAD, weights.spare_capacity * spare, {"load": expert.load, "capacity": expert.capacity})
    )
    resolved = closed = 0
    for category in sorted(case.categories):
        done, of = expert.record.get(category, (0, 0))
        resolved, closed = resolved + done, closed + of
    # Laplace smoothing: no record scores the middle, and one case moves it little.
    share = (resolved + 1) / (closed + 2)
    facts = {"resolved": resolved, "closed": closed, "categories": tuple(sorted(case.categories))}
    parts.append(Part(PartKind.RECORD, weights.record * share, facts))
    if expert.accept_days is None:
        speed = weights.speed / 2
    else:
        speed = weights.speed * weights.speed_halving_days / (weights.speed_halving_days + max(expert.accept_days, 0.0))
    parts.append(Part(PartKind.SPEED, speed, {"days": expert.accept_days}))
    return tuple(parts)


def rank(case: CaseFacts, experts: Iterable[ExpertFacts], today: date, weights: Weights = WEIGHTS) -> Ranking:
    """Rank the experts who may take the case, best first, and say why each other one may not."""
    scored: list[tuple[float, int, int, Match]] = []
    excluded: list[ExcludedExpert] = []
    for expert in experts:
        reason = _exclusion(case, expert, today)
        if reason is not None:
            excluded.append(ExcludedExpert(expert.expert_id, expert.name, reason[0], reason[1]))
            continue
        parts = _parts(case, expert, weights)
        score = round(sum(part.points for part in parts), 2)
        scored.append((-score, expert.load, expert.expert_id, Match(expert.expert_id, expert.name, score, parts)))
    scored.sort(key=lambda entry: entry[:3])
    excluded.sort(key=lambda entry: entry.expert_id)
    return Ranking(matches=tuple(entry[3] for entry in scored), excluded=tuple(excluded))
