"""Ranking experts for a case, on plain data: exclusions with reasons, the parts of a score, ties."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from experts.matching import (
    WEIGHTS,
    CaseFacts,
    Exclusion,
    ExpertFacts,
    PartKind,
    Ranking,
    Weights,
    rank,
)

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

TODAY = date(2026, 12, 2)
TONGNAN = "500152"
KAIZHOU = "500154"

CASE = CaseFacts(
    case_id=1,
    categories=frozenset({"financing"}),
    industry="C",
    district=TONGNAN,
    enterprise=70,
    founders=frozenset({700}),
)
# Fits every way: leads on financing, knows the trade, serves the district, an empty desk.
GOOD = ExpertFacts(
    expert_id=10,
    name="王芳",
    lead=frozenset({"financing"}),
    industries=frozenset({"C"}),
    districts=frozenset({TONGNAN}),
    capacity=5,
    load=0,
)


def ranked(*experts: ExpertFacts, case: CaseFacts = CASE, **kw: object) -> Ranking:
    return rank(case, list(experts), TODAY, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "case_changes", "reason", "facts"),
    [
        ({"conflict_enterprises": frozenset({70})}, {}, Exclusion.CONFLICT, {"with": "enterprise"}),
        ({"conflict_founders": frozenset({700})}, {}, Exclusion.CONFLICT, {"with": "founder"}),
        ({}, {"passed_over": frozenset({10})}, Exclusion.PASSED_OVER, {}),
        ({"available": False}, {}, Exclusion.UNAVAILABLE, {}),
        ({"away_until": TODAY}, {}, Exclusion.AWAY, {"until": TODAY}),
        ({"away_until": TODAY + timedelta(days=18)}, {}, Exclusion.AWAY, {"until": TODAY + timedelta(days=18)}),
        ({"load": 5}, {}, Exclusion.FULL, {"load": 5, "capacity": 5}),
        ({"load": 6}, {}, Exclusion.FULL, {"load": 6, "capacity": 5}),
        ({"capacity": 0}, {}, Exclusion.FULL, {"load": 0, "capacity": 0}),
        ({"districts": frozenset({KAIZHOU})}, {}, Exclusion.OUT_OF_AREA, {"district": TONGNAN}),
        ({"lead": frozenset({"legal"})}, {}, Exclusion.NO_SPECIALTY, {"categories": ("financing",)}),
        # The first reason wins: a conflict says more than being away.
        (
            {"conflict_enterprises": frozenset({70}), "away_until": TODAY},
            {},
            Exclusion.CONFLICT,
            {"with": "enterprise"},
        ),
        ({"available": False, "load": 5}, {}, Exclusion.UNAVAILABLE, {}),
    ],
)
def test_it_excludes_an_expert_with_the_reason(
    changes: dict[str, object], case_changes: dict[str, object], reason: Exclusion, facts: dict[str, object]
) -> None:
    ranking = ranked(replace(GOOD, **changes), case=replace(CASE, **case_changes))  # type: ignore[arg-type]

    assert ranking.matches == ()
    assert ranking.ranked == 0
    [excluded] = ranking.excluded
    assert (excluded.expert_id, excluded.name, excluded.reason) == (10, "王芳", reason)
    assert dict(excluded.facts) == facts


@pytest.mark.parametrize(
    "changes",
    [
        {"away_until": TODAY - timedelta(days=1)},  # back yesterday
        {"load": 4},  # one place left
        {"districts": frozenset()},  # city-wide
        {"districts": frozenset({KAIZHOU, TONGNAN})},
        {"conflict_enterprises": frozenset({71}), "conflict_founders": frozenset({701})},  # someone else's
    ],
)
def test_it_ranks_an_expert_who_may_take_the_case(changes: dict[str, object]) -> None:
    ranking = ranked(replace(GOOD, **changes))  # type: ignore[arg-type]

    assert [m.expert_id for m in ranking.matches] == [10]
    assert ranking.excluded == ()


def test_it_gives_every_part_of_the_score_with_its_facts() -> None:
    expert = replace(GOOD, load=2, record={"financing": (7, 9), "marketing": (1, 1)}, accept_days=1.0)

    [match] = ranked(expert).matches

    parts = {part.kind: part for part in match.parts}
    assert [part.kind for part in match.parts] == list(PartKind)
    assert parts[PartKind.SPECIALTY].points == WEIGHTS.lead_specialty
    assert dict(parts[PartKind.SPECIALTY].facts) == {"lead": ("financing",), "supporting": ()}
    assert parts[PartKind.INDUSTRY].points == WEIGHTS.industry
    assert dict(parts[PartKind.INDUSTRY].facts) == {"industry": "C", "knows": True}
    assert parts[PartKind.DISTRICT].points == WEIGHTS.own_district
    assert dict(parts[PartKind.DISTRICT].facts) == {"district": TONGNAN, "city_wide": False}
    assert parts[PartKind.LOAD].points == pytest.approx(WEIGHTS.spare_capacity * 3 / 5)
    assert dict(parts[PartKind.LOAD].facts) == {"load": 2, "capacity": 5}
    # Only the case's categories count: 7 of 9 financing cases, smoothed to 8 of 11.
    assert parts[PartKind.RECORD].points == pytest.approx(WEIGHTS.record * 8 / 11)
    assert dict(parts[PartKind.RECORD].facts) == {"resolved": 7, "closed": 9, "categories": ("financing",)}
    assert parts[PartKind.SPEED].points == pytest.approx(WEIGHTS.speed * 2 / 3)
    assert dict(parts[PartKind.SPEED].facts) == {"days": 1.0}
    assert match.score == round(sum(part.points for part in match.parts), 2)


@pytest.mark.parametrize(
    ("expert", "specialty", "industry", "district", "speed"),
    [
        (GOOD, WEIGHTS.lead_specialty, WEIGHTS.industry, WEIGHTS.own_district, WEIGHTS.speed / 2),
        (
            replace(GOOD, lead=frozenset(), supporting=frozenset({"financing"}), districts=frozenset()),
            WEIGHTS.supporting_specialty,
            WEIGHTS.industry,
            WEIGHTS.city_wide,
            WEIGHTS.speed / 2,
        ),
        (
            # Lead wins over supporting on the same category; a negative time counts as none.
            replace(GOOD, supporting=frozenset({"financing"}), industries=frozenset({"A"}), accept_days=-1.0),
            WEIGHTS.lead_specialty,
            0.0,
            WEIGHTS.own_district,
            WEIGHTS.speed,
        ),
    ],
)
def test_it_scores_each_part_from_the_weights(
    expert: ExpertFacts, specialty: float, industry: float, district: float, speed: float
) -> None:
    [match] = ranked(expert).matches

    points = {part.kind: part.points for part in match.parts}
    assert points[PartKind.SPECIALTY] == pytest.approx(specialty)
    assert points[PartKind.INDUSTRY] == pytest.approx(industry)
    assert points[PartKind.DISTRICT] == pytest.approx(district)
    assert points[PartKind.SPEED] == pytest.approx(speed)


def test_it_shares_the_specialty_points_among_the_case_categories() -> None:
    case = replace(CASE, categories=frozenset({"financing", "marketing", "legal"}), industry="")
    expert = replace(GOOD, lead=frozenset({"financing"}), supporting=frozenset({"marketing"}))

    [match] = ranked(expert, case=case).matches

    specialty, industry = match.parts[0], match.parts[1]
    assert specialty.points == pytest.approx((WEIGHTS.lead_specialty + WEIGHTS.supporting_specialty) / 3)
    assert dict(specialty.facts) == {"lead": ("financing",), "supporting": ("marketing",)}
    assert (industry.points, dict(industry.facts)) == (0.0, {"industry": "", "knows": False})


def test_its_parts_add_up_to_the_score_for_every_match() -> None:
    experts = [
        replace(
            GOOD,
            expert_id=n,
            lead=frozenset({"financing"} if n % 2 else {"legal"}),
            # Every one knows the need, as lead (odd) or supporting (even): the others are excluded.
            supporting=frozenset({"financing"} if n % 2 == 0 or n % 3 == 0 else set()),
            districts=frozenset() if n % 4 == 0 else frozenset({TONGNAN}),
            capacity=3 + n % 5,
            load=n % 3,
            record={"financing": (n % 4, 3 + n % 6)} if n % 5 else {},
            accept_days=None if n % 7 == 0 else n / 7,
        )
        for n in range(1, 60)
    ]

    ranking = ranked(*experts)

    assert ranking.ranked == len(ranking.matches) == 59
    for match in ranking.matches:
        assert abs(match.score - sum(part.points for part in match.parts)) <= 0.005 + 1e-9
    scores = [match.score for match in ranking.matches]
    assert scores == sorted(scores, reverse=True)


def test_it_breaks_ties_by_the_lighter_desk_then_the_lower_id() -> None:
    # Same score: load 2 of 10 and load 1 of 5 leave the same share of the desk free.
    a = replace(GOOD, expert_id=30, capacity=10, load=2)
    b = replace(GOOD, expert_id=20, capacity=5, load=1)
    c = replace(GOOD, expert_id=40, capacity=5, load=1)
    d = replace(GOOD, expert_id=5, capacity=10, load=2)

    for order in ([a, b, c, d], [d, c, b, a], [c, a, d, b]):
        ranking = ranked(*order)
        assert len({m.score for m in ranking.matches}) == 1
        assert [m.expert_id for m in ranking.matches] == [20, 40, 5, 30]


def test_it_is_the_same_whatever_order_the_pool_comes_in() -> None:
    experts = [
        replace(GOOD, expert_id=1, load=1),
        replace(GOOD, expert_id=2, available=False),
        replace(GOOD, expert_id=3, lead=frozenset(), supporting=frozenset({"financing"})),
        replace(GOOD, expert_id=4, districts=frozenset({KAIZHOU})),
        replace(GOOD, expert_id=5, record={"financing": (3, 3)}),
    ]

    first = ranked(*experts)
    again = ranked(*reversed(experts))

    assert first == again
    assert [m.expert_id for m in first.matches] == [5, 1, 3]
    assert [e.expert_id for e in first.excluded] == [2, 4]


def test_it_builds_the_parts_of_the_best_only_when_asked_for_a_limit() -> None:
    experts = [replace(GOOD, expert_id=n, load=n % 5) for n in range(1, 30)]

    every = ranked(*experts)
    best = ranked(*experts, limit=3)

    assert best.ranked == every.ranked == 29
    assert best.matches == every.matches[:3]
    assert ranked(*experts, limit=0).matches == ()


def test_a_ranking_made_by_hand_counts_its_matches() -> None:
    assert Ranking(matches=(), excluded=()).ranked == 0


def test_it_weighs_with_the_weights_given() -> None:
    record_only = Weights(
        lead_specialty=0,
        supporting_specialty=0,
        industry=0,
        own_district=0,
        city_wide=0,
        spare_capacity=0,
        record=10,
        speed=0,
    )
    strong = replace(GOOD, expert_id=2, record={"financing": (9, 10)})
    weak = replace(GOOD, expert_id=1, record={"financing": (1, 10)})

    ranking = ranked(weak, strong, weights=record_only)

    assert [m.expert_id for m in ranking.matches] == [2, 1]
    assert ranking.matches[0].score == pytest.approx(10 * 10 / 12, abs=0.005)


def test_the_benchmark_pool_has_every_exclusion_and_its_figures_read() -> None:
    from bench.experts_matching import describe, generate_case, generate_experts, measure_rank

    experts = generate_experts(800)
    ranking = rank(generate_case(), experts, date(2026, 12, 2))
    figures = measure_rank(experts, runs=3)

    assert {e.reason for e in ranking.excluded} == set(Exclusion)
    assert figures["ranked"] == ranking.ranked and figures["explained"] == 20
    assert figures["median_ms"] > 0 and figures["bare_median_ms"] > 0 and figures["ratio_to_bare"]
    assert "bare loop" in describe({"rank": figures})[1]


def test_it_ranks_anyone_for_a_need_no_specialty_names_and_nobody_by_other_parts_alone() -> None:
    lawyer = replace(GOOD, expert_id=11, lead=frozenset({"legal"}), industries=frozenset({"C"}))
    financier = replace(GOOD, expert_id=12, industries=frozenset(), districts=frozenset(), load=4)

    assert [m.expert_id for m in ranked(lawyer, financier).matches] == [12]
    other = replace(CASE, categories=frozenset({"other"}))
    assert {m.expert_id for m in ranked(lawyer, financier, case=other).matches} == {11, 12}
