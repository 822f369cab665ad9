"""The printed table, from the same JSON that goes to var/bench/latest.json."""

from __future__ import annotations

from typing import Any

COLUMNS = (
    "scenario",
    "req/s",
    "p50 ms",
    "p95 ms",
    "p50 ms c=1",
    "p95 ms c=1",
    "req/s÷bare",
    "p50÷SQL",
    "errors",
)


def _ms(value: Any) -> str:
    if not isinstance(value, int | float):
        return "—"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def _rate(value: Any) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) and value >= 100 else _ms(value)


def _ratio(value: Any) -> str:
    if not isinstance(value, int | float):
        return "—"
    return f"{value:.4f}x" if value < 0.1 else f"{value:.2f}x"


def rows(part: dict[str, Any]) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for s in part["scenarios"]:
        m = s["summary"]
        if s["broken"]:
            out.append((s["label"], "NOT MEASURED", "", "", "", "", "", "", s["broken"][:60]))
            continue
        out.append(
            (
                s["label"],
                _rate(m["rps"]),
                _ms(m["p50_ms"]),
                _ms(m["p95_ms"]),
                _ms(m["single_p50_ms"]),
                _ms(m["single_p95_ms"]),
                _ratio(m["ratio_to_bare_rps"]),
                _ratio(m["ratio_to_sql_p50"]),
                str(m["errors"]),
            )
        )
    return out


def table(part: dict[str, Any]) -> str:
    body = rows(part)
    widths = [max(len(r[i]) for r in [COLUMNS, *body]) for i in range(len(COLUMNS))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(widths[i + 1]) for i, cell in enumerate(cells[1:])]
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * w for w in widths)
    lines = [line(COLUMNS), rule]
    phase = "main"
    for s, r in zip(part["scenarios"], body, strict=True):
        if s["phase"] != phase:
            lines.append(rule)
            phase = s["phase"]
        lines.append(line(r))
    return "\n".join(lines)


LEGEND = """\
req/s: median over rounds of the loaded phase's throughput (HTTP: {concurrency} keep-alive connections,
  1 uvicorn worker); for raw SQL, pages (all statements of one page) per second, sequential, in-process
  (queries/s = that times the statements per page: 3, or 2 for the API; in the JSON).
p50/p95 ms: medians over rounds of each round's percentile, loaded phase (queueing included).
p50/p95 ms c=1: the same with one connection: a request's own latency; for raw SQL, one page's.
req/s÷bare: req/s over the bare route's req/s of the same run.
p50÷SQL: p50 c=1 over the p50 of the raw SQL of the same page (page 1 or 50) in the same run.
+index rows: the same, after adding the proposed index to the throwaway database (what-if)."""


def render(report: dict[str, Any]) -> str:
    out = []
    settings = report["settings"]
    machine = report["machine"]
    out.append(
        f"\nFuchi benchmark {report['date']} — {machine['cpu_count']} CPUs, Python {machine['python']}, "
        f"load average {machine['loadavg_start']} at start; {settings['rounds']} rounds "
        f"(+{settings['whatif_rounds']} what-if), medians"
    )
    for part in report["databases"]:
        seed = part["seed"]
        out.append(
            f"\n{part['database']} {part['database_version']}: {seed['cases']:,} cases, "
            f"{seed['enterprises']:,} enterprises, seeded in {seed['seconds']:.1f} s; officer1's district: "
            f"{seed['officer_district_cases_by_state']}"
        )
        out.append(table(part))
        if part["findings"]:
            out.append("\nfindings:")
            out += [f"  - {f}" for f in part["findings"]]
    out.append("\n" + LEGEND.format(concurrency=settings["concurrency"]))
    return "\n".join(out)
