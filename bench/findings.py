"""What one database's figures say, in sentences for the report; every one names the figures it rests on.

From the EXPLAIN plans, the statements each request runs, the scenarios' summary, the seed and the import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.plans import index_use
from bench.seed import SeedReport


def findings(
    db_kind: str,
    summary: dict[str, dict[str, Any]],
    profile: dict[str, dict[str, Any]],
    plans: dict[str, list[str]],
    warnings: list[str],
    seed_report: SeedReport,
    imported: dict[str, Any] | None,
) -> list[str]:
    """What the figures say, in sentences; every one names the figures it rests on."""
    out: list[str] = []

    def get(key: str, field_name: str) -> float | None:
        value = summary.get(key, {}).get(field_name)
        return float(value) if isinstance(value, int | float) else None

    for w in warnings:
        out.append(f"EXPLAIN: {w}")
    out += index_use(plans)
    writing = {p["path"]: p for p in profile.values() if p["writes"]}
    if writing:
        p = next(iter(writing.values()))
        writes = [
            f"{s} {ms:.2f} ms"
            for s, ms in zip(p["statements"], p["statement_ms"], strict=True)
            if not s.startswith("SELECT")
        ]
        out.append(
            f"Every GET of a signed-in page writes ({', '.join(writing)}): {'; '.join(writes)}. "
            f"The session is renewed and re-saved on each request (renew_on_access=True in "
            f"core.sessions)"
            + (", so every page view takes SQLite's single write lock twice." if db_kind == "sqlite" else ".")
        )
    queue = profile.get("queue")
    if queue and queue["request_ms"]:
        slowest = max(zip(queue["statement_ms"], queue["statements"], strict=True), default=None)
        out.append(
            f"In-process, GET /cases/queue takes {queue['request_ms']:.1f} ms of which "
            f"{queue['sql_ms']:.1f} ms in {len(queue['statements'])} statements"
            + (f" (slowest: {slowest[1]} {slowest[0]:.2f} ms)" if slowest else "")
            + "; the rest is middleware, guard, template and the in-process client."
        )
    page1, sql1 = get("queue", "single_p50_ms"), get("sql_queue", "single_p50_ms")
    if page1 and sql1:
        out.append(
            f"Queue page p1: {page1:.1f} ms at one connection vs {sql1:.1f} ms for its two SQL "
            f"statements alone ({page1 / sql1:.1f}x); the rest is the app (sessions, user lookup, "
            f"template) and the driver."
        )
    piccolo, kept = get("sql_queue_newconn", "single_p50_ms"), get("sql_queue", "single_p50_ms")
    if db_kind == "sqlite" and piccolo and kept and piccolo > 1.1 * kept:
        out.append(
            f"Same SQL with a new connection per statement (as Piccolo's SQLite engine does): "
            f"{piccolo:.2f} ms vs {kept:.2f} ms on one kept connection ({piccolo / kept:.1f}x)."
        )
    p50_page, p1_page = get("queue_p50", "single_p50_ms"), get("queue", "single_p50_ms")
    if p50_page and p1_page and p50_page > 1.3 * p1_page:
        out.append(
            f"Page 50 costs {p50_page / p1_page:.1f}x page 1 ({p50_page:.1f} vs {p1_page:.1f} ms): "
            f"OFFSET reads and joins every skipped row; keyset pagination (WHERE id < last_seen_id) "
            f"would make it cost what page 1 costs."
        )
    submitted = seed_report.officer_district_cases_by_state.get("submitted", 0)
    district_total = sum(seed_report.officer_district_cases_by_state.values())
    out.append(
        f"officer1's district holds {district_total:,} cases, {submitted:,} submitted: count and "
        f"count_by_state visit that many index entries on every page view (no table rows where the plan "
        f"reads a COVERING INDEX or does an Index Only Scan)."
    )
    out += search_findings(get, seed_report)
    out += import_findings(imported)
    return out


def search_findings(get: Callable[[str, str], float | None], seed_report: SeedReport) -> list[str]:
    out = [
        f"Search by LIKE '%…%' can use no index for the match itself: the count reads all "
        f"{seed_report.officer_district_enterprises:,} enterprises of officer1's district with their founders on "
        f"every search; the list, newest first, stops at the 20th match ({seed_report.search_word_matches:,} "
        f"match {seed_report.search_word}: an early stop; {seed_report.search_phone_matches} matches the phone "
        f"digits: a full read)."
    ]
    for key, sql_key, what in (
        ("search", "sql_search", f"name search ({seed_report.search_word})"),
        ("search_phone", "sql_search_phone", "phone search (last four digits)"),
    ):
        page, sql, rps = get(key, "single_p50_ms"), get(sql_key, "single_p50_ms"), get(key, "rps")
        if page and sql and rps:
            out.append(
                f"Enterprise {what}: page {page:.1f} ms at one connection, {rps:,.0f} req/s loaded; its list + "
                f"count SQL alone {sql:.1f} ms ({page / sql:.1f}x)."
            )
    return out


def import_findings(imported: dict[str, Any] | None) -> list[str]:
    if not imported:
        return []
    if imported.get("error"):
        return [f"Import benchmark failed: {imported['error']}"]
    out = []
    target = float(imported.get("target_seconds") or 30.0)
    runs = imported.get("runs", 0)
    for what, figures in (
        (f"new rows (median of {runs} run{'s' if runs != 1 else ''})", imported),
        ("the same file with every row changed (all matched and updated)", imported.get("reimport_changed")),
    ):
        if not isinstance(figures, dict) or "check_seconds" not in figures or "apply_seconds" not in figures:
            continue
        check, apply = float(figures["check_seconds"]), float(figures["apply_seconds"])
        verdict = "within" if check + apply <= target else "OVER"
        out.append(
            f"Import of {imported['rows']:,} rows, {what}: dry run {check:.1f} s + import {apply:.1f} s = "
            f"{check + apply:.1f} s, {verdict} the {target:.0f} s target."
        )
    return out
