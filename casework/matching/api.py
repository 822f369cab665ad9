"""JSON API of matching: `GET /api/v1/cases/{case_id}/expert-matches`, the ranked and explained experts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from accounts.guards import current_user
from accounts.policy import Action
from casework.matching.explained import ExplainedMatch
from casework.matching.service import ranked_for_case
from core.api import API_V1, BEARER, RowId, error_responses
from core.web import request_locale
from experts.matching import Exclusion, PartKind

DEFAULT_LIMIT = 20
MAX_LIMIT = 200


@dataclass
class MatchPart:
    """One reason of a score: its kind and the points it gave."""

    kind: PartKind
    points: float


@dataclass
class ExpertMatch:
    """A ranked expert: `score` is the sum of `parts`; `reasons` say them in words, in the caller's language."""

    rank: int
    expert_id: int
    name: str
    organisation: str
    title: str
    score: float
    parts: list[MatchPart]
    reasons: list[str]


@dataclass
class ExcludedExpert:
    expert_id: int
    name: str
    organisation: str
    reason: Exclusion
    explanation: str


@dataclass
class ExpertMatches:
    """The best `limit` of the `ranked` experts who may take the case, and every one who may not, with why."""

    case_id: int
    case_version: int  # give it as `expected_version` when assigning one of them
    ranked: int
    limit: int
    matches: list[ExpertMatch]
    excluded_count: int
    excluded: list[ExcludedExpert]


def _match(position: int, match: ExplainedMatch) -> ExpertMatch:
    return ExpertMatch(
        rank=position,
        expert_id=match.expert_id,
        name=match.name,
        organisation=match.organisation,
        title=match.title,
        score=match.score,
        parts=[MatchPart(kind=part.kind, points=part.points) for part in match.parts],
        reasons=list(match.reasons),
    )


class ExpertMatchApi(Controller):
    path = f"{API_V1}/cases/{{case_id:int}}/expert-matches"
    tags = ["cases", "experts"]
    security = BEARER

    @get(
        "/",
        opt={"action": Action.MATCH_EXPERTS},
        summary="Experts ranked for the case, best first, each score with its parts and reasons",
        description=(
            "The experts serving the case's district or the whole city. `limit` (default 20) caps the ranked "
            "list; `excluded` lists every expert who may not take the case (conflict, away, full …) with the "
            "reason. Reasons are in the caller's language (the locale cookie; Chinese by default)."
        ),
        responses=error_responses(400, 401, 403, 404),
    )
    async def list_matches(
        self,
        request: Request[Any, Any, Any],
        case_id: RowId,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    ) -> ExpertMatches:
        ranking = await ranked_for_case(current_user(request).actor, case_id, request_locale(request), limit)
        return ExpertMatches(
            case_id=ranking.case_id,
            case_version=ranking.version,
            ranked=ranking.ranked,
            limit=limit,
            matches=[_match(position, match) for position, match in enumerate(ranking.matches, start=1)],
            excluded_count=len(ranking.excluded),
            excluded=[
                ExcludedExpert(
                    expert_id=entry.expert_id,
                    name=entry.name,
                    organisation=entry.organisation,
                    reason=Exclusion(entry.reason),
                    explanation=entry.text,
                )
                for entry in ranking.excluded
            ],
        )
