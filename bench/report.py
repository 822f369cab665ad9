"""The printed table, from the same JSON that goes to var/bench/latest.json."""

from __future__ import annotations

from collections.abc import Callable
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


def _layout(header: tuple[str, ...], body: list[tuple[str, ...]]) -> tuple[Callable[[tuple[str, ...]], str], str]:
    """A line formatter (first column left-aligned, the others right-aligned) and the rule under the header."""
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(widths[i + 1]) for i, cell in enumerate(cells[1:])]
        return "  ".join([first, *rest]).rstrip()

    return line, "  ".join("-" * w for w in widths)


def table(part: dict[str, Any]) -> str:
    body = rows(part)
    line, rule = _layout(COLUMNS, body)
    lines = [line(COLUMNS), rule]
    phase = "main"
    for s, r in zip(part["scenarios"], body, strict=True):
        if s["phase"] != phase:
            lines.append(rule)
            phase = s["phase"]
        lines.append(line(r))
    return "\n".join(lines)


IMPORT_COLUMNS = ("phase", "median s", "rows/s", "target")


def _import_rows(label: str, figures: dict[str, Any], rows_n: int, target: float) -> list[tuple[str, ...]]:
    """Dry run, import, and both against the target, of one kind of file."""
    check, apply = figures.get("check_seconds"), figures.get("apply_seconds")
    if not isinstance(check, int | float) or not isinstance(apply, int | float):
        return []
    total = check + apply
    verdict = "within" if total <= target else "OVER"
    return [
        (f"{label}: check_import (dry run)", f"{check:.1f}", _rate(rows_n / check if check else None), ""),
        (f"{label}: apply_import", f"{apply:.1f}", _rate(rows_n / apply if apply else None), ""),
        (f"{label}: check + apply", f"{total:.1f}", _rate(rows_n / total if total else None),
         f"≤ {target:.0f} s: {verdict}"),
    ]  # fmt: skip


def import_table(imported: dict[str, Any] | None) -> str:
    """The spreadsheet import's figures (bench.import_bench), or why there are none."""
    if not imported:
        return ""
    rows_n = int(imported.get("rows") or 0)
    runs = imported.get("runs", 0)
    title = f"import of {rows_n:,} rows ({runs} run{'s' if runs != 1 else ''}, median; jobs called in-process)"
    if imported.get("error"):
        return f"{title}: FAILED: {imported['error']}"
    target = float(imported.get("target_seconds") or 30.0)
    body = _import_rows("new", imported, rows_n, target)
    if isinstance(reimport := imported.get("reimport_changed"), dict):
        body += _import_rows("changed", reimport, rows_n, target)
    if not body:
        return f"{title}: no figures in {sorted(imported)}"
    line, rule = _layout(IMPORT_COLUMNS, body)
    return "\n".join([title, line(IMPORT_COLUMNS), rule, *(line(r) for r in body)])


LEGEND = """\
req/s: median over rounds of the loaded phase's throughput (HTTP: {concurrency} keep-alive connections,
  1 uvicorn worker); for raw SQL, pages (all statements of one page) per second, sequential, in-process
  (queries/s = that times the statements per page: 2 for the queue page, its API and the searches;
  in the JSON).
p50/p95 ms: medians over rounds of each round's percentile, loaded phase (queueing included).
p50/p95 ms c=1: the same with one connection: a request's own latency; for raw SQL, one page's.
req/s÷bare: req/s over the bare route's req/s of the same run.
p50÷SQL: p50 c=1 over the p50 of the raw SQL of the same page (queue page 1 or 50; for the search, the list +
  count of the same search) in the same run.
search rows: officer1 searching his district's enterprises by name fragment or by a phone's last four digits (form POST
  with its CSRF token, JSON API with a bearer token); at most {search_requests} requests per phase.
import: bench.import_bench, after the HTTP scenarios, with the servers stopped: the dry run and the import
  jobs called directly on the same database (seeded enterprises in it). "new": files of new enterprises
  (median of the runs); "changed": the first file again with every row edited, so every row matches an
  enterprise and is updated (one run)."""


def render(report: dict[str, Any]) -> str:
    out = []
    settings = report["settings"]
    machine = report["machine"]
    out.append(
        f"\nFuchi benchmark {report['date']} — {machine['cpu_count']} CPUs, Python {machine['python']}, "
        f"load average {machine['loadavg_start']} at start; {settings['rounds']} rounds, medians"
    )
    for part in report["databases"]:
        seed = part["seed"]
        out.append(
            f"\n{part['database']} {part['database_version']}: {seed['cases']:,} cases, "
            f"{seed['enterprises']:,} enterprises, seeded in {seed['seconds']:.1f} s; officer1's district: "
            f"{seed['officer_district_cases_by_state']}"
        )
        out.append(table(part))
        if imported := import_table(part.get("import")):
            out.append("\n" + imported)
        if part["findings"]:
            out.append("\nfindings:")
            out += [f"  - {f}" for f in part["findings"]]
    out.append(
        "\n" + LEGEND.format(concurrency=settings["concurrency"], search_requests=settings.get("search_requests", "—"))
    )
    return "\n".join(out)
