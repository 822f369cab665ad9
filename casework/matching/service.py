"""Ranked experts for a case: the facts loaded, `experts.matching.rank` asked, the reasons in words.

`ranked_for_case` is the officer's view (page and API), after the one reach check; `next_expert`
is the system's, for an offer that lapsed in a district that moves on to the next ranked expert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from accounts.policy import Action, Actor, may
from casework.matching.explained import ExplainedExclusion, ExplainedMatch, explain, rank_case
from casework.reading import reach_case
from core.config import bureau_today, settings
from core.errors import NotAllowed
from experts.matching import Match


@dataclass(frozen=True)
class CaseRanking:
    """The ranked, explained experts for one case, with what the assign form needs."""

    case_id: int
    state: str
    version: int
    district: str
    ranked: int  # how many experts may take it; `matches` holds the first `limit` of them
    matches: tuple[ExplainedMatch, ...]
    excluded: tuple[ExplainedExclusion, ...]


async def next_expert(case_id: int, today: date) -> Match | None:
    """The best ranked expert for the case, or None when nobody may take it."""
    _facts, ranking, _profiles = await rank_case(case_id, today, limit=1)
    return ranking.matches[0] if ranking.matches else None


async def ranked_for_case(
    actor: Actor, case_id: int, locale: str | None = None, limit: int | None = None
) -> CaseRanking:
    """The experts ranked for a case the actor reaches, explained in `locale`; `NotFound` out of reach."""
    if not may(actor, Action.MATCH_EXPERTS):
        raise NotAllowed()
    row = await reach_case(actor, case_id)
    _facts, ranking, profiles = await rank_case(case_id, bureau_today(), limit)
    matches, excluded = explain(ranking, profiles, locale or settings.default_locale, limit)
    return CaseRanking(
        case_id=case_id,
        state=row["state"],
        version=row["version"],
        district=row["district"],
        ranked=ranking.ranked,
        matches=matches,
        excluded=excluded,
    )


__all__ = ["CaseRanking", "next_expert", "ranked_for_case"]
