"""`/health` while a 50,000-row export is asked for, beside `/health` alone in the same run.

When the export was built inside the request handler, `/health` waited 6.8 s behind a 50,000-row
XLSX. Now a long export is a background job, and a short one (at most the inline limit) is built
in a thread. Against the real app under uvicorn and a real `rq worker`, one after the other:

- `alone`: `/health` asked again and again, nothing else running;
- `background`: the same while a city officer exports every enterprise (topped up to 50,000 rows):
  from the request until the worker has built the file, the page's progress poll included;
- `inline`: the same while an export of at most the inline limit is built in the request.

Each phase gives the median and maximum of `/health`, and their ratio to `alone`. Works on the
database of DATABASE_URL, migrated and seeded by the suite; alone it migrates and seeds itself:
`DATABASE_URL=... REDIS_URL=... python -m bench.export_bench` (with `--inline-50k`, one more
phase: the server told to build 50,000 rows inline, in its thread, to show what the job saves).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
from piccolo.apps.migrations.commands.forwards import forwards

from accounts.passwords import hash_password
from bench import seed
from bench.measure import median, percentile
from bench.seed_world import KAIZHOU, PASSWORD, SeedSizes
from bench.servers import Server, csrf_for, sign_in
from core.config import settings
from core.db import enable_wal
from core.jobs import QUEUE_NAMES
from core.sessions import SESSION_COOKIE
from enterprises.tables import Enterprise

ROWS = 50_000
EXPORTER = "city1"  # the city officer reaches every enterprise
ALONE_SECONDS = 3.0
BUILD_TIMEOUT_SECONDS = 600
CSRF_COOKIE = "fuchi_csrf"  # app.CSRF_COOKIE; importing app here would build the app for nothing


def top_up(rows: int) -> int:
    """At least `rows` enterprises: copies of those there are (founder and broker alike), in a few statements."""
    columns = ", ".join(f'"{c._meta.db_column_name}"' for c in Enterprise._meta.columns if c._meta.name != "id")
    while (count := int(Enterprise.count().run_sync())) < rows:
        Enterprise.raw(
            f"INSERT INTO enterprises_enterprise ({columns}) "
            f"SELECT {columns} FROM enterprises_enterprise ORDER BY id LIMIT {min(count, rows - count)}"
        ).run_sync()
    return count


def _inline_filter(limit: int) -> tuple[dict[str, str], int]:
    """A town of officer1's district whose enterprises fit in an inline export (the largest that does)."""
    towns = Enterprise.raw(
        "SELECT town, COUNT(*) AS n FROM enterprises_enterprise WHERE district = {} GROUP BY town", KAIZHOU
    ).run_sync()
    fitting = sorted(((int(r["n"]), r["town"]) for r in towns if int(r["n"]) <= limit), reverse=True)
    if not fitting:
        return {}, 0
    count, town = fitting[0]
    return {"district": KAIZHOU, "town": town}, count


class HealthProbe:
    """`/health` asked in a loop on one kept connection, from its own thread, until stopped."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.latencies_ms: list[float] = []
        self.statuses: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=60) as http:
            while not self._stop.is_set():
                started = time.perf_counter()
                status = http.get("/health").status_code
                self.latencies_ms.append((time.perf_counter() - started) * 1000)
                self.statuses[status] = self.statuses.get(status, 0) + 1
                time.sleep(0.01)  # a monitor's pace, not a load test

    def __enter__(self) -> HealthProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self, alone: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {
            "requests": len(self.latencies_ms),
            "median_ms": round(median(self.latencies_ms), 2),
            "p95_ms": round(percentile(self.latencies_ms, 95), 2),
            "max_ms": round(max(self.latencies_ms, default=0.0), 2),
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
        }
        if alone and alone["median_ms"]:
            result["median_ratio"] = round(result["median_ms"] / alone["median_ms"], 2)
            result["max_ratio"] = round(result["max_ms"] / alone["max_ms"], 2) if alone["max_ms"] else None
        return result


class Browser:
    """A signed-in user's cookies and the list page's CSRF token, as the export form sends them."""

    def __init__(self, base_url: str, username: str) -> None:
        session = sign_in(base_url, username, PASSWORD)
        csrf_cookie, self.token = csrf_for(base_url, session, CSRF_COOKIE)
        self.http = httpx.Client(base_url=base_url, timeout=BUILD_TIMEOUT_SECONDS, follow_redirects=False)
        self.http.cookies.set(SESSION_COOKIE, session)
        self.http.cookies.set(CSRF_COOKIE, csrf_cookie)

    def export(self, **filters: str) -> tuple[httpx.Response, float]:
        started = time.perf_counter()
        answer = self.http.post("/enterprises/export", data={"_csrf_token": self.token, "format": "xlsx", **filters})
        return answer, (time.perf_counter() - started) * 1000

    def wait_until_built(self, export_id: int) -> str:
        """Poll the progress as the export page does (once a second) until the build ends; its last state."""
        deadline = time.monotonic() + BUILD_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            progress = self.http.get(f"/enterprises/exports/{export_id}/progress").json()
            if not progress["in_progress"]:
                return str(progress["state"])
            time.sleep(1.0)
        return "timed out"


@contextlib.contextmanager
def app_and_worker(work_dir: Path, label: str, **env: str) -> Iterator[str]:
    """The real app under uvicorn and a real `rq worker` on its queues; yields the app's base URL."""
    extra = {**os.environ, **env}
    server = Server(f"fuchi app ({label})", "app:app", work_dir / f"export-{label}-app.log", ready_path="/login")
    worker_log = (work_dir / f"export-{label}-worker.log").open("wb")
    rq = str(Path(sys.executable).parent / "rq")
    worker = subprocess.Popen(
        [rq, "worker", "--url", settings.redis_url, *QUEUE_NAMES], env=extra, stdout=worker_log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        saved = os.environ.copy()
        os.environ.update(env)  # Server.start hands os.environ to uvicorn
        try:
            server.start()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        server.wait_ready()
        yield server.url
    finally:
        server.stop()
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        worker_log.close()


def _measured(probe_url: str, work: Callable[[], dict[str, Any]], alone: dict[str, Any]) -> dict[str, Any]:
    with HealthProbe(probe_url) as probe:
        time.sleep(0.2)  # a few answers before the work starts, as a monitor would have
        result = work()
    return {**result, "health": probe.figures(alone)}


def _background(browser: Browser) -> dict[str, Any]:
    answer, request_ms = browser.export()
    found = re.fullmatch(r"/enterprises/exports/(\d+)", answer.headers.get("location", ""))
    if answer.status_code not in (302, 303) or not found:
        raise RuntimeError(f"the long export was not sent to the background: HTTP {answer.status_code}")
    started = time.perf_counter()
    state = browser.wait_until_built(int(found.group(1)))
    return {
        "request_ms": round(request_ms, 1),
        "build_seconds": round(time.perf_counter() - started, 1),
        "state": state,
    }


def _inline(browser: Browser, filters: dict[str, str]) -> dict[str, Any]:
    answer, request_ms = browser.export(**filters)
    if answer.status_code != 200:
        raise RuntimeError(f"the short export was not answered at once: HTTP {answer.status_code}")
    return {"request_ms": round(request_ms, 1), "file_bytes": len(answer.content)}


def run_export_benchmark(work_dir: Path, rows: int = ROWS, inline_50k: bool = False) -> dict[str, Any]:
    """The figures of every phase (see the module's docstring), on the migrated and seeded database."""
    before = top_up(rows)
    inline_filter, inline_rows = _inline_filter(settings.limits.export_inline_rows)
    result: dict[str, Any] = {"rows": rows, "enterprises_before_top_up": before, "inline_rows": inline_rows}
    with app_and_worker(work_dir, "jobs") as url:
        browser = Browser(url, EXPORTER)
        with HealthProbe(url) as probe:
            time.sleep(ALONE_SECONDS)
        alone = result["alone"] = probe.figures()
        result["background"] = _measured(url, lambda: _background(browser), alone)
        if inline_filter:
            result["inline"] = _measured(url, lambda: _inline(browser, inline_filter), alone)
    if inline_50k:
        with app_and_worker(work_dir, "inline-50k", FUCHI_EXPORT_INLINE_ROWS=str(rows)) as url:
            browser = Browser(url, EXPORTER)
            result["inline_50k"] = _measured(url, lambda: _inline(browser, {}), alone)
    return result


def describe(result: dict[str, Any]) -> list[str]:
    """The figures as lines for the console."""
    alone = result["alone"]
    lines = [
        f"  /health alone: median {alone['median_ms']} ms, max {alone['max_ms']} ms ({alone['requests']} requests)"
    ]
    for key, label in (
        ("background", f"while {result['rows']:,} rows are exported (request + background build)"),
        ("inline", f"while {result['inline_rows']:,} rows are exported at once (built in a thread)"),
        ("inline_50k", f"while {result['rows']:,} rows are exported at once (built in a thread)"),
    ):
        if phase := result.get(key):
            health = phase["health"]
            extra = f", build {phase['build_seconds']} s" if "build_seconds" in phase else ""
            lines.append(
                f"  /health {label}: median {health['median_ms']} ms (x{health.get('median_ratio')}), "
                f"max {health['max_ms']} ms (x{health.get('max_ratio')}), {health['requests']} requests; "
                f"export request {phase['request_ms']} ms{extra}"
            )
    return lines


def main() -> int:
    p = argparse.ArgumentParser(prog="python -m bench.export_bench", description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=ROWS, help=f"enterprises exported (default {ROWS})")
    p.add_argument("--inline-50k", action="store_true", help="also time the export built inline, in a thread")
    args = p.parse_args()
    enable_wal()
    with contextlib.redirect_stdout(io.StringIO()):
        asyncio.run(forwards(app_name="all"))
    if not Enterprise.count().run_sync():
        seed.seed(
            SeedSizes(cases=0, enterprises=min(args.rows, 20_000)),
            hash_password(PASSWORD),
            settings.sqlite_path if settings.is_sqlite else None,
            None if settings.is_sqlite else settings.database_url,
        )
    result = run_export_benchmark(Path(tempfile.mkdtemp(prefix="fuchi-export-bench-")), args.rows, args.inline_50k)
    print("\n".join(describe(result)))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
