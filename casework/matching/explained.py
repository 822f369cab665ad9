"""A case's ranking explained in words, without the reach check: the case page and the service share it.

Kept apart from `service` (which reaches the case through `casework.reading`) so that the case
page's reader can build its "suggested experts" section without importing itself back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from casework.matching.facts import case_facts, expert_facts, profiles_of
from core.config import bureau_today
from core.db import read_snapshot
from core.districts import district_name
from core.i18n import gettext
from enterprises.classification import NeedCategory, industry_name
from experts.explaining import explain_exclusion, explain_match, render
from experts.matching import CaseFacts, PartKind, Ranking, rank


@dataclass(frozen=True)
class ExplainedPart:
    kind: PartKind
    points: float


@dataclass(frozen=True)
class ExplainedMatch:
    """A ranked expert as the officer sees him: who, how well he fits, and why in words."""

    expert_id: int
    name: str
    organisation: str
    title: str
    score: float
    parts: tuple[ExplainedPart, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ExplainedExclusion:
    expert_id: int
    name: str
    organisation: str
    reason: str  # experts.matching.Exclusion
    text: str


def category_label(locale: str) -> Callable[[str], str]:
    def label(code: str) -> str:
        try:
            return gettext(locale, NeedCategory(code).label)
        except ValueError:
            return code

    return label


def explain(
    ranking: Ranking, profiles: dict[int, dict[str, Any]], locale: str, limit: int | None = None
) -> tuple[tuple[ExplainedMatch, ...], tuple[ExplainedExclusion, ...]]:
    """The first `limit` matches and every exclusion, their reasons rendered in `locale`."""

    def translate(msgid: str) -> str:
        return gettext(locale, msgid)

    category = category_label(locale)

    def district(code: str) -> str:
        return district_name(code, locale)

    def industry(code: str) -> str:
        return industry_name(code, locale)

    matches = ranking.matches if limit is None else ranking.matches[:limit]
    explained = tuple(
        ExplainedMatch(
            expert_id=match.expert_id,
            name=match.name,
            organisation=profiles.get(match.expert_id, {}).get("organisation", ""),
            title=profiles.get(match.expert_id, {}).get("title", ""),
            score=match.score,
            parts=tuple(ExplainedPart(part.kind, round(part.points, 1)) for part in match.parts),
            reasons=tuple(
                render(
                    explain_match(match, category_label=category, district_label=district, industry_label=industry),
                    translate,
                )
            ),
        )
        for match in matches
    )
    excluded = tuple(
        ExplainedExclusion(
            expert_id=entry.expert_id,
            name=entry.name,
            organisation=profiles.get(entry.expert_id, {}).get("organisation", ""),
            reason=entry.reason.value,
            text=render([explain_exclusion(entry, district_label=district, category_label=category)], translate)[0],
        )
        for entry in ranking.excluded
    )
    return explained, excluded


async def rank_case(
    case_id: int, today: date, limit: int | None = None
) -> tuple[CaseFacts, Ranking, dict[int, dict[str, Any]]]:
    """The case's facts, its best `limit` experts among those serving its district, and their profiles."""
    # One snapshot: the facts agree with each other, and SQLite opens one connection, not one per query.
    async with read_snapshot():
        facts = await case_facts(case_id)
        ranking = rank(facts, await expert_facts(facts.district), today, limit=limit)
        shown = [match.expert_id for match in ranking.matches] + [entry.expert_id for entry in ranking.excluded]
        return facts, ranking, await profiles_of(shown)


SUGGESTED = 5  # the case page shows the best few; the API and batch assignment show more


@dataclass(frozen=True)
class Suggestions:
    """The case page's "suggested experts": the ranking, explained in the page's locale when shown."""

    ranking: Ranking
    profiles: dict[int, dict[str, Any]]

    def explained(self, locale: str) -> tuple[tuple[ExplainedMatch, ...], tuple[ExplainedExclusion, ...]]:
        return explain(self.ranking, self.profiles, locale, SUGGESTED)

    @property
    def ranked(self) -> int:
        return self.ranking.ranked


async def suggestions(case_id: int) -> Suggestions:
    """The ranked experts for a case the reader has reached already (the case page's own check)."""
    _facts, ranking, profiles = await rank_case(case_id, bureau_today(), SUGGESTED)
    return Suggestions(ranking=ranking, profiles=profiles)
