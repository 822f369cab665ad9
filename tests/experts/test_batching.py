"""A backlog assigned at once: never over an expert's room, never an excluded pair, and the best there is."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from experts.batching import LineProblem, Proposal, Unassigned, check_proposal, propose
from experts.matching import CaseFacts, Exclusion, ExpertFacts, rank

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

TODAY = date(2026, 12, 2)
TONGNAN, KAIZHOU = "500152", "500154"
CATEGORIES = ("financing", "marketing", "legal")

# No example database: it would write .hypothesis/ into the checkout.
PROPERTY = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def case(case_id: int, **kw: object) -> CaseFacts:
    facts = CaseFacts(case_id, frozenset({"financing"}), "C", TONGNAN, enterprise=100 + case_id)
    return replace(facts, **kw)  # type: ignore[arg-type]


def expert(expert_id: int, **kw: object) -> ExpertFacts:
    facts = ExpertFacts(expert_id, f"专家{expert_id}", lead=frozenset({"financing"}), capacity=2)
    return replace(facts, **kw)  # type: ignore[arg-type]


def chosen(proposal: Proposal) -> dict[int, int | None]:
    return {line.case_id: line.expert_id for line in proposal.lines}


@st.composite
def backlogs(draw: st.DrawFn) -> tuple[list[CaseFacts], list[ExpertFacts]]:
    """A few cases and experts, with every way of being excluded and every kind of fit."""
    subsets = st.frozensets(st.sampled_from(CATEGORIES), max_size=2)
    n_cases = draw(st.integers(1, 4))
    enterprises = list(range(100, 100 + n_cases))
    experts = []
    for expert_id in range(1, draw(st.integers(1, 4)) + 1):
        capacity = draw(st.integers(0, 3))
        experts.append(
            ExpertFacts(
                expert_id=expert_id,
                name=f"专家{expert_id}",
                lead=draw(subsets),
                supporting=draw(subsets),
                industries=draw(st.frozensets(st.sampled_from("CF"), max_size=1)),
                districts=draw(st.sampled_from([frozenset(), frozenset({TONGNAN}), frozenset({KAIZHOU})])),
                capacity=capacity,
                load=draw(st.integers(0, capacity)),
                available=draw(st.booleans()) or draw(st.booleans()),
                away_until=draw(st.sampled_from([None, None, TODAY, TODAY - timedelta(days=1)])),
                conflict_enterprises=draw(st.frozensets(st.sampled_from(enterprises), max_size=1)),
                record={c: (draw(st.integers(0, 3)), 3) for c in draw(subsets)},
                accept_days=draw(st.sampled_from([None, 0.5, 1.0, 3.0])),
            )
        )
    ids = [e.expert_id for e in experts]
    cases = [
        CaseFacts(
            case_id=case_id,
            categories=draw(subsets),
            industry=draw(st.sampled_from(["", "C", "F"])),
            district=draw(st.sampled_from([TONGNAN, KAIZHOU])),
            enterprise=enterprises[case_id - 1],
            passed_over=draw(st.frozensets(st.sampled_from(ids), max_size=1)),
        )
        for case_id in range(1, n_cases + 1)
    ]
    return cases, experts


def best_by_brute_force(cases: list[CaseFacts], experts: list[ExpertFacts]) -> tuple[int, float]:
    """The most cases assigned, then the greatest total score, over every assignment there is."""
    scores = [{m.expert_id: m.score for m in rank(c, experts, TODAY).matches} for c in cases]
    room = {e.expert_id: e.capacity - e.load for e in experts}
    best = (0, 0.0)
    for pick in itertools.product(*[[None, *found] for found in scores]):
        taken = Counter(expert_id for expert_id in pick if expert_id is not None)
        if any(n > room[expert_id] for expert_id, n in taken.items()):
            continue
        total = round(sum(found[e] for found, e in zip(scores, pick, strict=True) if e is not None), 2)
        best = max(best, (sum(taken.values()), total))
    return best


@PROPERTY
@given(backlogs())
def test_a_proposal_never_exceeds_room_nor_assigns_an_excluded_pair(
    backlog: tuple[list[CaseFacts], list[ExpertFacts]],
) -> None:
    cases, experts = backlog

    proposal = propose(cases, experts, TODAY)

    assert [line.case_id for line in proposal.lines] == [c.case_id for c in cases]
    taken = Counter(line.expert_id for line in proposal.lines if line.expert_id is not None)
    for e in experts:
        assert taken[e.expert_id] <= max(e.capacity - e.load, 0)
    for c, line in zip(cases, proposal.lines, strict=True):
        ranking = rank(c, experts, TODAY)
        if line.expert_id is None:
            assert line.match is None and line.score == 0 and line.why is not None
            assert (line.why is Unassigned.NO_MATCH) == (not ranking.matches)
            continue
        assert line.expert_id not in {x.expert_id for x in ranking.excluded}
        [match] = [m for m in ranking.matches if m.expert_id == line.expert_id]
        assert line.match == match and line.score == match.score and line.why is None
    assert check_proposal(chosen(proposal), cases, experts, TODAY) == {}


@PROPERTY
@given(backlogs())
def test_a_proposal_is_the_best_assignment_there_is(backlog: tuple[list[CaseFacts], list[ExpertFacts]]) -> None:
    cases, experts = backlog

    proposal = propose(cases, experts, TODAY)

    assert (proposal.assigned, proposal.total) == best_by_brute_force(cases, experts)


def test_it_covers_more_cases_before_a_better_fit() -> None:
    # Case 1 fits 王 best but can also go to 李; case 2 only to 王: both are assigned.
    wang = expert(1, capacity=1, industries=frozenset({"C"}))
    li = expert(2, capacity=1, lead=frozenset(), supporting=frozenset({"financing"}))
    cases = [case(1), case(2, passed_over=frozenset({2}))]

    proposal = propose(cases, [wang, li], TODAY)

    assert chosen(proposal) == {1: 2, 2: 1}


def test_it_says_why_a_case_has_no_expert_and_serves_the_first_cases_first() -> None:
    pool = [expert(1, capacity=1, districts=frozenset({TONGNAN})), expert(2, available=False)]
    cases = [case(1), case(2), case(3, district=KAIZHOU)]

    # Cases 1 and 2 fit 专家1 alike: the one given first gets him.
    for order, served, waits in ((cases, 1, 2), (cases[::-1], 2, 1)):
        lines = {line.case_id: (line.expert_id, line.why) for line in propose(order, pool, TODAY).lines}
        assert lines == {served: (1, None), waits: (None, Unassigned.TAKEN), 3: (None, Unassigned.NO_MATCH)}
    assert propose([], pool, TODAY) == Proposal(lines=())


def test_it_checks_an_edited_proposal_line_by_line() -> None:
    pool = [
        expert(1, capacity=2, load=1),
        expert(2, conflict_enterprises=frozenset({102})),
        expert(3, capacity=1, load=1, districts=frozenset({KAIZHOU})),
        expert(4, away_until=TODAY),
    ]
    cases = [case(1), case(2), case(3), case(4), case(5)]

    errors = check_proposal({1: 1, 2: 2, 3: 1, 4: 3, 5: None, 6: 4, 7: 99}, cases, pool, TODAY)

    assert set(errors) == {1, 2, 3, 4, 6, 7}
    # 王 has room for one more and got two: both lines say so.
    for case_id in (1, 3):
        [error] = errors[case_id]
        assert error.problem is LineProblem.OVER_CAPACITY
        assert dict(error.facts) == {"name": "专家1", "proposed": 2, "remaining": 1}
    [conflict] = errors[2]
    assert conflict.problem is LineProblem.EXCLUDED and conflict.excluded is not None
    assert conflict.excluded.reason is Exclusion.CONFLICT
    # Full and out of area: being full hides neither.
    assert [(e.problem, e.excluded.reason if e.excluded else None) for e in errors[4]] == [
        (LineProblem.EXCLUDED, Exclusion.OUT_OF_AREA),
        (LineProblem.OVER_CAPACITY, None),
    ]
    assert [e.problem for e in errors[6]] == [LineProblem.UNKNOWN_CASE]
    assert [e.problem for e in errors[7]] == [LineProblem.UNKNOWN_CASE, LineProblem.UNKNOWN_EXPERT]


def test_it_accepts_an_edited_proposal_within_the_rules() -> None:
    pool = [expert(1, capacity=2), expert(2, capacity=1)]
    cases = [case(1), case(2), case(3)]

    assert check_proposal({1: 2, 2: 1, 3: 1}, cases, pool, TODAY) == {}
    assert check_proposal({1: None, 2: None}, cases, pool, TODAY) == {}
