"""A broker imports a messy spreadsheet on a phone: she watches its progress, reads the row report and confirms.

A real `rq worker` runs the dry run and the import. It is started only once the page shows the
waiting import, and stopped again before the confirmation: so the progress bar is certainly seen
in both phases, and the page must follow the work to its end by itself (static/import.js).
"""

from __future__ import annotations

import csv
import io
import os
import re
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from piccolo.utils.sync import run_sync
from playwright.sync_api import Page, expect

from accounts.policy import Actor, Role
from core import crypto
from core.i18n import gettext
from enterprises.identifiers import RESIDENT_ID_CHECK_MISMATCH, complete_resident_id
from enterprises.imports.columns import COLUMN_UNKNOWN
from enterprises.imports.presentation import STATE_LABELS
from enterprises.imports.rows import DUPLICATE_IN_FILE
from enterprises.imports.rules import ImportState
from enterprises.imports.tables import ImportBatch
from enterprises.intake import DATE_INVALID
from enterprises.services import register_enterprise
from enterprises.tables import Enterprise, Founder
from tests.browser.conftest import PROJECT, sign_in
from tests.conftest import DISTRICT_A, Personas, worker_command

pytestmark = pytest.mark.browser

WORKER_MS = 60_000  # how long the page may wait for the worker on a loaded machine
CHINESE = re.compile(r"[\u4e00-\u9fff]")
ERRORS_LEFT_OUT = (
    "{count} rows with errors will not be imported: correct them in your file and upload those rows again later."
)
MATCHES_FOUND = "{count} rows match an enterprise already registered. What should happen to those enterprises?"
IMPORTED = (
    "Imported: {created} enterprises created, {updated} updated, {unchanged} already up to date, "
    "{skipped} left as they were."
)


def zh(message: str, **params: object) -> str:
    return gettext("zh_CN", message, **params)


# --- the worker ---------------------------------------------------------------------------------------------------


@dataclass
class Worker:
    """A real `rq worker --with-scheduler` on the test queue, started and stopped when the test says so."""

    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.process is None, "the worker is already running"
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                worker_command("--with-scheduler"),
                cwd=PROJECT,
                env=os.environ.copy(),
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        """A warm shutdown: SIGTERM lets a job under way finish first."""
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    controlled = Worker(tmp_path / "rq-worker.log")
    yield controlled
    controlled.stop()


# --- the spreadsheet ----------------------------------------------------------------------------------------------


HEADERS = [
    "序号",
    "企业（个体户）名称",
    "统一社会信用代码",
    "类型",
    "乡镇（街道）",
    "负责人",
    "手机",
    "身份证号码",
    "成立时间",
    "员工数",
    "年营业收入（万元）",
    "备注",
]
TITLE = "开州区返乡创业企业名单（2026年）"
FIRST_ROW = 3  # row 1 is a title, row 2 the headers
PRODUCTS = ["柑橘", "竹编", "土鸡", "红薯粉", "茶叶", "蜂蜜", "腊肉", "豆干", "花椒", "核桃", "中药材", "桃片"]
KINDS = [("家庭农场", "家庭农场"), ("专业合作社", "合作社"), ("加工厂", "个体工商户")]
TOWNS = ["汉丰街道", "文峰街道", "云枫街道", "镇东街道", "临江镇", "竹溪镇", "铁桥镇", "南雅镇"]
SURNAMES = "周李王陈刘张杨赵黄吴郑谭"
GIVEN = ["春华", "兴旺", "德明", "巧玲", "志强", "秀英", "建国", "小红", "国庆"]

EXISTING = "开州红薯粉坊"  # registered before the import; the file repeats it: a match
EXISTING_PHONE = "13512340000"
BAD_ID_NAME = "开州兴旺蔬菜种植场"
BAD_DATE_NAME = "开州老王生态养殖场"


@dataclass(frozen=True)
class Messy:
    """A spreadsheet as a broker keeps it, and what the dry run must make of it."""

    lines: list[list[Any] | None]  # the data rows from FIRST_ROW on; None is a row left empty
    created: dict[str, str]  # enterprise name -> founder's phone, of the rows to be created
    errors: dict[int, tuple[str, str, str]]  # row -> (column letter, header, message in Chinese)
    bad_id: str


def messy_rows() -> Messy:
    lines: list[list[Any] | None] = []
    created: dict[str, str] = {}
    first_row_of: dict[str, int] = {}

    def valid(i: int) -> list[Any]:
        """The i-th enterprise to be created, as its row's cells."""
        name = f"开州{PRODUCTS[i % 12]}{KINDS[i // 12][0]}"
        phone = f"1390154{i:04d}"
        id_number = complete_resident_id(f"500154{1970 + i}{i % 12 + 1:02d}{i % 28 + 1:02d}{i:03d}")
        # Excel's ways: a phone typed as a number, a real date cell or a date as text, "8人", revenue in 万元.
        founded: Any = datetime(2012 + i % 12, i % 12 + 1, i % 28 + 1) if i % 2 else f"{2012 + i % 12}/{i % 12 + 1}/1"
        employees: Any = f"{i % 20 + 1}人" if i % 5 == 0 else i % 20 + 1
        return [
            i + 1,
            name,
            "",
            KINDS[i // 12][1],
            TOWNS[i % len(TOWNS)],
            SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
            int(phone) if i % 3 == 0 else phone,
            id_number,
            founded,
            employees,
            10 + i * 2.5,
            "",
        ]

    bad_id = complete_resident_id("50015419880808123")
    bad_id = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")  # a typing error in the check character
    errors: dict[int, tuple[str, str, str]] = {}
    for i in range(36):
        cells = valid(i)
        created[cells[1]] = str(cells[6])
        first_row_of[cells[1]] = FIRST_ROW + len(lines)
        lines.append(cells)
        row = FIRST_ROW + len(lines)  # the row the next line lands on
        if i == 4:
            lines.append([0, EXISTING, "", "个体工商户", "汉丰街道", "张三", EXISTING_PHONE, "", "", 30, "", "老客户"])
        elif i == 9:
            lines.append(
                [0, BAD_ID_NAME, "", "个体户", "竹溪镇", "李兴旺", "13901549901", bad_id, "2019-05-01", 5, "", ""]
            )
            errors[row] = ("H", "身份证号码", zh(RESIDENT_ID_CHECK_MISMATCH))
        elif i == 14:
            lines.append(None)
        elif i == 20:
            lines.append(
                [0, BAD_DATE_NAME, "", "个体户", "临江镇", "王德明", "13901549902", "", "2021-13-45", 3, "", ""]
            )
            errors[row] = ("I", "成立时间", zh(DATE_INVALID))
        elif i == 30:
            again = valid(2)  # the third farm again, further down, with another phone
            again[6] = "13901549903"
            lines.append(again)
            # Same founder ID number and same name in the same town: the ID number is named first.
            errors[row] = ("H", "身份证号码", zh(DUPLICATE_IN_FILE, row=first_row_of[again[1]]))
    number = 0
    for line in lines:
        if line is not None:
            number += 1
            line[0] = number
    return Messy(lines=lines, created=created, errors=errors, bad_id=bad_id)


def write_xlsx(messy: Messy, path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([TITLE])
    sheet.merge_cells("A1:L1")
    sheet.append(HEADERS)
    for offset, line in enumerate(messy.lines):
        for column, value in enumerate(line or [], start=1):
            sheet.cell(row=FIRST_ROW + offset, column=column, value=value)
    workbook.save(path)


def write_gbk_csv(messy: Messy, path: Path) -> None:
    def text(value: Any) -> str:
        if isinstance(value, datetime):
            return f"{value.year}年{value.month}月{value.day}日"
        return str(value)

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([TITLE])
    writer.writerow(HEADERS)
    for line in messy.lines:
        writer.writerow([text(value) for value in line] if line else [])
    path.write_bytes(buffer.getvalue().encode("gbk"))


WRITERS = {"名单.xlsx": write_xlsx, "名单.csv": write_gbk_csv}


# --- the test -----------------------------------------------------------------------------------------------------


def register_existing(personas: Personas) -> int:
    alice = Actor(user_id=personas.ids["alice"], role=Role.BROKER, district=DISTRICT_A)
    form = {
        "name": EXISTING,
        "district": DISTRICT_A,
        "town": "汉丰街道",
        "founder_name": "张三",
        "founder_phone": EXISTING_PHONE,
        "employees": "4",
    }
    return run_sync(register_enterprise(alice, form))


def expect_progress(page: Page, text: str) -> None:
    """The progress bar of an import under way, with its text; the page will follow it by itself."""
    expect(page.locator("progress#import-progress")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=text)).to_have_attribute("data-progress-text", "")


@pytest.mark.parametrize("filename", list(WRITERS), ids=["xlsx", "gbk-csv"])
def test_it_shows_the_progress_of_an_import_and_imports_the_valid_rows_once_confirmed(
    page: Page, personas: Personas, worker: Worker, tmp_path: Path, filename: str
) -> None:
    existing_id = register_existing(personas)
    messy = messy_rows()
    spreadsheet = tmp_path / filename
    WRITERS[filename](messy, spreadsheet)
    total = sum(1 for line in messy.lines if line is not None)
    created, errors = len(messy.created), len(messy.errors)
    assert (total, created, errors) == (40, 36, 3)

    sign_in(page, "alice")
    page.get_by_role("link", name=zh("Import enterprises")).click()
    expect(page).to_have_url(re.compile(r"/enterprises/imports/?$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(zh("Import enterprises"))
    page.get_by_label(zh("Spreadsheet file")).set_input_files(spreadsheet)
    page.get_by_role("button", name=zh("Upload and check")).click()

    # No worker yet: the import waits, its progress bar at 0.
    expect(page).to_have_url(re.compile(r"/enterprises/imports/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(filename)
    expect_progress(page, zh(STATE_LABELS[ImportState.UPLOADED]))
    expect(page.locator("progress#import-progress")).to_have_attribute("value", "0")
    batch_id = int(page.url.rsplit("/", 1)[-1])

    worker.start()  # the page notices the dry run's end by itself
    expect(page.locator("main .state").first).to_have_text(zh(STATE_LABELS[ImportState.CHECKED]), timeout=WORKER_MS)
    worker.stop()
    expect(page.locator("progress")).to_have_count(0)
    main = page.locator("main")
    expect(main).to_contain_text(zh("{count} new enterprises will be created.", count=created))
    expect(main).to_contain_text(zh(ERRORS_LEFT_OUT, count=errors))
    expect(main).to_contain_text(zh(MATCHES_FOUND, count=1))
    expect(main).to_contain_text(zh(COLUMN_UNKNOWN, letter="L", header="备注"))
    filters = page.get_by_role("navigation", name=zh("Show rows"))
    # The blank line inside the table is reported as skipped, not as an error.
    expect(filters.get_by_role("link")).to_have_text(
        [
            f"{zh('All')} ({total + 1})",
            f"{zh('Will be created')} ({created})",
            f"{zh('Matches a registered enterprise')} (1)",
            f"{zh('Has errors')} ({errors})",
            f"{zh('Skipped: not data')} (1)",
        ]
    )

    # The rows with errors, each by its row number, column letter and Chinese header.
    filters.get_by_role("link", name=f"{zh('Has errors')} ({errors})").click()
    expect(page).to_have_url(re.compile(r"\?outcome=error#report$"))
    report = page.locator("table.cases tbody tr")
    expect(report).to_have_count(errors)
    for line, (row, (letter, header, message)) in zip(report.all(), sorted(messy.errors.items()), strict=True):
        expect(line.locator("td").first).to_have_text(str(row))
        expect(line).to_contain_text(zh("Has errors"))
        expect(line.locator("td").last).to_have_text(f"{zh('Column {letter}', letter=letter)} · {header}: {message}")
        expect(line.locator("td").last).to_contain_text(CHINESE)
    filters.get_by_role("link", name=f"{zh('Matches a registered enterprise')} (1)").click()
    expect(report).to_have_count(1)
    expect(report.get_by_role("link", name=EXISTING)).to_have_attribute("href", f"/enterprises/{existing_id}")

    # She updates the matching enterprise and confirms: the import waits for a worker, its bar shown.
    page.get_by_label(zh("Update them with the values in the file")).check()
    page.get_by_role("button", name=zh("Import now")).click()
    expect(page).to_have_url(re.compile(rf"/enterprises/imports/{batch_id}$"))
    expect_progress(page, zh("Importing: {percent}% done.", percent=0))

    worker.start()
    done = zh(IMPORTED, created=created, updated=1, unchanged=0, skipped=0)
    expect(page.get_by_role("status").filter(has_text=done)).to_be_visible(timeout=WORKER_MS)
    expect(page.locator("progress")).to_have_count(0)
    expect(page.get_by_role("button", name=zh("Import now"))).to_have_count(0)

    # Exactly the valid rows were created, the match updated, and nothing of the rows with errors exists.
    enterprises = Enterprise.select(Enterprise.id, Enterprise.name, Enterprise.employees).run_sync()
    assert sorted(row["name"] for row in enterprises) == sorted([*messy.created, EXISTING])
    assert not {BAD_ID_NAME, BAD_DATE_NAME} & {row["name"] for row in enterprises}
    assert {row["name"]: row["employees"] for row in enterprises}[EXISTING] == 30
    assert {row["id"] for row in enterprises if row["name"] == EXISTING} == {existing_id}
    founders = Enterprise.select(
        Enterprise.name, Enterprise.founder.phone_cipher, Enterprise.founder.id_number_cipher
    ).run_sync()
    phones = {row["name"]: crypto.decrypt(row["founder.phone_cipher"]) for row in founders}
    assert phones == {**messy.created, EXISTING: EXISTING_PHONE}
    assert Founder.count().run_sync() == created + 1
    id_numbers = {
        crypto.decrypt(row["founder.id_number_cipher"]) for row in founders if row["founder.id_number_cipher"]
    }
    assert len(id_numbers) == created and messy.bad_id not in id_numbers
    batch = ImportBatch.select(ImportBatch.state, ImportBatch.content).where(ImportBatch.id == batch_id).first()
    assert batch.run_sync() == {"state": ImportState.APPLIED, "content": b""}
    assert "Traceback" not in worker.output()


def test_it_names_every_state_of_an_import_in_chinese(page: Page, personas: Personas) -> None:
    for state in ImportState:
        ImportBatch.insert(
            ImportBatch(
                uploaded_by=personas.ids["alice"],
                district=DISTRICT_A,
                filename=f"{state}.csv",
                content=b"",
                state=state,
            )
        ).run_sync()
    sign_in(page, "alice")
    page.goto("/enterprises/imports")

    badges = page.locator("main table .state")
    expect(badges).to_have_count(len(ImportState))
    english = [text for text in badges.all_inner_texts() if not CHINESE.search(text)]
    assert not english, f"import states shown in English on a Chinese page: {english}"
