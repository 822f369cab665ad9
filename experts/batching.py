"""A proposed assignment of a backlog of cases to experts at once, and the check of an edited one: pure.

`propose` asks `rank` for every case, so only pairs `rank` returns as matches can be proposed: a
conflict, an away, unavailable, full or out-of-area expert, or one passed over for the case, never
is. It then solves an assignment problem (scipy's `linear_sum_assignment`) over cases × capacity
slots: each expert offers min(capacity - load, number of cases) slots, every slot worth the pair's
score. It assigns as many cases as it can and, among those choices, the greatest total fit (an
officer with a backlog wants every case under way, then each in the best hands); on a tie, the
cases given first are served first. A case it cannot assign is a line without an expert, with why.

Nothing is assigned here: the officer reviews the proposal, may change any line, and
`check_proposal` checks his version against the same rules before the confirm step assigns it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from types import MappingProxyType

import numpy as np
from scipy.optimize import linear_sum_assignment

from experts.matching import WEIGHTS, CaseFacts, ExcludedExpert, ExpertFacts, Match, Weights, rank

__all__ = [
    "LineError",
    "LineProblem",
    "Proposal",
    "ProposalLine",
    "Unassigned",
    "check_proposal",
    "propose",
]


class Unassigned(StrEnum):
    """Why a case of the backlog has no expert in the proposal."""

    NO_MATCH = "no_match"  # every expert is excluded for it
    TAKEN = "taken"  # those who may take it have no room left after the other cases


@dataclass(frozen=True)
class ProposalLine:
    case_id: int
    expert_id: int | None
    score: float  # the match's score; 0 without an expert
    match: Match | None  # with its parts, for the words
    why: Unassigned | None = None  # set when expert_id is None


@dataclass(frozen=True)
class Proposal:
    lines: tuple[ProposalLine, ...]  # in the order the cases were given

    @property
    def total(self) -> float:
        return round(sum(line.score for line in self.lines), 2)

    @property
    def assigned(self) -> int:
        return sum(1 for line in self.lines if line.expert_id is not None)


def _remaining(expert: ExpertFacts) -> int:
    return max(expert.capacity - expert.load, 0)


def propose(
    cases: Sequence[CaseFacts], experts: Sequence[ExpertFacts], today: date, weights: Weights = WEIGHTS
) -> Proposal:
    """The assignment of `cases` that covers the most of them, then with the greatest total score."""
    n = len(cases)
    if n == 0:
        return Proposal(lines=())
    # A case never needs an expert ranked below its n-th match: of its best n, the other n - 1
    # cases can fill at most n - 1 slots, and every ranked expert has one free. So `limit=n` loses
    # nothing and spares building the parts of matches that cannot be chosen.
    matches = [{m.expert_id: m for m in rank(case, experts, today, weights, limit=n).matches} for case in cases]
    by_id = {expert.expert_id: expert for expert in experts}
    columns: list[int] = []  # expert id of each capacity slot
    slots: dict[int, slice] = {}  # expert id -> his slots' columns
    for expert_id in sorted({expert_id for found in matches for expert_id in found}):
        count = min(_remaining(by_id[expert_id]), n)
        slots[expert_id] = slice(len(columns), len(columns) + count)
        columns += [expert_id] * count
    # Covering one more case outweighs any difference in total fit: more than every score summed.
    cover = 1.0 + sum(max((m.score for m in found.values()), default=0.0) for found in matches)
    forbidden = 2.0 * cover * (n + 1)  # worse than leaving every case unassigned
    # Among equally good assignments, the cases given first (the backlog's oldest) are served first:
    # a nudge too small to outweigh a hundredth of a score summed over every case.
    nudge = 0.001 / (n * n + 1)
    cost = np.full((n, len(columns) + n), forbidden)
    for row, found in enumerate(matches):
        for expert_id, match in found.items():
            cost[row, slots[expert_id]] = -(cover + match.score + nudge * (n - row))
        cost[row, len(columns) + row] = 0.0  # the case's own "no expert" column
    rows, chosen = linear_sum_assignment(cost)
    lines = []
    for row, column in zip(rows.tolist(), chosen.tolist(), strict=True):
        case = cases[row]
        if column < len(columns) and cost[row, column] < 0:
            match = matches[row][columns[column]]
            lines.append(ProposalLine(case.case_id, match.expert_id, match.score, match))
        else:
            why = Unassigned.TAKEN if matches[row] else Unassigned.NO_MATCH
            lines.append(ProposalLine(case.case_id, None, 0.0, None, why))
    return Proposal(lines=tuple(lines))


class LineProblem(StrEnum):
    """What is wrong with a line of an edited proposal."""

    UNKNOWN_CASE = "unknown_case"  # not a case of the backlog
    UNKNOWN_EXPERT = "unknown_expert"  # not in the pool
    EXCLUDED = "excluded"  # rank excludes him for the case: the facts say why (an ExcludedExpert)
    OVER_CAPACITY = "over_capacity"  # the proposal gives him more cases than he has room for


@dataclass(frozen=True)
class LineError:
    problem: LineProblem
    facts: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    excluded: ExcludedExpert | None = None  # the exclusion, for LineProblem.EXCLUDED


def check_proposal(
    choices: Mapping[int, int | None],
    cases: Sequence[CaseFacts],
    experts: Sequence[ExpertFacts],
    today: date,
) -> dict[int, tuple[LineError, ...]]:
    """The errors of each line of an edited proposal (case id -> expert id or None); {} if it may be confirmed.

    The same rules as `propose`: a pair `rank` excludes may not be chosen, and no expert may get more
    cases than capacity - load. Every line on an expert over capacity is marked, since the officer
    decides which to move.
    """
    pairs = list(choices.items())
    case_by_id = {case.case_id: case for case in cases}
    by_id = {expert.expert_id: expert for expert in experts}
    errors: dict[int, list[LineError]] = {}
    counted: Counter[int] = Counter(expert_id for _case, expert_id in pairs if expert_id in by_id)
    for case_id, expert_id in pairs:
        problems = errors.setdefault(case_id, [])
        case = case_by_id.get(case_id)
        if case is None:
            problems.append(LineError(LineProblem.UNKNOWN_CASE))
        if expert_id is None:
            continue
        expert = by_id.get(expert_id)
        if expert is None:
            problems.append(LineError(LineProblem.UNKNOWN_EXPERT, MappingProxyType({"expert": expert_id})))
            continue
        if case is not None:
            # Room is judged on the whole proposal below; every other reason is rank's own, asked of
            # the expert as if his desk were empty so that being full hides none of them.
            empty_desk = replace(expert, load=0, capacity=max(expert.capacity, 1))
            ranking = rank(case, [empty_desk], today, limit=0)
            if ranking.excluded:
                problems.append(LineError(LineProblem.EXCLUDED, excluded=ranking.excluded[0]))
        if counted[expert_id] > _remaining(expert):
            facts = {"name": expert.name, "proposed": counted[expert_id], "remaining": _remaining(expert)}
            problems.append(LineError(LineProblem.OVER_CAPACITY, MappingProxyType(facts)))
    return {case_id: tuple(found) for case_id, found in errors.items() if found}
