"""Reading brokers' spreadsheets: headers as they write them, encodings, Excel's numbers and dates, broken files."""

from __future__ import annotations

import ast
import codecs
import io
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from enterprises.identifiers import complete_resident_id
from enterprises.imports.columns import COLUMN_REPEATED, COLUMN_UNKNOWN, FILE_MISSING_COLUMNS, map_columns
from enterprises.imports.headers import COLUMNS, header_field
from enterprises.imports.reading import (
    FILE_EMPTY,
    FILE_NO_HEADERS,
    FILE_NO_ROWS,
    FILE_NOT_TEXT,
    FILE_NOT_XLSX,
    FILE_OLD_XLS,
    FILE_TOO_LARGE,
    FILE_TOO_MANY_ROWS,
    FILE_WRONG_TYPE,
    MAX_UPLOAD_BYTES,
    ImportFileError,
    ReadLimits,
    cell_text,
    check_upload,
    read_rows,
)
from enterprises.imports.rows import STORED_AS_NUMBER, SeenRows, draft_data, draft_from_data, is_example, row_form
from enterprises.imports.template import TEMPLATE_ORDER, TEMPLATE_SHEET, template_workbook
from enterprises.intake import clean_enterprise

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

TODAY = date(2026, 11, 27)
ID_NUMBER = complete_resident_id("50015419860101123")


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def forms(content: bytes, filename: str = "list.csv", default_district: str = "500154") -> list[dict[str, str]]:
    sheet = read_rows(filename, content)
    columns = map_columns(sheet.headers, default_district)
    return [row_form(columns, cells, default_district)[0] for _, cells in sheet.rows]


@pytest.mark.parametrize("module", ["headers", "reading", "workbook", "columns", "values", "rows", "template"])
def test_it_imports_no_framework(module: str) -> None:
    source = Path(__file__).resolve().parents[3] / "enterprises" / "imports" / f"{module}.py"
    tree = ast.parse(source.read_text(encoding="utf-8"))
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    frameworks = ("litestar", "piccolo", "rq", "redis", "asyncpg", "aiosqlite", "jinja2")
    assert not {m for m in modules if m.split(".")[0] in frameworks}


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("企业名称", "name"),
        ("名称", "name"),
        ("企业（个体户）名称", "name"),
        ("企业(个体户)名称", "name"),
        ("*企业名称", "name"),
        ("企业名称＊", "name"),
        (" 企业 名称 ", "name"),
        ("统一社会信用代码", "credit_code"),
        ("信用代码", "credit_code"),
        ("主体类型", "legal_form"),
        ("类型", "legal_form"),
        ("区县", "district"),
        ("乡镇（街道）", "town"),
        ("乡镇", "town"),
        ("镇街", "town"),
        ("村/社区", "village"),
        ("村（社区）", "village"),
        ("创业园区", "park"),
        ("行业门类", "industry"),
        ("主营产品", "main_products"),
        ("成立日期", "founded_on"),
        ("从业人数（人）", "employees"),
        ("员工数", "employees"),
        ("返乡农民工人数", "migrant_employees"),
        ("年营业收入（元）", "annual_revenue"),
        ("营收（元）", "annual_revenue"),
        ("年营业收入（万元）", "annual_revenue"),
        ("发展阶段", "stage"),
        ("经营状态", "status"),
        ("负责人", "founder_name"),
        ("所在区县", "district"),
        ("所在乡镇（街道）", "town"),
        ("行业分类", "industry"),
        ("创业者姓名", "founder_name"),
        ("法人", "founder_name"),
        ("性别", "founder_gender"),
        ("出生年份", "founder_birth_year"),
        ("联系电话", "founder_phone"),
        ("手机", "founder_phone"),
        ("身份证号", "founder_id_number"),
        ("身份证号码", "founder_id_number"),
        ("返乡前务工地", "founder_worked_before"),
        ("返乡年份", "founder_return_year"),
        ("founder_phone", "founder_phone"),
        ("Credit_Code", "credit_code"),
        ("备注", None),
        ("", None),
    ],
)
def test_it_knows_the_headers_brokers_write(header: str, field: str | None) -> None:
    assert header_field(header) == field


def test_it_refuses_a_file_without_the_required_columns_and_names_them() -> None:
    with pytest.raises(ImportFileError) as caught:
        map_columns(["企业名称", "备注"], default_district="")

    assert caught.value.message == FILE_MISSING_COLUMNS
    assert caught.value.params == {"columns": "区县、乡镇（街道）、创业者姓名、联系电话"}


def test_it_defaults_the_district_to_the_uploaders() -> None:
    columns = map_columns(["企业名称", "乡镇", "负责人", "电话"], default_district="500154")

    form, errors = row_form(columns, ["春华农场", "汉丰街道", "周春华", "13983451234"], "500154")

    assert form["district"] == "500154" and not errors


def test_it_warns_of_unknown_and_repeated_columns_and_ignores_row_numbers() -> None:
    columns = map_columns(["序号", "企业名称", "乡镇", "负责人", "电话", "手机", "备注"], "500154")

    assert [(w.message, w.params) for w in columns.warnings] == [
        (COLUMN_REPEATED, {"letter": "F", "header": "手机", "first": "E"}),
        (COLUMN_UNKNOWN, {"letter": "G", "header": "备注"}),
    ]
    assert columns.columns["founder_phone"].letter == "E"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  汉丰街道 ", "  汉丰街道 "),
        (13800000000, "13800000000"),
        (13800000000.0, "13800000000"),
        (12.5, "12.5"),
        (0.1 + 0.2, "0.3"),
        (500154198601011234, "500154198601011234"),  # an integer in the XML is exact
        (5.00154198601011e17, "5.00154198601011E+17"),  # a float of 18 digits is not
        (datetime(2021, 3, 15), "2021-03-15"),
        (datetime(2021, 3, 15, 9, 30), "2021-03-15 09:30"),
        (date(2021, 3, 15), "2021-03-15"),
        (time(9, 30), "09:30:00"),
        (True, "TRUE"),
    ],
)
def test_it_shows_cells_as_the_broker_sees_them(value: Any, text: str) -> None:
    assert cell_text(value) == text


def test_it_reads_a_gbk_csv() -> None:
    content = "企业名称,乡镇,负责人,联系电话,主体类型\n春华柑橘家庭农场,汉丰街道,周春华,13983451234,家庭农场\n"

    [form] = forms(content.encode("gbk"))

    assert form["name"] == "春华柑橘家庭农场" and form["legal_form"] == "family_farm"


def test_it_reads_a_gb18030_csv_with_rare_characters() -> None:
    content = "企业名称,乡镇,负责人,联系电话\n𠀾记农庄,汉丰街道,周春华,13983451234\n"

    [form] = forms(content.encode("gb18030"))

    assert form["name"] == "𠀾记农庄"


def test_it_reads_a_utf8_csv_with_a_byte_order_mark() -> None:
    content = "\ufeff企业名称,乡镇,负责人,联系电话\r\n春华农场,汉丰街道,周春华,13983451234\r\n"

    [form] = forms(content.encode("utf-8"))

    assert form["name"] == "春华农场" and form["founder_phone"] == "13983451234"


def test_it_reads_excels_unicode_text_tab_separated() -> None:
    content = (
        codecs.BOM_UTF16_LE
        + "企业名称\t乡镇\t负责人\t联系电话\n春华农场\t汉丰街道\t周春华\t13983451234\n".encode("utf-16-le")
    )

    [form] = forms(content, "list.csv")

    assert form["town"] == "汉丰街道"


def test_it_reads_a_semicolon_separated_csv() -> None:
    [form] = forms("企业名称;乡镇;负责人;联系电话\n春华农场;汉丰街道;周春华;13983451234\n".encode())

    assert form["founder_name"] == "周春华"


def test_it_reads_an_xlsx_with_dates_numbers_and_a_title_row() -> None:
    content = xlsx(
        [
            ["开州区返乡创业企业名单"],
            ["企业名称", "乡镇", "负责人", "手机", "成立日期", "从业人数", "年营业收入（万元）", "出生年月"],
            ["春华农场", "汉丰街道", "周春华", 13983451234, datetime(2021, 3, 15), 12.0, 68.5, datetime(1986, 5, 1)],
            [None, None, None, None, None, None, None, None],
            ["兴旺竹编", "文峰街道", "李兴旺", "023-52221234", "2019/5/1", "8人", "120万", "1990"],
        ]
    )

    sheet = read_rows("list.xlsx", content)
    columns = map_columns(sheet.headers, "500154")
    rows = [(number, row_form(columns, cells, "500154")[0]) for number, cells in sheet.rows]

    assert sheet.header_row == 2
    assert [number for number, _ in rows] == [3, 5]  # as the spreadsheet numbers them; the empty row is skipped
    first, second = rows[0][1], rows[1][1]
    assert first["founder_phone"] == "13983451234" and first["founded_on"] == "2021-03-15"
    assert first["employees"] == "12" and Decimal(first["annual_revenue"]) == 685000
    assert Decimal(second["annual_revenue"]) == 1200000 and second["employees"] == "8人"
    draft = clean_enterprise(first, frozenset({"500154"}), TODAY)
    assert draft.annual_revenue == Decimal("685000.00") and draft.founded_on == date(2021, 3, 15)
    assert draft.founder_birth_year == 1986  # a date in a year column: intake's parse_year takes its year


def test_it_reports_an_id_number_excel_turned_into_a_number() -> None:
    content = xlsx(
        [
            ["企业名称", "乡镇", "负责人", "手机", "身份证号"],
            ["春华农场", "汉丰街道", "周春华", 13983451234, float(ID_NUMBER)],
            ["兴旺竹编", "文峰街道", "李兴旺", 13800001111, ID_NUMBER],
        ]
    )
    sheet = read_rows("list.xlsx", content)
    columns = map_columns(sheet.headers, "500154")

    (form, errors), (good, no_errors) = (row_form(columns, cells, "500154") for _, cells in sheet.rows)

    assert errors == {"founder_id_number": STORED_AS_NUMBER} and form["founder_id_number"] == ""
    assert good["founder_id_number"] == ID_NUMBER and not no_errors


def test_it_reports_an_id_number_a_csv_kept_in_scientific_form() -> None:
    content = "企业名称,乡镇,负责人,联系电话,身份证号\n春华农场,汉丰街道,周春华,1.39835E+10,5.00154E+17\n".encode()
    sheet = read_rows("list.csv", content)
    columns = map_columns(sheet.headers, "500154")

    _, errors = row_form(columns, sheet.rows[0][1], "500154")

    assert errors == {"founder_phone": STORED_AS_NUMBER, "founder_id_number": STORED_AS_NUMBER}


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "list.csv", FILE_EMPTY),
        (bytes(range(256)) * 8, "list.csv", FILE_NOT_TEXT),
        (b"PK\x03\x04 not really a zip", "list.xlsx", FILE_NOT_XLSX),
        (b"<html>not a workbook</html>", "list.xlsx", FILE_NOT_XLSX),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "list.xlsx", FILE_OLD_XLS),
        ("公司名,地址\n春华,开州\n".encode(), "list.csv", FILE_NO_HEADERS),
        ("企業名稱,鄉鎮,負責人\n春華,漢豐,周\n".encode("big5"), "list.csv", FILE_NO_HEADERS),
        ("企业名称,乡镇,负责人,联系电话\n,,,\n".encode(), "list.csv", FILE_NO_ROWS),
    ],
)
def test_it_refuses_a_file_it_cannot_read_with_a_clear_message(content: bytes, filename: str, message: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_rows(filename, content)

    assert caught.value.message == message


def test_it_refuses_a_broken_workbook() -> None:
    content = bytearray(xlsx([["企业名称", "乡镇", "负责人", "联系电话"], ["春华农场", "汉丰街道", "周春华", "1"]]))
    content[len(content) // 2 : len(content) // 2 + 200] = b"\x00" * 200

    with pytest.raises(ImportFileError) as caught:
        read_rows("list.xlsx", bytes(content))

    assert caught.value.message == FILE_NOT_XLSX


def test_it_refuses_too_many_rows() -> None:
    content = "企业名称,乡镇,负责人,联系电话\n" + "春华农场,汉丰街道,周春华,13983451234\n" * 3

    with pytest.raises(ImportFileError) as caught:
        read_rows("list.csv", content.encode(), ReadLimits(max_rows=2))

    assert caught.value.message == FILE_TOO_MANY_ROWS and caught.value.params == {"limit": "2"}


@pytest.mark.parametrize(
    ("filename", "size", "message"),
    [
        ("名单.xlsx", 100, None),
        ("名单.CSV", 100, None),
        ("名单.xls", 100, FILE_OLD_XLS),
        ("名单.pdf", 100, FILE_WRONG_TYPE),
        ("名单.xlsx", 0, FILE_EMPTY),
        ("名单.xlsx", MAX_UPLOAD_BYTES + 1, FILE_TOO_LARGE),
    ],
)
def test_it_checks_an_upload_before_reading_it(filename: str, size: int, message: str | None) -> None:
    assert check_upload(filename, size) == message


@pytest.mark.parametrize(
    ("field", "written", "value"),
    [
        ("legal_form", "个体户", "individual_business"),
        ("legal_form", "有限责任公司", "company"),
        ("legal_form", "农民专业合作社", "farmers_cooperative"),
        ("legal_form", "家庭农场", "family_farm"),
        ("legal_form", "其他", "other"),
        ("legal_form", "company", "company"),
        ("legal_form", "合伙企业", "合伙企业"),  # left for the intake rules to refuse beside its column
        ("district", "开州区", "500154"),
        ("district", "开州", "500154"),
        ("district", "重庆市永川区", "500118"),
        ("district", "500118", "500118"),
        ("district", "石柱土家族自治县", "500240"),
        ("district", "火星区", "火星区"),
        # The industry is read by the intake rules, as for the form and the API (tests/enterprises/test_industries.py).
        ("industry", "农业", "农业"),
        ("industry", "电商", "电商"),
        ("stage", "成长型", "growth"),
        ("status", "正常经营", "operating"),
        ("status", "暂停经营", "suspended"),
        ("status", "已关停", "closed"),
        ("founder_gender", "女", "female"),
        ("founder_birth_year", "1986年5月", "1986年5月"),  # read by intake's parse_year, as for the form
        ("founder_return_year", "2019", "2019"),
    ],
)
def test_it_reads_chinese_values_as_the_forms_values(field: str, written: str, value: str) -> None:
    columns = map_columns(["企业名称", "乡镇", "负责人", "联系电话", COLUMNS[field][0]], "500154")

    form, _ = row_form(columns, ["春华农场", "汉丰街道", "周春华", "13983451234", written], "500154")

    assert form[field] == value


def test_it_finds_the_same_enterprise_twice_in_a_file() -> None:
    seen = SeenRows()
    base = {
        "name": "春华农场",
        "district": "500154",
        "town": "汉丰街道",
        "founder_name": "周",
        "founder_phone": "13983451234",
    }
    first = clean_enterprise(base, None, TODAY)
    seen.add(first, 3)

    assert seen.duplicate_of(clean_enterprise({**base, "founder_name": "李"}, None, TODAY)) == ("name", 3)
    assert seen.duplicate_of(clean_enterprise({**base, "town": "文峰街道"}, None, TODAY)) is None


def test_it_stores_a_cleaned_row_with_its_id_number_encrypted() -> None:
    form = {
        "name": "春华农场",
        "district": "500154",
        "town": "汉丰街道",
        "founder_name": "周春华",
        "founder_phone": "13983451234",
        "founder_id_number": ID_NUMBER,
        "founded_on": "2021-03-15",
        "annual_revenue": "685000",
        "legal_form": "family_farm",
    }
    draft = clean_enterprise(form, None, TODAY)

    data = draft_data(draft, lambda text: "secret:" + text[::-1])

    assert ID_NUMBER not in str(data) and "13983451234" not in str(data)  # both encrypted
    assert draft_from_data(data, lambda token: token.removeprefix("secret:")[::-1]) == draft


def test_it_offers_a_template_it_can_read_back() -> None:
    content = template_workbook()

    sheet = read_rows("template.xlsx", content)
    columns = map_columns(sheet.headers, "")
    [(number, cells)] = sheet.rows
    form, errors = row_form(columns, cells, "")

    assert set(columns.columns) == set(COLUMNS) and not columns.warnings
    assert number == 2 and is_example(form) and not errors
    # The example is a valid row, apart from being marked as the example.
    assert clean_enterprise(form, None, TODAY).founder_id_number == form["founder_id_number"]
    workbook = load_workbook(io.BytesIO(content))
    id_column = TEMPLATE_ORDER.index("founder_id_number") + 1
    assert workbook.worksheets[0].cell(row=2, column=id_column).number_format == "@"
    assert workbook.sheetnames == [TEMPLATE_SHEET, "填写说明", "行业代码"]
