"""The expert-matches endpoint with 5,000 experts seeded, beside a bare SELECT of the same 5,000 rows.

Seeds (in bulk, bench.seed_writers) 5,000 expert accounts and profiles over the suite's seeded world,
with accepted lead assignments on its cases (active loads, closed cases for the records, answer
times for the speeds) and a few declared conflicts, picks a triaged case of officer1's district,
then times `GET /api/v1/cases/{id}/expert-matches` in-process (the app's lifespan open, httpx over
ASGI: no server, no network) interleaved with a bare `SELECT` of the same 5,000 experts' columns,
REQUESTS times each. Goal: p95 ≤ 100 ms. Wired by bench.suite beside bench.experts_matching.
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bench.seed_world import KAIZHOU, OFFICER, PASSWORD, YONGCHUAN, Table, person_name
from bench.seed_writers import write_postgres, write_sqlite
from core.config import settings

EXPERTS = 5_000
ASSIGNMENTS = 10_000  # accepted leads on the seeded cases: about two per expert
REQUESTS = 60
GOAL_P95_MS = 100.0
CATEGORIES = (
    "financing",
    "technology",
    "market",
    "management",
    "hiring",
    "policy",
    "legal",
    "premises",
    "ecommerce",
    "other",
)
INDUSTRIES = tuple("ABCDEFGHIJKLMNOPQRST")
# Chongqing's districts as experts name them: the two seeded ones and others they may serve instead.
SERVED = (KAIZHOU, YONGCHUAN, "500101", "500103", "500105", "500106", "500107", "500108", "500112", "500113")
BARE_SELECT = (
    'SELECT "id", "name", "organisation", "title", "specialties", "supporting_specialties", "industries", '
    '"districts", "capacity", "available", "away_until" FROM "experts_expert" WHERE "user" IS NOT NULL'
)


def _p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20, method="inclusive")[-1]


async def _seed_rows(rng: random.Random) -> tuple[list[Table], int]:
    """The tables to write, and the triaged case of officer1's district to rank experts for."""
    from casework.tables import Case
    from experts.tables import Expert

    users = await Case.raw('SELECT COALESCE(MAX("id"), 0) AS "id" FROM "accounts_user"')
    first_user = int(users[0]["id"]) + 1
    experts = await Expert.raw('SELECT COALESCE(MAX("id"), 0) AS "id" FROM "experts_expert"')
    first_expert = int(experts[0]["id"]) + 1
    assignments = await Case.raw('SELECT COALESCE(MAX("id"), 0) AS "id" FROM "casework_assignment"')
    next_assignment = int(assignments[0]["id"]) + 1
    now = datetime.now(UTC)
    user_table = Table(
        "accounts_user",
        ("id", "username", "display_name", "password_hash", "role", "district", "town", "is_active", "created_at"),
    )
    expert_table = Table(
        "experts_expert",
        (
            "id",
            "user",
            "name",
            "organisation",
            "title",
            "specialties",
            "supporting_specialties",
            "industries",
            "districts",
            "capacity",
            "available",
            "away_until",
            "bio",
            "created_at",
            "updated_at",
        ),
    )
    for n in range(EXPERTS):
        user_id, expert_id = first_user + n, first_expert + n
        name = person_name(rng)
        # Nobody signs in as them here: a hash that matches no password.
        user_table.rows.append((user_id, f"bench_expert_{n:05d}", name, "!", "expert", "", "", True, now))
        lead = rng.sample(CATEGORIES, rng.randint(1, 3))
        supporting = [c for c in rng.sample(CATEGORIES, rng.randint(0, 3)) if c not in lead]
        districts = [] if rng.random() < 0.4 else rng.sample(SERVED, rng.randint(1, 3))
        roll = rng.random()
        values = [lead, supporting, rng.sample(INDUSTRIES, rng.randint(0, 3)), districts]
        encoded = [json.dumps(v) for v in values]
        expert_table.rows.append(
            (
                expert_id,
                user_id,
                name,
                "重庆市创业指导专家库",
                "高级经济师",
                *encoded,
                rng.randint(1, 8),
                roll >= 0.03,
                (now + timedelta(days=rng.randint(1, 30))).date() if 0.03 <= roll < 0.08 else None,
                "",
                now,
                now,
            )
        )
    assignment_table = Table(
        "casework_assignment",
        ("id", "case", "expert", "expert_user", "role", "status", "reason", "offered_by", "offered_at", "answered_at"),
    )
    # The seeded world's cases stop at triage: move some on (half under way, half closed) so that the
    # experts have active loads, records and answer times for the loader to read.
    taken = await Case.raw(
        'SELECT "id" FROM "casework_case" WHERE "state" IN (\'triaged\', \'declined\') AND "district" <> {} '
        'ORDER BY "id" LIMIT {}',
        KAIZHOU,
        ASSIGNMENTS,
    )
    case_ids = [int(row["id"]) for row in taken]
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start : start + 500]
        under_way = [case_id for case_id in chunk if case_id % 2]
        closed = [case_id for case_id in chunk if not case_id % 2]
        for ids, state, outcome in ((under_way, "in_progress", ""), (closed, "closed", "resolved")):
            if ids:
                marks = ", ".join("{}" for _ in ids)
                sql = f'UPDATE "casework_case" SET "state" = {{}}, "outcome" = {{}} WHERE "id" IN ({marks})'
                await Case.raw(sql, state, outcome if rng.random() < 0.6 else "not_resolved", *ids)
    for case_id in case_ids:
        n = rng.randrange(EXPERTS)
        offered = now - timedelta(days=rng.randint(5, 400))
        answered = offered + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 6)))
        assignment_table.rows.append(
            (next_assignment, case_id, first_expert + n, first_user + n, "lead", "accepted", "", 1, offered, answered)
        )
        next_assignment += 1
    conflicts = Table("experts_conflict", ("id", "expert", "enterprise", "founder", "kind", "note", "created_at"))
    triaged = await Case.raw(
        'SELECT "id", "enterprise" FROM "casework_case" WHERE "state" = \'triaged\' AND "district" = {} '
        'ORDER BY "id" LIMIT 1',
        KAIZHOU,
    )
    if not triaged:
        raise RuntimeError("the seeded world has no triaged case in officer1's district")
    conflicted = await Expert.raw('SELECT COALESCE(MAX("id"), 0) AS "id" FROM "experts_conflict"')
    first_conflict = int(conflicted[0]["id"]) + 1
    for n in range(25):  # a few experts declared a conflict with the very enterprise of the case
        conflicts.rows.append(
            (first_conflict + n, first_expert + n * 97, triaged[0]["enterprise"], None, "equity", "", now)
        )
    return [user_table, expert_table, assignment_table, conflicts], int(triaged[0]["id"])


def _write(tables: list[Table]) -> None:
    if settings.is_sqlite:
        write_sqlite(Path(urlparse(settings.database_url).path), tables)
    else:
        asyncio.run(write_postgres(settings.database_url, tables))


async def _measure(case_id: int, requests: int) -> dict[str, Any]:
    import httpx

    from app import create_app
    from experts.tables import Expert

    app = create_app(freeze_startup_heap=True)  # as the served app (app.app) starts
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            token = await http.post("/api/v1/auth/token", json={"username": OFFICER, "password": PASSWORD})
            token.raise_for_status()
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            path = f"/api/v1/cases/{case_id}/expert-matches"
            first = await http.get(path, headers=headers)
            first.raise_for_status()
            body = first.json()
            for _ in range(3):  # warm up
                await http.get(path, headers=headers)
                await Expert.raw(BARE_SELECT)
            endpoint: list[float] = []
            bare: list[float] = []
            errors = 0
            rows = 0
            for _ in range(requests):
                started = time.perf_counter()
                response = await http.get(path, headers=headers)
                endpoint.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != 200
                started = time.perf_counter()
                rows = len(await Expert.raw(BARE_SELECT))
                bare.append((time.perf_counter() - started) * 1000)
    median, bare_median = statistics.median(endpoint), statistics.median(bare)
    return {
        "experts": EXPERTS,
        "case_id": case_id,
        "requests": requests,
        "errors": errors,
        "ranked": body["ranked"],
        "shown": len(body["matches"]),
        "excluded": body["excluded_count"],
        "median_ms": round(median, 2),
        "p95_ms": round(_p95(endpoint), 2),
        "max_ms": round(max(endpoint), 2),
        "bare_rows": rows,
        "bare_median_ms": round(bare_median, 2),
        "bare_p95_ms": round(_p95(bare), 2),
        "ratio_to_bare": round(median / bare_median, 1) if bare_median else None,
        "goal_p95_ms": GOAL_P95_MS,
        "met": _p95(endpoint) <= GOAL_P95_MS,
    }


def run_expert_matches_endpoint(work_dir: Path | None = None, requests: int = REQUESTS) -> dict[str, Any]:
    """Seed the experts, then time the endpoint beside the bare SELECT (figures in a dict)."""
    rng = random.Random(23)
    started = time.perf_counter()
    tables, case_id = asyncio.run(_seed_rows(rng))
    _write(tables)
    seeded = time.perf_counter() - started
    result = asyncio.run(_measure(case_id, requests))
    result["seed_seconds"] = round(seeded, 2)
    result["assignments"] = len(tables[2].rows)
    return result


def describe(r: dict[str, Any]) -> list[str]:
    return [
        f"  GET /api/v1/cases/{{id}}/expert-matches, {r['experts']:,} experts seeded"
        f" (goal p95 ≤ {r['goal_p95_ms']:g} ms):"
        f" median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms{'' if r['met'] else ' (over the goal)'},"
        f" max {r['max_ms']:.1f} ms, {r['requests']} requests in-process, {r['errors']} errors;"
        f" {r['ranked']:,} ranked, {r['shown']} shown, {r['excluded']:,} excluded",
        f"    bare SELECT of the same {r['bare_rows']:,} experts: median {r['bare_median_ms']:.1f} ms,"
        f" p95 {r['bare_p95_ms']:.1f} ms; the endpoint is x{r['ratio_to_bare']} the SELECT"
        f" (seeded in {r['seed_seconds']} s with {r['assignments']:,} accepted assignments)",
    ]
