"""A 10,000-row spreadsheet import, timed: the dry run and the import, each the job RQ would run.

`run_import_benchmark()` works on the database of DATABASE_URL (migrated; the bench suite's seed may be
in it), calls the job functions directly (synchronously, as the worker does), and returns the figures.
Each run imports a fresh file (new enterprises, new founders) into a fresh batch. Alone:
`DATABASE_URL=... REDIS_URL=... python -m bench.import_bench` (it migrates first).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from typing import Any

from openpyxl import Workbook
from piccolo.apps.migrations.commands.forwards import forwards

from accounts.policy import Role
from accounts.tables import User
from core.db import enable_wal
from enterprises.identifiers import (
    complete_credit_code,
    complete_resident_id,
)
from enterprises.imports.jobs import apply_import, check_import
from enterprises.imports.rules import ImportState
from enterprises.imports.tables import ImportBatch
from enterprises.imports.template import TEMPLATE_SHEET, template_headers
from enterprises.tables import Enterprise

ROWS = 10_000
RUNS = 3
TARGET_SECONDS = 30.0
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


def run_import_benchmark(rows: int = ROWS, runs: int = RUNS) -> dict[str, Any]:
    """Time the dry run and the import of a `rows`-row XLSX file (medians of `runs` fresh batches).

    Each run's file holds new enterprises; then, once, the first file comes again with every row
    changed, so that all rows match and are updated (a broker re-importing his edited list).
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
    }


def main() -> int:
    enable_wal()
    with contextlib.redirect_stdout(io.StringIO()):
        asyncio.run(forwards(app_name="all"))
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else ROWS
    print(json.dumps(run_import_benchmark(rows), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
