"""A scenario (a page under HTTP load, or the raw SQL it runs) and how it is measured.

Every scenario is checked with one request, warmed up with its batches sized to the time asked for,
then measured in interleaved rounds (round 1 of each, round 2 of each, ...) so that a noisy
neighbour hurts all scenarios alike. The summary is the medians over rounds and the ratios to the
baselines of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench import rawsql
from bench.console import say
from bench.measure import Sample, Target, calibrate, http_batch, median

MAIN = "main"
SEARCH = "search"


@dataclass
class Scenario:
    key: str
    label: str
    kind: str  # "http" or "sql"
    phase: str = MAIN
    note: str = ""
    sql_baseline: str | None = None  # the raw-SQL scenario whose latency this one is divided by
    target: Target | None = None
    statements: list[rawsql.Statement] = field(default_factory=list)
    piccolo_style: bool = False
    max_requests: int | None = None  # caps both phases' calibrated batch sizes
    expect: str | None = None  # the first answer's body must contain this (results, not an empty page)
    requests: int = 0  # per loaded phase
    single_requests: int = 0  # per one-connection phase
    broken: str | None = None
    rounds: list[dict[str, Sample]] = field(default_factory=list)

    def phase_samples(self, name: str) -> list[Sample]:
        return [r[name] for r in self.rounds if name in r]


class Bench:
    def __init__(self, args: argparse.Namespace, runner: asyncio.Runner, db: rawsql.Database) -> None:
        self.args = args
        self.runner = runner
        self.db = db

    def http(
        self, target: Target, concurrency: int, requests: int | None = None, seconds: float | None = None
    ) -> Sample:
        return self.runner.run(http_batch(target, concurrency, requests, seconds))

    def sql(self, scenario: Scenario, requests: int | None = None, seconds: float | None = None) -> Sample:
        if scenario.piccolo_style and isinstance(self.db, rawsql.SqliteDatabase):
            return self.db.piccolo_style_round(scenario.statements, requests, seconds)
        return self.db.page_round(scenario.statements, requests, seconds)

    def check(self, scenario: Scenario) -> None:
        """One request first: a benchmark of error pages would measure nothing worth knowing."""
        if scenario.target is None:
            return
        t = scenario.target
        try:
            answer = httpx.request(
                t.method, f"http://{t.host}:{t.port}{t.path}", headers=dict(t.headers), content=t.body, timeout=60
            )
        except httpx.HTTPError as error:
            scenario.broken = f"{type(error).__name__}: {error}"
            return
        if not 200 <= answer.status_code < 300:
            snippet = " ".join(answer.text.split())[:300]
            scenario.broken = f"HTTP {answer.status_code} on {t.label}: {snippet}"
        elif scenario.expect is not None and scenario.expect not in answer.text:
            scenario.broken = f"{t.label} answered without {scenario.expect!r}: no results to measure"

    def warm(self, scenario: Scenario) -> None:
        """Warm up, and size the batches so that a round takes about the time asked for."""
        a = self.args
        cap = scenario.max_requests
        if scenario.target is not None:
            load = self.http(scenario.target, a.concurrency, seconds=min(1.0, a.round_seconds))
            single = self.http(scenario.target, 1, seconds=min(0.5, a.single_seconds))
            scenario.requests = calibrate(load.throughput, a.round_seconds, a.concurrency * 5, cap or 100_000)
            scenario.single_requests = calibrate(single.throughput, a.single_seconds, 10, cap or 20_000)
        else:
            warm = self.sql(scenario, seconds=min(0.5, a.single_seconds))
            scenario.single_requests = calibrate(warm.throughput, a.single_seconds, 10, cap or 100_000)

    def round(self, scenario: Scenario) -> None:
        if scenario.target is not None:
            load = self.http(scenario.target, self.args.concurrency, requests=scenario.requests)
            single = self.http(scenario.target, 1, requests=scenario.single_requests)
            scenario.rounds.append({"load": load, "single": single})
        else:
            scenario.rounds.append({"single": self.sql(scenario, requests=scenario.single_requests)})

    def measure(self, scenarios: list[Scenario], rounds: int) -> None:
        for scenario in scenarios:
            self.check(scenario)
            if scenario.broken:
                say(f"  ! {scenario.label}: not measured: {scenario.broken}")
                continue
            self.warm(scenario)
        live = [s for s in scenarios if not s.broken]
        for number in range(1, rounds + 1):
            parts = []
            for scenario in live:
                self.round(scenario)
                last = scenario.rounds[-1].get("load") or scenario.rounds[-1]["single"]
                errors = sum(s.errors for s in scenario.rounds[-1].values())
                parts.append(f"{scenario.key} {last.throughput:,.0f}/s" + (f" ({errors} errors)" if errors else ""))
            say(f"  round {number}/{rounds}: " + ", ".join(parts))


def summarise(scenarios: list[Scenario]) -> dict[str, dict[str, Any]]:
    """Medians over rounds, and the ratios to the baselines of the same run."""
    out: dict[str, dict[str, Any]] = {}
    for s in scenarios:
        loads, singles = s.phase_samples("load"), s.phase_samples("single")
        out[s.key] = {
            "rps": median([x.throughput for x in (loads or singles)]) if s.rounds else None,
            "p50_ms": median([x.p50 for x in loads]) if loads else None,
            "p95_ms": median([x.p95 for x in loads]) if loads else None,
            "single_p50_ms": median([x.p50 for x in singles]) if singles else None,
            "single_p95_ms": median([x.p95 for x in singles]) if singles else None,
            "errors": sum(x.errors for r in s.rounds for x in r.values()),
        }
        if s.kind == "sql" and out[s.key]["rps"]:
            out[s.key]["queries_per_second"] = out[s.key]["rps"] * len(s.statements)
    bare = out.get("bare", {}).get("rps")
    for s in scenarios:
        row = out[s.key]
        row["ratio_to_bare_rps"] = row["rps"] / bare if s.kind == "http" and row["rps"] and bare else None
        base = out.get(s.sql_baseline or "", {}).get("single_p50_ms")
        mine = row["single_p50_ms"]
        row["ratio_to_sql_p50"] = mine / base if mine and base else None
    return out


def scenario_json(s: Scenario, summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": s.key,
        "label": s.label,
        "kind": s.kind,
        "phase": s.phase,
        "note": s.note,
        "path": s.target.label if s.target else None,
        "sql_baseline": s.sql_baseline,
        "statements": [st.name for st in s.statements] or None,
        "requests_per_loaded_phase": s.requests or None,
        "requests_per_single_phase": s.single_requests or None,
        "broken": s.broken,
        "summary": {k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()},
        "rounds": [{name: sample.as_json() for name, sample in r.items()} for r in s.rounds],
    }
