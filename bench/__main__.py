"""`python -m bench` (what `make bench` runs through scripts/bench).

Runs the suite once per database, each in a child process with its own DATABASE_URL (the app reads
its settings at import), then prints one table and writes the same figures as JSON to
var/bench/latest.json. Times never fail the run; a page that answers with errors does (exit 1),
since its figures would be those of an error page.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.casework_run import render as render_casework
from bench.casework_run import run_casework, run_casework_only
from bench.options import ROOT, forwarded, parser
from bench.report import render


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _loadavg() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def main() -> int:
    args = parser().parse_args()
    started = time.perf_counter()
    work_dir: Path = args.work_dir or Path(tempfile.mkdtemp(prefix="fuchi-bench-"))
    if args.casework_only:
        return run_casework_only(args, work_dir)
    targets: list[tuple[str, str]] = []
    if url := os.environ.get("DATABASE_URL"):
        targets.append(("sqlite" if url.startswith("sqlite") else "postgresql", url))
    else:
        targets.append(("sqlite", f"sqlite:///{work_dir / 'bench.sqlite'}"))
    if (pg := os.environ.get("BENCH_POSTGRES_URL")) and pg != targets[0][1]:
        targets.append(("postgresql", pg))

    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_start": _loadavg(),
        },
        "versions": {p: _version(p) for p in ("litestar", "piccolo", "uvicorn", "uvloop", "aiosqlite", "asyncpg")},
        "settings": {
            "rounds": args.rounds,
            "search_requests": args.search_requests,
            "import_rows": args.import_rows,
            "import_runs": args.import_runs,
            "concurrency": args.concurrency,
            "round_seconds": args.round_seconds,
            "single_seconds": args.single_seconds,
            "uvicorn_workers": 1,
        },
        "databases": [],
    }
    failed: list[str] = []
    for kind, url in targets:
        part_path = work_dir / f"part-{kind}.json"
        env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "bench.suite", *forwarded(args), f"--work-dir={work_dir}"]
        code = subprocess.call([*command, f"--json-out={part_path}"], cwd=ROOT, env=env)
        if code != 0 or not part_path.exists():
            failed.append(f"{kind}: the suite stopped (exit {code})")
            continue
        report["databases"].append(json.loads(part_path.read_text()))
    if args.casework_cases > 0:  # kept databases, a lock and a cluster of its own: see bench.casework_run
        report["casework"], problems = run_casework(args, work_dir)
        failed += problems

    report["machine"]["loadavg_end"] = _loadavg()
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, ensure_ascii=False, indent=2))

    print(render(report))
    for part in report["databases"]:
        if lines := (part.get("export") or {}).get("lines"):
            print(f"\n{part['database']}: /health while a 50,000-row export is requested (bench.export_bench)")
            print("\n".join(lines))
    for part in report["databases"]:
        if followed := part.get("follow_ups"):
            print(f"\n{part['database']}: follow-ups (bench.follow_ups_bench)")
            print("\n".join(followed.get("lines") or [f"  FAILED: {followed.get('error')}"]))
    for part in report["databases"]:
        if matched := part.get("experts_matching"):
            print(f"\n{part['database']}: expert matching (bench.experts_matching)")
            print("\n".join(matched.get("lines") or [f"  FAILED: {matched.get('error')}"]))
    for part in report["databases"]:
        if endpoint := part.get("expert_matches_endpoint"):
            print(f"\n{part['database']}: expert-matches endpoint (bench.expert_matches_endpoint)")
            print("\n".join(endpoint.get("lines") or [f"  FAILED: {endpoint.get('error')}"]))
    render_casework(report.get("casework", []))
    try:
        shown = args.output.relative_to(ROOT)
    except ValueError:
        shown = args.output
    print(f"\nwritten to {shown} in {report['total_seconds']:.0f} s")

    for part in report["databases"]:
        for s in part["scenarios"]:
            if s["broken"] or s["summary"]["errors"]:
                problem = s["broken"] or f"{s['summary']['errors']} error responses"
                failed.append(f"{part['database']}: {s['label']}: {problem}")
        if (imported := part.get("import")) and imported.get("error"):
            failed.append(f"{part['database']}: import: {imported['error']}")
        if (exported := part.get("export")) and exported.get("error"):
            failed.append(f"{part['database']}: export: {exported['error']}")
        if (followed := part.get("follow_ups")) and followed.get("error"):
            failed.append(f"{part['database']}: follow-ups: {followed['error']}")
        if (matched := part.get("experts_matching")) and matched.get("error"):
            failed.append(f"{part['database']}: expert matching: {matched['error']}")
        if (endpoint := part.get("expert_matches_endpoint")) and endpoint.get("error"):
            failed.append(f"{part['database']}: expert-matches endpoint: {endpoint['error']}")
    if failed:
        print("\nNOT all scenarios ran cleanly:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
