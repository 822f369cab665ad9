"""A 10,000-row spreadsheet import, timed: the dry run and the import, each the job RQ would run.

`run_import_benchmark()` works on the database of DATABASE_URL (migrated; the bench suite's seed may be
in it), calls the job functions directly (synchronously, as the worker does), and returns the figures.
Each run imports a fresh file (new enterprises, new founders) into a fresh batch. Alone:
`DATABASE_URL=... REDIS_URL=... python -m bench.import_bench` (it migrates first).

Readers of a workbook compared (`run_reader_comparison`, part of the import's figures): Fuchi's own
(`enterprises.imports.reading`), openpyxl's read-only mode as it was used before, and
python-calamine when it is installed (it is not a dependency). `python -m bench.import_bench readers`
times them on the spreadsheet bombs of the bounds tests, each in a child process with a memory cap
and a time limit, and prints the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from piccolo.apps.migrations.commands.forwards import forwards

from accounts.policy import Role
from accounts.tables import User
from core.db import enable_wal
from enterprises.identifiers import (
    complete_credit_code,
    complete_resident_id,
)
from enterprises.imports.jobs import apply_import, check_import
from enterprises.imports.reading import ImportFileError, cell_text, read_rows
from enterprises.imports.rules import ImportState
from enterprises.imports.tables import ImportBatch
from enterprises.imports.template import TEMPLATE_SHEET, template_headers
from enterprises.tables import Enterprise
from tests.enterprises.imports import bombs

ROWS = 10_000
RUNS = 3
TARGET_SECONDS = 30.0
READER_ROWS = 20_000
READER_SECONDS = 60  # a reader still at work after this is stopped (as long as reading may take in the job)
READER_MEMORY = 2 * 1024**3  # a reader's address space is capped at this: a bomb must not take the machine
ROOT = Path(__file__).resolve().parent.parent
DISTRICT = "500154"  # 开州区
UPLOADER = "import-bench"

TOWNS = (
    "汉丰街道",
    "文峰街道",
    "云枫街道",
    "镇东街道",
    "丰乐街道",
    "临江镇",
    "温泉镇",
    "郭家镇",
    "白鹤街道",
    "赵家街道",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "德明春燕立新敏建国雪梅文斌巧玲华军红霞志强秀英海波丽娟永刚晓东桂兰国庆玉珍小平"
TRADES = (("柑橘种植", "A"), ("竹编工艺", "C"), ("土鸡养殖", "A"), ("食品加工", "C"), ("电商服务", "I"),
          ("民宿", "H"), ("蔬菜种植", "A"), ("服装加工", "C"), ("物流", "G"), ("农家乐", "H"))  # fmt: skip
FORMS = (("家庭农场", "家庭农场"), ("专业合作社", "农民专业合作社"), ("有限公司", "公司"), ("经营部", "个体工商户"))
WORKED_BEFORE = ("广东东莞", "浙江义乌", "福建晋江", "江苏苏州", "上海", "广东深圳")
STAGES = ("生存型", "成长型", "发展型")
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _resident_id(rng: random.Random) -> str:
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 35))
    first17 = f"500234{born:%Y%m%d}{rng.randrange(1000):03d}"
    return complete_resident_id(first17)


def _credit_code(rng: random.Random) -> str:
    first17 = "92500154" + "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    return complete_credit_code(first17)


def spreadsheet_rows(count: int, run: int, revision: int = 0) -> list[list[Any]]:
    """`count` valid rows of invented enterprises, different for each `run` (names, IDs and codes).

    A later `revision` of a run's file has the same enterprises, each with more employees.
    """
    rng = random.Random(f"import-bench-{run}")
    rows = []
    for i in range(count):
        trade, industry = TRADES[i % len(TRADES)]
        suffix, form = FORMS[i % len(FORMS)]
        founder = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        employees = rng.randrange(1, 60)
        rows.append(
            [
                f"开州{founder}{trade}{suffix}{run}-{i:05d}",
                _credit_code(rng) if i % 3 == 0 else "",
                form,
                "开州区",
                TOWNS[i % len(TOWNS)],
                f"{rng.randrange(1, 30)}村",
                "",
                industry,
                trade,
                date(2015, 1, 1) + timedelta(days=rng.randrange(3000)),
                employees + revision,
                rng.randrange(0, employees + 1),
                rng.randrange(50, 5000) * 1000,
                STAGES[i % 3],
                "正常经营",
                founder,
                "男" if i % 2 else "女",
                "",
                int(f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"),
                _resident_id(rng),
                rng.choice(WORKED_BEFORE),
                rng.randrange(2010, 2025),
                "",
            ]
        )
    return rows


def spreadsheet(count: int = ROWS, run: int = 0, revision: int = 0) -> bytes:
    """An XLSX file of `count` rows under the template's headers, as a broker's Excel would save it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(TEMPLATE_SHEET)
    sheet.append(template_headers())
    for row in spreadsheet_rows(count, run, revision):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _uploader() -> int:
    row = User.select(User.id).where(User.username == UPLOADER).first().run_sync()
    if row is not None:
        return int(row["id"])
    rows = (
        User.insert(
            User(username=UPLOADER, display_name="Import bench", password_hash="!", role=Role.BROKER, district=DISTRICT)
        )
        .returning(User.id)
        .run_sync()
    )
    return int(rows[0]["id"])


def _new_batch(uploader: int, content: bytes, label: str) -> int:
    """A batch as the upload makes it, without queueing its job: the benchmark runs the job itself."""
    rows = (
        ImportBatch.insert(
            ImportBatch(
                uploaded_by=uploader,
                district=DISTRICT,
                filename=f"bench-{label}.xlsx",
                content=content,
                state=ImportState.UPLOADED,
            )
        )
        .returning(ImportBatch.id)
        .run_sync()
    )
    return int(rows[0]["id"])


def _batch_row(batch_id: int) -> dict[str, Any]:
    query = ImportBatch.select(ImportBatch.state, ImportBatch.summary).where(ImportBatch.id == batch_id)
    row = query.output(load_json=True).first().run_sync()
    assert row is not None
    return row


def timed_import(uploader: int, content: bytes, label: str) -> dict[str, Any]:
    """One file through the dry run and the import (matches updated), each timed."""
    batch_id = _new_batch(uploader, content, label)
    started = time.perf_counter()
    check_import(batch_id)
    check_seconds = time.perf_counter() - started
    checked = _batch_row(batch_id)
    assert checked["state"] == ImportState.CHECKED, checked
    # What the user's confirmation does (`confirm_import`), minus queueing the job.
    ImportBatch.update({ImportBatch.state: ImportState.APPLYING, ImportBatch.on_match: "update"}).where(
        ImportBatch.id == batch_id
    ).run_sync()
    started = time.perf_counter()
    apply_import(batch_id)
    apply_seconds = time.perf_counter() - started
    applied = _batch_row(batch_id)
    assert applied["state"] == ImportState.APPLIED, applied
    return {
        "file_bytes": len(content),
        "check_seconds": round(check_seconds, 2),
        "apply_seconds": round(apply_seconds, 2),
        "total_seconds": round(check_seconds + apply_seconds, 2),
        "counts": checked["summary"]["counts"],
        "applied": applied["summary"]["applied"],
    }


def run_import_benchmark(rows: int = ROWS, runs: int = RUNS, readers: bool = True) -> dict[str, Any]:
    """Time the dry run and the import of a `rows`-row XLSX file (medians of `runs` fresh batches).

    Each run's file holds new enterprises; then, once, the first file comes again with every row
    changed, so that all rows match and are updated (a broker re-importing his edited list).
    `readers`: the readers of a workbook compared too (`run_reader_comparison`, under "reading").
    """
    uploader = _uploader()
    results = [timed_import(uploader, spreadsheet(rows, run), f"new-{run}") for run in range(runs)]
    check = statistics.median(r["check_seconds"] for r in results)
    apply = statistics.median(r["apply_seconds"] for r in results)
    reimport = timed_import(uploader, spreadsheet(rows, 0, revision=1), "changed-0") if runs else None
    return {
        "rows": rows,
        "runs": runs,
        "file_bytes": max((r["file_bytes"] for r in results), default=0),
        "check_seconds": round(check, 2),
        "apply_seconds": round(apply, 2),
        "total_seconds": round(check + apply, 2),
        "check_rows_per_second": round(rows / check) if check else None,
        "apply_rows_per_second": round(rows / apply) if apply else None,
        "target_seconds": TARGET_SECONDS,
        "within_target": check + apply <= TARGET_SECONDS,
        "each_run": results,
        "reimport_changed": reimport,
        "enterprises_after": Enterprise.count().run_sync(),
        "reading": run_reader_comparison() if readers else None,
    }


# --- readers compared ---------------------------------------------------------------------------------------------


def _read_fuchi(filename: str, content: bytes) -> str:
    try:
        return f"{len(read_rows(filename, content).rows)} rows"
    except ImportFileError as error:
        return "refused: " + error.message.format(**error.params)


def _read_openpyxl(filename: str, content: bytes) -> str:
    """The reader Fuchi had: openpyxl read-only, every row as wide as the declared dimension, each value as text."""
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = 0
    for values in workbook.worksheets[0].iter_rows(values_only=True):
        rows += any(cell_text(value).strip() for value in values)
    return f"{rows - 1} rows"


def _read_calamine(filename: str, content: bytes) -> str:
    from python_calamine import CalamineWorkbook  # optional: not a dependency of Fuchi

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    rows = sum(any(value not in ("", None) for value in values) for values in sheet.iter_rows())
    return f"{rows - 1} rows"


READERS: dict[str, Callable[[str, bytes], str]] = {
    "fuchi": _read_fuchi,
    "openpyxl": _read_openpyxl,
    "calamine": _read_calamine,
}


def _peak_mb() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not carried over from the parent)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _read_in_child(reader: str, path: str) -> None:
    """Run in the child process: one reader on one file, its figures printed as JSON."""
    resource.setrlimit(resource.RLIMIT_AS, (READER_MEMORY, READER_MEMORY))
    content = Path(path).read_bytes()
    # The child's peak resident memory, before reading (Python, this module's imports, the file) and after.
    before = _peak_mb()
    started = time.perf_counter()
    outcome = READERS[reader](path, content)
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    print(json.dumps({"outcome": outcome, "seconds": round(seconds, 2), "peak_mb": peak, "start_mb": before}))


def time_reader(reader: str, path: Path) -> dict[str, Any]:
    """One reader on one file in a child process (capped memory, limited time): its outcome, seconds, memory."""
    command = [sys.executable, "-m", "bench.import_bench", "read", reader, str(path)]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=READER_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return {"outcome": f"stopped: still reading after {READER_SECONDS} s", "seconds": None}
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        why = next((line for line in lines if "memory" in line.lower()), lines[-1] if lines else "")
        cap = READER_MEMORY // 1024**3
        return {"outcome": f"failed (exit {done.returncode}, {cap} GB cap): {why[:160]}", "seconds": None}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _installed_readers() -> list[str]:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return ["fuchi", "openpyxl"]
    return list(READERS)


def _ratio(slow: float | None, fast: float | None) -> float | None:
    return round(slow / fast, 1) if slow and fast else None


def run_reader_comparison(rows: int = READER_ROWS) -> dict[str, Any]:
    """The readers on an ordinary workbook of `rows` rows under the template's 23 headers; ratios to Fuchi's."""
    with tempfile.TemporaryDirectory(prefix="fuchi-readers-") as folder:
        path = Path(folder) / "list.xlsx"
        path.write_bytes(spreadsheet(rows))
        figures = {reader: time_reader(reader, path) for reader in _installed_readers()}
        file_bytes = path.stat().st_size
    fuchi = figures["fuchi"].get("seconds")
    return {
        "rows": rows,
        "file_bytes": file_bytes,
        "readers": figures,
        "seconds_over_fuchi": {name: _ratio(f.get("seconds"), fuchi) for name, f in figures.items()},
    }


def bomb_files() -> dict[str, tuple[str, bytes]]:
    """The bounds tests' bombs (tests/enterprises/imports/bombs.py), by name: (file name, content)."""
    return {
        "dimension A1:XFD1048576, a cell in row 1,048,576": ("far.xlsx", bombs.far_cell_bomb()),
        "5,000,000 empty <row r=…/>": ("empty.xlsx", bombs.empty_rows_bomb(5_000_000)),
        "20,000 one-cell rows, dimension to XFD": ("wide.xlsx", bombs.wide_dimension_rows(20_000)),
        "20,000 ordinary rows (4 columns)": ("plain.xlsx", bombs.realistic_workbook(20_000)),
        "declares 400 MB unpacked": (
            "declared.xlsx",
            bombs.declaring(bombs.realistic_workbook(10), bombs.SHEET, 400 * 1024**2),
        ),
        "CSV of 1,000,000 columns": ("columns.csv", bombs.wide_csv(1_000_000)),
        "CSV of 50,001 rows": ("rows.csv", bombs.long_csv(50_001)),
    }


def run_bomb_benchmark() -> dict[str, Any]:
    """Each reader on each bomb (workbook readers on workbooks only)."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="fuchi-bombs-") as folder:
        for name, (filename, content) in bomb_files().items():
            path = Path(folder) / filename
            path.write_bytes(content)
            readers = _installed_readers() if filename.endswith(".xlsx") else ["fuchi"]
            results[name] = {"file_bytes": len(content)} | {r: time_reader(r, path) for r in readers}
    return results


def main() -> int:
    if sys.argv[1:2] == ["read"]:
        _read_in_child(sys.argv[2], sys.argv[3])
        return 0
    if sys.argv[1:2] == ["readers"]:
        print(json.dumps({"ordinary": run_reader_comparison(), "bombs": run_bomb_benchmark()}, indent=2))
        return 0
    enable_wal()
    with contextlib.redirect_stdout(io.StringIO()):
        asyncio.run(forwards(app_name="all"))
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    print(json.dumps(run_import_benchmark(rows), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
