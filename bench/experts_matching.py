"""Expert matching: `experts.matching.rank` over 5,000 experts for one case, beside a bare loop.

- `rank`: one case (two need categories, an industry, a district) against 5,000 generated experts
  with varied specialties, districts, loads and records, some with a conflict, away, unavailable,
  full or passed over; every expert scored, excluded or ordered, the parts built for the best PAGE
  (`rank(..., limit=PAGE)`, what the expert-matches page asks). Median and 95th percentile of RUNS
  calls (goal: p95 ≤ 20 ms), beside a bare loop over the same 5,000 records in the same run (summing
  their capacity), and the ratio.
- `rank_every_part`: the same with the parts of every match built (`limit=None`), for comparison.
- `propose`: the proposed assignment of a backlog of BACKLOG cases over the same experts
  (`experts.batching.propose`), beside the rank() calls it makes, one a case.

Pure: no database, Redis or server, so it runs once per suite database (the figures of the two
runs show how steady they are) and alone: `python -m bench.experts_matching`. A measurement that
needs the app (the expert-matches endpoint) belongs beside `measure_rank` as a function of its own,
returning a dict that `run_experts_matching_benchmark` puts under its own key and `describe` prints.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from experts.batching import propose
from experts.matching import CaseFacts, ExpertFacts, rank

EXPERTS = 5_000
RUNS = 200
PAGE = 20  # the matches an officer sees at once: the expert-matches page asks rank() for this many
BACKLOG = 50  # triaged cases of one district proposed at once
PROPOSE_RUNS = 10
GOAL_P95_MS = 20.0
TODAY = date(2026, 12, 2)
CATEGORIES = (
    "financing",
    "marketing",
    "technology",
    "management",
    "legal",
    "land",
    "talent",
    "policy",
    "ecommerce",
    "branding",
)
INDUSTRIES = tuple("ABCDEFGHIJKLMNOPQRST")
# Chongqing's districts and counties (GB/T 2260), enough for experts to serve some and not others.
DISTRICTS = tuple(f"5001{n:02d}" for n in range(1, 39))
CASE_DISTRICT = DISTRICTS[0]
CASE_ENTERPRISE = 7
CASE_FOUNDER = 11


def generate_case() -> CaseFacts:
    return CaseFacts(
        case_id=1,
        categories=frozenset({"financing", "marketing"}),
        industry="C",
        district=CASE_DISTRICT,
        enterprise=CASE_ENTERPRISE,
        founders=frozenset({CASE_FOUNDER}),
        passed_over=frozenset({3, 33, 333}),
    )


def generate_experts(n: int = EXPERTS, seed: int = 10) -> list[ExpertFacts]:
    """A pool like Chongqing's: most city-wide or serving a few districts, a few percent excluded each way."""
    rng = random.Random(seed)
    experts = []
    for expert_id in range(1, n + 1):
        lead = frozenset(rng.sample(CATEGORIES, rng.randint(1, 3)))
        supporting = frozenset(rng.sample(CATEGORIES, rng.randint(0, 3))) - lead
        districts = frozenset() if rng.random() < 0.4 else frozenset(rng.sample(DISTRICTS, rng.randint(1, 4)))
        capacity = rng.randint(1, 8)
        load = rng.randint(0, capacity) if rng.random() < 0.05 else rng.randint(0, capacity - 1)
        record = {c: (rng.randint(0, 6), rng.randint(6, 12)) for c in lead | supporting if rng.random() < 0.7}
        roll = rng.random()
        experts.append(
            ExpertFacts(
                expert_id=expert_id,
                name=f"专家{expert_id}",
                lead=lead,
                supporting=supporting,
                industries=frozenset(rng.sample(INDUSTRIES, rng.randint(0, 3))),
                districts=districts,
                capacity=capacity,
                load=load,
                available=roll >= 0.03,
                away_until=TODAY + timedelta(days=rng.randint(0, 30)) if 0.03 <= roll < 0.08 else None,
                conflict_enterprises=frozenset({CASE_ENTERPRISE}) if 0.08 <= roll < 0.09 else frozenset(),
                conflict_founders=frozenset({CASE_FOUNDER}) if 0.09 <= roll < 0.095 else frozenset(),
                record=record,
                accept_days=None if rng.random() < 0.2 else round(rng.uniform(0.2, 5.0), 1),
            )
        )
    return experts


def _timings_ms(work: Callable[[], object], runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20, method="inclusive")[-1]


def _bare_loop(experts: list[ExpertFacts]) -> int:
    total = 0
    for expert in experts:
        total += expert.capacity
    return total


def measure_rank(experts: list[ExpertFacts], runs: int = RUNS, limit: int | None = PAGE) -> dict[str, Any]:
    """rank() for one case over `experts`, interleaved with the bare loop so a noisy neighbour hurts both.

    `limit`: the matches whose parts are built (the page the officer sees); None: every match's.
    """
    case = generate_case()
    ranking = rank(case, experts, TODAY, limit=limit)
    for _ in range(5):  # warm up
        rank(case, experts, TODAY, limit=limit)
        _bare_loop(experts)
    ranked: list[float] = []
    bare: list[float] = []
    gc.collect()
    for _ in range(runs):
        ranked += _timings_ms(lambda: rank(case, experts, TODAY, limit=limit), 1)
        bare += _timings_ms(lambda: _bare_loop(experts), 1)
    median, bare_median = statistics.median(ranked), statistics.median(bare)
    excluded: dict[str, int] = {}
    for entry in ranking.excluded:
        excluded[entry.reason.value] = excluded.get(entry.reason.value, 0) + 1
    return {
        "experts": len(experts),
        "limit": limit,
        "runs": runs,
        "ranked": ranking.ranked,
        "explained": len(ranking.matches),
        "excluded": dict(sorted(excluded.items())),
        "median_ms": round(median, 3),
        "p95_ms": round(_p95(ranked), 3),
        "max_ms": round(max(ranked), 3),
        "bare_median_ms": round(bare_median, 4),
        "bare_p95_ms": round(_p95(bare), 4),
        "ratio_to_bare": round(median / bare_median, 1) if bare_median else None,
        "goal_p95_ms": GOAL_P95_MS,
        "met": _p95(ranked) <= GOAL_P95_MS,
    }


def generate_backlog(n: int = BACKLOG, seed: int = 11) -> list[CaseFacts]:
    """A district's triaged cases: one or two need categories each, varied trades and enterprises."""
    rng = random.Random(seed)
    return [
        CaseFacts(
            case_id=case_id,
            categories=frozenset(rng.sample(CATEGORIES, rng.randint(1, 2))),
            industry=rng.choice(INDUSTRIES),
            district=CASE_DISTRICT,
            enterprise=1000 + case_id,
        )
        for case_id in range(1, n + 1)
    ]


def measure_propose(experts: list[ExpertFacts], runs: int = PROPOSE_RUNS, backlog: int = BACKLOG) -> dict[str, Any]:
    """propose() for a backlog, beside the rank() calls it makes (one a case): the assignment's own cost."""
    cases = generate_backlog(backlog)
    proposal = propose(cases, experts, TODAY)
    proposed: list[float] = []
    ranked: list[float] = []
    for _ in range(runs):
        proposed += _timings_ms(lambda: propose(cases, experts, TODAY), 1)
        ranked += _timings_ms(lambda: [rank(c, experts, TODAY, limit=backlog) for c in cases], 1)
    median, ranked_median = statistics.median(proposed), statistics.median(ranked)
    return {
        "experts": len(experts),
        "cases": backlog,
        "runs": runs,
        "assigned": proposal.assigned,
        "median_ms": round(median, 2),
        "p95_ms": round(_p95(proposed), 2),
        "rank_calls_median_ms": round(ranked_median, 2),
        "ratio_to_rank_calls": round(median / ranked_median, 2) if ranked_median else None,
    }


def run_experts_matching_benchmark(work_dir: Path | None = None, runs: int = RUNS) -> dict[str, Any]:
    """Every measurement of expert matching, each under its own key."""
    experts = generate_experts()
    return {
        "rank": measure_rank(experts, runs, limit=PAGE),
        "rank_every_part": measure_rank(experts, runs, limit=None),
        "propose": measure_propose(experts),
    }


def _describe_rank(r: dict[str, Any], label: str) -> list[str]:
    return [
        f"  {label} (goal p95 ≤ {r['goal_p95_ms']:g} ms): median {r['median_ms']:.2f} ms, "
        f"p95 {r['p95_ms']:.2f} ms{'' if r['met'] else ' (over the goal)'}, max {r['max_ms']:.2f} ms, "
        f"{r['runs']} runs; "
        f"{r['ranked']:,} ranked, {r['explained']:,} with their parts, excluded {r['excluded']}",
        f"    bare loop over the same {r['experts']:,} records (summing capacity): median "
        f"{r['bare_median_ms']:.3f} ms, p95 {r['bare_p95_ms']:.3f} ms; rank() is x{r['ratio_to_bare']} the loop",
    ]


def describe(result: dict[str, Any]) -> list[str]:
    lines = []
    if r := result.get("rank"):
        lines += _describe_rank(r, f"rank() of {r['experts']:,} experts for one case, parts of the best {r['limit']}")
    if r := result.get("rank_every_part"):
        lines += _describe_rank(r, f"rank() of {r['experts']:,} experts, parts of every match")
    if r := result.get("propose"):
        lines.append(
            f"  propose() for a backlog of {r['cases']} cases over {r['experts']:,} experts: median "
            f"{r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, {r['runs']} runs, {r['assigned']} assigned; "
            f"its {r['cases']} rank() calls alone {r['rank_calls_median_ms']:.1f} ms (x{r['ratio_to_rank_calls']})"
        )
    return lines


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.experts_matching", description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=RUNS, help=f"calls timed, median and p95 reported (default {RUNS})")
    args = p.parse_args()
    result = run_experts_matching_benchmark(runs=args.runs)
    print("\n".join(describe(result)))
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
