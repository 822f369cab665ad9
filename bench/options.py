"""Command-line options shared by `python -m bench` and the per-database `python -m bench.suite`."""

from __future__ import annotations

import argparse
from pathlib import Path

# Not core.config.ROOT: this module must not read the environment (the orchestrator sets it per database).
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "var" / "bench" / "latest.json"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark the queue page, the enterprise search, the spreadsheet import and the casework pages "
        "at 1,000,000 cases against same-run baselines; medians over rounds.",
        epilog="With scripts/bench: BENCH_POSTGRES=1 runs the suite on a throwaway PostgreSQL too.",
    )
    p.add_argument("--rounds", type=int, default=5, help="measured rounds per scenario (default 5)")
    p.add_argument("--concurrency", type=int, default=8, help="connections of the loaded phase (default 8)")
    p.add_argument("--round-seconds", type=float, default=2.0, help="target length of a loaded phase (default 2.0)")
    p.add_argument(
        "--single-seconds",
        type=float,
        default=1.0,
        help="target length of a one-connection (latency) phase (default 1.0)",
    )
    p.add_argument("--cases", type=int, default=100_000, help="cases to seed (default 100000)")
    p.add_argument("--enterprises", type=int, default=20_000, help="founders and enterprises (default 20000)")
    p.add_argument(
        "--search-requests",
        type=int,
        default=300,
        help="at most this many requests per phase of a search scenario (default 300)",
    )
    p.add_argument("--import-rows", type=int, default=10_000, help="rows of the imported spreadsheet (default 10000)")
    p.add_argument(
        "--import-runs",
        type=int,
        default=1,
        help="imports timed, each a fresh file (median; 0: skip; default 1, as each takes tens of seconds)",
    )
    p.add_argument(
        "--casework-cases",
        type=int,
        default=1_000_000,
        help="cases of the casework benchmark's world, 5 events each (default 1000000; 0: skip it)",
    )
    p.add_argument("--casework-enterprises", type=int, default=200_000, help="its enterprises (default 200000)")
    p.add_argument(
        "--casework-requests", type=int, default=300, help="requests per casework scenario, all rounds (default 300)"
    )
    p.add_argument("--casework-rounds", type=int, default=3, help="interleaved casework rounds (default 3)")
    p.add_argument(
        "--casework-only",
        action="store_true",
        help="run only the casework benchmark; its figures replace those in --output, the others are kept",
    )
    p.add_argument(
        "--casework-cache",
        type=Path,
        default=ROOT / "var" / "bench" / "casework",
        help="where the seeded SQLite databases are kept between runs (default var/bench/casework)",
    )
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON report (default var/bench/latest.json)")
    p.add_argument("--work-dir", type=Path, default=None, help="scratch folder (scripts/bench gives one)")
    return p


def forwarded(args: argparse.Namespace) -> list[str]:
    """The options again as arguments, for the per-database child process."""
    return [
        f"--rounds={args.rounds}",
        f"--concurrency={args.concurrency}",
        f"--round-seconds={args.round_seconds}",
        f"--single-seconds={args.single_seconds}",
        f"--cases={args.cases}",
        f"--enterprises={args.enterprises}",
        f"--search-requests={args.search_requests}",
        f"--import-rows={args.import_rows}",
        f"--import-runs={args.import_runs}",
    ]
