"""Reading the spreadsheets brokers keep (XLSX or CSV, Chinese headers) into the fields of the intake form.

Pure: bytes in, rows of text out, then each row as the form `enterprises.intake.clean_enterprise` checks.
No framework, database or clock. Error strings are English message ids; `ImportFileError` refuses a
whole file, `row_form` reports what is wrong with one row's cells before the intake rules see them.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.districts import BY_CODE, DISTRICTS
from core.errors import DomainError
from enterprises.classification import INDUSTRY_SECTIONS, EnterpriseStatus, LegalForm, Stage
from enterprises.identifiers import resident_id_check_character
from enterprises.intake import ENTERPRISE_FIELDS, EnterpriseDraft

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# A workbook is a zip: refuse one that would unpack to far more than any list of enterprises.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
EXTENSIONS = (".xlsx", ".csv")
# Rows whose enterprise name starts so are the template's example and are not imported.
EXAMPLE_MARK = "示例"

FILE_TOO_LARGE = "The file is larger than 10 MB. Split it into smaller files."
FILE_EMPTY = "The file is empty."
FILE_WRONG_TYPE = "Only XLSX and CSV files can be imported. Save the list in Excel as .xlsx or .csv."
FILE_OLD_XLS = "This is an old .xls workbook. Open it in Excel and save it as .xlsx, then upload it again."
FILE_NOT_XLSX = "The file is not a readable XLSX workbook. Open it in Excel, save it as .xlsx and upload it again."
FILE_NOT_TEXT = "The file could not be read as CSV text. Save it as CSV (UTF-8 or GBK) or as XLSX."
FILE_NO_ROWS = "The file has column headers but no rows of enterprises."
FILE_TOO_MANY_ROWS = "The file has more than {limit} rows. Split it into smaller files."
FILE_NO_HEADERS = (
    "No column headers we know were found in the first {rows} rows. Use the headers of the template, "
    "such as 企业名称 and 乡镇（街道）; if they are there, save the file as XLSX or as UTF-8 CSV."
)
FILE_MISSING_COLUMNS = "The file lacks required columns: {columns}. Add them (see the template) and upload it again."
COLUMN_UNKNOWN = "Column {letter} ({header}) is not one we know; it was ignored."
COLUMN_REPEATED = "Column {letter} ({header}) repeats column {first}; it was ignored."
STORED_AS_NUMBER = (
    "Excel stored this number as a number and dropped its last digits. "
    "Format the column as text and type the number again."
)
DUPLICATE_IN_FILE = "The same enterprise as row {row} of this file; only the first is imported."

MESSAGES: tuple[str, ...] = (
    FILE_TOO_LARGE,
    FILE_EMPTY,
    FILE_WRONG_TYPE,
    FILE_OLD_XLS,
    FILE_NOT_XLSX,
    FILE_NOT_TEXT,
    FILE_NO_ROWS,
    FILE_TOO_MANY_ROWS,
    FILE_NO_HEADERS,
    FILE_MISSING_COLUMNS,
    COLUMN_UNKNOWN,
    COLUMN_REPEATED,
    STORED_AS_NUMBER,
    DUPLICATE_IN_FILE,
)


class ImportFileError(DomainError):
    """The whole file is refused: it cannot be read, or it lacks required columns."""

    message = FILE_NOT_TEXT


# field -> (the template's header, other headers brokers write). Compared after `normalise_header`,
# which also drops "*" marks and bracketed units, so "企业（个体户）名称", "营收（元）" and "*区县" match.
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": (
        "企业名称",
        ("名称", "企业（个体户）名称", "主体名称", "企业名", "经营主体名称", "市场主体名称", "个体户名称"),
    ),
    "credit_code": ("统一社会信用代码", ("信用代码", "社会信用代码", "统一代码")),
    "credit_code_note": ("信用代码说明", ("代码说明",)),
    "legal_form": ("主体类型", ("类型", "企业类型", "市场主体类型", "组织形式", "主体性质")),
    "district": ("区县", ("所属区县", "区（县）", "区县名称", "区县代码")),
    "town": ("乡镇（街道）", ("乡镇", "镇街", "街道", "乡镇街道", "所属乡镇", "所属镇街", "镇（乡、街道）")),
    "village": ("村（社区）", ("村", "社区", "村社区", "村/社区", "所属村", "村居")),
    "park": ("创业园区", ("园区", "所在园区", "入驻园区")),
    "industry": ("行业门类", ("行业", "所属行业", "行业类别")),
    "main_products": ("主营产品", ("主营业务", "主要产品", "主营产品（服务）")),
    "founded_on": ("成立日期", ("成立时间", "注册日期", "创办时间", "创业时间")),
    "employees": ("从业人数", ("员工数", "员工人数", "带动就业人数", "吸纳就业人数", "用工人数")),
    "migrant_employees": ("吸纳返乡人员", ("返乡农民工人数", "吸纳返乡农民工人数", "吸纳返乡人员数", "吸纳返乡人数")),
    "annual_revenue": ("年营业收入（元）", ("年营业收入", "营收", "年营收", "营业收入", "年收入")),
    "stage": ("发展阶段", ("阶段",)),
    "status": ("经营状态", ("状态", "经营状况")),
    "founder_name": ("创业者姓名", ("负责人", "法人", "法定代表人", "姓名", "经营者姓名", "负责人姓名", "创业者")),
    "founder_gender": ("性别", ()),
    "founder_birth_year": ("出生年份", ("出生年月", "出生日期")),
    "founder_phone": ("联系电话", ("手机", "电话", "手机号", "手机号码", "联系方式", "电话号码")),
    "founder_id_number": ("身份证号", ("身份证号码", "公民身份号码", "身份证")),
    "founder_worked_before": ("返乡前务工地", ("务工地", "原务工地", "外出务工地")),
    "founder_return_year": ("返乡年份", ("返乡时间",)),
}
REQUIRED_FIELDS = ("name", "district", "town", "founder_name", "founder_phone")
# Headers that carry nothing to import and need no warning.
SILENT_HEADERS = frozenset({"序号", "编号", "no", "no.", "#"})
HEADER_SEARCH_ROWS = 10


def normalise_header(text: str) -> str:
    """A header as compared: NFKC, no spaces, no "*" marks, no trailing colon, lower-case."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return folded.strip("*:").lower()


def _without_brackets(header: str) -> str:
    return re.sub(r"\([^)]*\)", "", header)


def _headers() -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, (template_header, variants) in COLUMNS.items():
        for variant in (template_header, *variants, name):
            headers.setdefault(normalise_header(variant), name)
    # "乡镇（街道）" is also known as "乡镇": a header is looked up as written, then without its brackets.
    for key, name in list(headers.items()):
        if bare := _without_brackets(key):
            headers.setdefault(bare, name)
    return headers


HEADERS: dict[str, str] = _headers()

# Values brokers write for the choice fields -> the form's values.
LEGAL_FORMS: dict[str, str] = {
    "公司": LegalForm.COMPANY,
    "有限公司": LegalForm.COMPANY,
    "有限责任公司": LegalForm.COMPANY,
    "股份有限公司": LegalForm.COMPANY,
    "企业": LegalForm.COMPANY,
    "个体工商户": LegalForm.INDIVIDUAL_BUSINESS,
    "个体户": LegalForm.INDIVIDUAL_BUSINESS,
    "个体": LegalForm.INDIVIDUAL_BUSINESS,
    "农民专业合作社": LegalForm.FARMERS_COOPERATIVE,
    "专业合作社": LegalForm.FARMERS_COOPERATIVE,
    "合作社": LegalForm.FARMERS_COOPERATIVE,
    "家庭农场": LegalForm.FAMILY_FARM,
    "其他": LegalForm.OTHER,
    "其它": LegalForm.OTHER,
}
STAGES: dict[str, str] = {
    "生存型": Stage.SURVIVAL,
    "生存": Stage.SURVIVAL,
    "成长型": Stage.GROWTH,
    "成长": Stage.GROWTH,
    "发展型": Stage.DEVELOPMENT,
    "发展": Stage.DEVELOPMENT,
}
STATUSES: dict[str, str] = {
    "正常经营": EnterpriseStatus.OPERATING,
    "正常": EnterpriseStatus.OPERATING,
    "经营": EnterpriseStatus.OPERATING,
    "在营": EnterpriseStatus.OPERATING,
    "存续": EnterpriseStatus.OPERATING,
    "开业": EnterpriseStatus.OPERATING,
    "暂停经营": EnterpriseStatus.SUSPENDED,
    "暂停": EnterpriseStatus.SUSPENDED,
    "停业": EnterpriseStatus.SUSPENDED,
    "歇业": EnterpriseStatus.SUSPENDED,
    "已关停": EnterpriseStatus.CLOSED,
    "关停": EnterpriseStatus.CLOSED,
    "已关闭": EnterpriseStatus.CLOSED,
    "注销": EnterpriseStatus.CLOSED,
    "已注销": EnterpriseStatus.CLOSED,
    "吊销": EnterpriseStatus.CLOSED,
    "倒闭": EnterpriseStatus.CLOSED,
}
GENDERS: dict[str, str] = {"男": "male", "女": "female", "m": "male", "f": "female"}


def _district_key(name: str) -> str:
    return name.removeprefix("重庆市").removeprefix("重庆")


def _district_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for district in DISTRICTS:
        names[district.name_zh] = district.code
        names[district.name_en.lower()] = district.code
        # 开州 for 开州区 and 石柱 for 石柱土家族自治县; 忠县 stays whole (one character is too little to be sure).
        short = re.sub(r"(土家族|苗族)+自治县$|[区县]$", "", district.name_zh)
        if len(short) >= 2:
            names.setdefault(short, district.code)
    return names


DISTRICTS_BY_NAME: dict[str, str] = _district_names()


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def district_code(value: str) -> str:
    """A district's code from its code, its Chinese or English name, or its name without 区/县."""
    text = _plain(value)
    if text in BY_CODE:
        return text
    key = _district_key(text)
    return DISTRICTS_BY_NAME.get(key) or DISTRICTS_BY_NAME.get(key.lower()) or value


_SECTION_NAMES = {letter: names[0] for letter, names in INDUSTRY_SECTIONS.items()}


# Words brokers use for a section that is not a part of its name.
INDUSTRY_ALIASES: dict[str, str] = {
    "农业": "A",
    "种植业": "A",
    "养殖业": "A",
    "种养殖": "A",
    "林业": "A",
    "畜牧业": "A",
    "民宿": "H",
    "餐饮": "H",
    "电商": "F",
}


def _bare(text: str) -> str:
    return re.sub(r"[、，,和及与\s]", "", text)


def industry_letter(value: str) -> str:
    """A GB/T 4754 section from its letter ("A", "A 农、林、牧、渔业"), its name, or a word found in one name only."""
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return ""
    first = text[0].upper()
    if first in INDUSTRY_SECTIONS and (len(text) == 1 or not text[1].isascii() or not text[1].isalpha()):
        return first
    bare = _bare(text)
    if bare in INDUSTRY_ALIASES:
        return INDUSTRY_ALIASES[bare]
    for letter, name in _SECTION_NAMES.items():
        if bare == _bare(name):
            return letter
    found = [letter for letter, name in _SECTION_NAMES.items() if len(bare) >= 2 and bare in _bare(name)]
    return found[0] if len(found) == 1 else value


# --- reading the file -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """The table found in a file: its header row (as the spreadsheet numbers rows) and the rows below it."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]


def check_upload(filename: str, size: int) -> str | None:
    """Why an upload is refused before it is read (a message id), or None."""
    if size == 0:
        return FILE_EMPTY
    if size > MAX_UPLOAD_BYTES:
        return FILE_TOO_LARGE
    if not filename.lower().endswith(EXTENSIONS):
        return FILE_OLD_XLS if filename.lower().endswith(".xls") else FILE_WRONG_TYPE
    return None


_NUMBER_LOST_DIGITS = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)


def cell_text(value: Any) -> str:
    """A cell as the text a broker sees: dates as 2021-03-15, 13800000000.0 as 13800000000.

    Numbers too long for Excel's 15 significant digits keep the scientific form Excel shows
    (5.00154199001011E+17), so that an ID number stored as a number is reported, not mangled.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time | timedelta):
        return str(value)
    if isinstance(value, int):
        return str(value)  # an integer in the file's XML is exact, however long
    if isinstance(value, float):
        if abs(value) >= 1e15:
            return f"{value:.15G}"
        if value.is_integer():
            return str(int(value))
        return f"{value:.15G}"
    return str(value)


def _sniff_header(rows: Iterable[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """The first of the leading rows with two or more known headers (a title row may come first)."""
    for number, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        if sum(1 for cell in cells if header_field(cell)) >= 2:
            return number, cells
    raise ImportFileError(FILE_NO_HEADERS, rows=HEADER_SEARCH_ROWS)


def _table(numbered: Iterator[tuple[int, list[str]]]) -> Sheet:
    header_row, headers = _sniff_header(numbered)
    rows: list[tuple[int, list[str]]] = []
    for number, cells in numbered:
        if any(cell.strip() for cell in cells):
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise ImportFileError(FILE_TOO_MANY_ROWS, limit=MAX_ROWS)
    if not rows:
        raise ImportFileError(FILE_NO_ROWS)
    return Sheet(headers=headers, header_row=header_row, rows=rows)


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
                raise ImportFileError(FILE_NOT_XLSX)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises whatever its zip and XML parsers raise on a broken file
        raise ImportFileError(FILE_NOT_XLSX) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value).strip() for value in values]
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(FILE_NOT_XLSX) from exc
    finally:
        workbook.close()


def decode_text(content: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else GBK/GB18030."""
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ImportFileError(FILE_NOT_TEXT)


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode_text(content)
    leading = "\n".join(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    delimiter = max(",\t;", key=leading.count)
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            yield number, [cell.strip() for cell in cells]
    except csv.Error as exc:
        raise ImportFileError(FILE_NOT_TEXT) from exc


def read_rows(filename: str, content: bytes) -> Sheet:
    """The table of an XLSX or CSV file (told apart by content, not name); `ImportFileError` when unreadable.

    Completely empty rows are skipped; row numbers are the spreadsheet's own. The rows are read
    in full, so that an unreadable file is refused before any row is stored.
    """
    if not content:
        raise ImportFileError(FILE_EMPTY)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(FILE_OLD_XLS)
    if content.startswith(b"PK\x03\x04"):
        return _table(_xlsx_rows(content))
    if filename.lower().endswith(".xlsx"):
        raise ImportFileError(FILE_NOT_XLSX)
    return _table(_csv_rows(content))


# --- headers to fields ------------------------------------------------------------------------------------------


def header_field(header: str) -> str | None:
    """The form field a header names, or None."""
    key = normalise_header(header)
    if not key:
        return None
    return HEADERS.get(key) or HEADERS.get(_without_brackets(key))


def _scale(header: str) -> int:
    """How many yuan one unit of a money column is: 10000 for "年营业收入（万元）"."""
    return 10_000 if "万元" in normalise_header(header) else 1


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    index: int
    scale: int = 1

    @property
    def letter(self) -> str:
        return str(get_column_letter(self.index + 1))


@dataclass(frozen=True)
class ColumnWarning:
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ColumnMap:
    columns: dict[str, Column]
    warnings: list[ColumnWarning]

    def column_of(self, field_name: str) -> Column | None:
        return self.columns.get(field_name)


def map_columns(headers: Sequence[str], default_district: str) -> ColumnMap:
    """Which column holds which field; `ImportFileError` naming the required columns that are missing.

    The district column may be left out by an uploader who has a district: his is the default.
    """
    columns: dict[str, Column] = {}
    warnings: list[ColumnWarning] = []
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        letter = get_column_letter(index + 1)
        name = header_field(header)
        if name is None:
            if normalise_header(header) not in SILENT_HEADERS:
                warnings.append(ColumnWarning(COLUMN_UNKNOWN, {"letter": letter, "header": header}))
            continue
        if name in columns:
            warnings.append(
                ColumnWarning(COLUMN_REPEATED, {"letter": letter, "header": header, "first": columns[name].letter})
            )
            continue
        columns[name] = Column(field=name, header=header, index=index, scale=_scale(header))
    missing = [
        name for name in REQUIRED_FIELDS if name not in columns and not (name == "district" and default_district)
    ]
    if missing:
        raise ImportFileError(FILE_MISSING_COLUMNS, columns="、".join(COLUMNS[name][0] for name in missing))
    return ColumnMap(columns=columns, warnings=warnings)


# --- one row to one form ----------------------------------------------------------------------------------------


def _year(text: str) -> str:
    match = re.match(r"^(\d{4})\s*[-/.年]", text)
    return match[1] if match else text


def _money(text: str, scale: int) -> str:
    """Yuan from "68万", "68万元", or 68 in a column headed "（万元）"."""
    plain = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    if plain.endswith(("万", "万元")):
        plain, scale = plain.removesuffix("元").removesuffix("万").strip(), 10_000
    if scale == 1:
        return text
    try:
        return str(Decimal(plain) * scale)
    except InvalidOperation:
        return text


def _choice(mapping: Mapping[str, str], text: str) -> str:
    key = _plain(text)
    return str(mapping.get(key) or mapping.get(key.lower()) or text)


CONVERTERS: dict[str, Callable[[str], str]] = {
    "legal_form": lambda text: _choice(LEGAL_FORMS, text),
    "stage": lambda text: _choice(STAGES, text),
    "status": lambda text: _choice(STATUSES, text),
    "founder_gender": lambda text: _choice(GENDERS, text),
    "district": district_code,
    "industry": industry_letter,
    "founder_birth_year": _year,
    "founder_return_year": _year,
}
# Identifiers that Excel mangles when they are typed into a number cell.
TEXT_IDENTIFIERS = ("founder_id_number", "credit_code", "founder_phone")


def row_form(columns: ColumnMap, cells: Sequence[str], default_district: str) -> tuple[dict[str, str], dict[str, str]]:
    """A row's cells as the intake form's fields, and the errors found in the cells themselves (field -> id).

    Chinese choices (个体工商户, 男, 开州区 …) become the form's values; a value not recognised is
    passed on as written, so that the intake rules name it wrong beside its column.
    """
    form = dict.fromkeys(ENTERPRISE_FIELDS, "")
    errors: dict[str, str] = {}
    for name, column in columns.columns.items():
        text = cells[column.index].strip() if column.index < len(cells) else ""
        if not text:
            continue
        if name in TEXT_IDENTIFIERS and _NUMBER_LOST_DIGITS.match(text):
            errors[name] = STORED_AS_NUMBER
            continue
        if name == "annual_revenue":
            text = _money(text, column.scale)
        converter = CONVERTERS.get(name)
        form[name] = converter(text) if converter else text
    if not form["district"]:
        form["district"] = default_district
    return form, errors


def is_example(form: Mapping[str, str]) -> bool:
    """The template's example row, left in by the user."""
    return form.get("name", "").strip().startswith(EXAMPLE_MARK)


# --- finding duplicates within a file ---------------------------------------------------------------------------


def match_keys(draft: EnterpriseDraft) -> list[tuple[str, ...]]:
    """How a cleaned row is recognised as an enterprise already known: its credit code, or its name in its town."""
    keys: list[tuple[str, ...]] = []
    if draft.credit_code:
        keys.append(("code", draft.credit_code))
    keys.append(("place", draft.district, draft.town, draft.name))
    return keys


@dataclass
class SeenRows:
    """The rows of a file already accepted, by match key, to refuse the same enterprise twice."""

    first_row: dict[tuple[str, ...], int] = field(default_factory=dict)

    def duplicate_of(self, draft: EnterpriseDraft) -> tuple[str, int] | None:
        """(the field it repeats, the earlier row) when this enterprise came earlier in the file."""
        for key in match_keys(draft):
            if key in self.first_row:
                return ("credit_code" if key[0] == "code" else "name"), self.first_row[key]
        return None

    def add(self, draft: EnterpriseDraft, row_number: int) -> None:
        for key in match_keys(draft):
            self.first_row.setdefault(key, row_number)


# --- a cleaned row, stored between the dry run and the import ---------------------------------------------------


def draft_data(draft: EnterpriseDraft, encrypt: Callable[[str], str]) -> dict[str, Any]:
    """A draft as JSON, its ID number encrypted (`encrypt`), so the dry run's verdict can be applied later."""
    data: dict[str, Any] = {}
    for name in EnterpriseDraft.__dataclass_fields__:
        value = getattr(draft, name)
        if name == "founder_id_number":
            data["founder_id_number_cipher"] = encrypt(value) if value else ""
        elif isinstance(value, date):
            data[name] = value.isoformat()
        elif isinstance(value, Decimal):
            data[name] = str(value)
        else:
            data[name] = value
    return data


def draft_from_data(data: Mapping[str, Any], decrypt: Callable[[str], str]) -> EnterpriseDraft:
    """The draft `draft_data` stored."""
    values: dict[str, Any] = {name: data.get(name) for name in EnterpriseDraft.__dataclass_fields__}
    cipher = str(data.get("founder_id_number_cipher") or "")
    values["founder_id_number"] = decrypt(cipher) if cipher else ""
    values["founded_on"] = date.fromisoformat(values["founded_on"]) if values["founded_on"] else None
    revenue = values["annual_revenue"]
    values["annual_revenue"] = Decimal(revenue) if revenue not in (None, "") else None
    values["legal_form"] = LegalForm(values["legal_form"])
    values["stage"] = Stage(values["stage"])
    values["status"] = EnterpriseStatus(values["status"])
    return EnterpriseDraft(**values)


# --- the template -----------------------------------------------------------------------------------------------

TEMPLATE_SHEET = "企业名单"
TEMPLATE_EXAMPLE: dict[str, str | int] = {
    "name": "示例：开州区春华柑橘家庭农场",
    "credit_code": "",
    "legal_form": "家庭农场",
    "district": "开州区",
    "town": "汉丰街道",
    "village": "东华社区",
    "park": "",
    "industry": "农、林、牧、渔业",
    "main_products": "脐橙、柑橘苗木",
    "founded_on": "2021-03-15",
    "employees": 12,
    "migrant_employees": 5,
    "annual_revenue": 680000,
    "stage": "成长型",
    "status": "正常经营",
    "founder_name": "周春华",
    "founder_gender": "男",
    "founder_birth_year": 1986,
    "founder_phone": "13983451234",
    "founder_id_number": "50023419860101123" + resident_id_check_character("50023419860101123"),
    "founder_worked_before": "广东东莞",
    "founder_return_year": 2019,
    "credit_code_note": "",
}
TEMPLATE_NOTES: dict[str, str] = {
    "name": "必填",
    "credit_code": "18位；尚未取得可不填。请将此列设为文本格式",
    "legal_form": "公司、个体工商户、农民专业合作社、家庭农场、其他",
    "district": "区县名称或6位代码；不填则为您所在区县",
    "town": "必填",
    "industry": "国民经济行业门类字母或名称，如 A 或 农、林、牧、渔业",
    "founded_on": "如 2021-03-15",
    "annual_revenue": "元；表头写“年营业收入（万元）”则按万元计",
    "stage": "生存型、成长型、发展型",
    "status": "正常经营、暂停经营、已关停",
    "founder_name": "必填",
    "founder_gender": "男、女",
    "founder_phone": "必填；手机11位或带区号的座机",
    "founder_id_number": "18位；请将此列设为文本格式，否则Excel会改掉末几位",
    "credit_code_note": "信用代码校验不通过但与执照一致时，说明原因",
}
TEMPLATE_ORDER = (
    "name", "credit_code", "legal_form", "district", "town", "village", "park", "industry", "main_products",
    "founded_on", "employees", "migrant_employees", "annual_revenue", "stage", "status",
    "founder_name", "founder_gender", "founder_birth_year", "founder_phone", "founder_id_number",
    "founder_worked_before", "founder_return_year", "credit_code_note",
)  # fmt: skip


def template_headers() -> list[str]:
    """The template's headers, required ones marked with "*"."""
    return [COLUMNS[name][0] + ("*" if name in REQUIRED_FIELDS else "") for name in TEMPLATE_ORDER]


def template_workbook() -> bytes:
    """The XLSX template: the headers brokers know, one example row (invented), and a sheet of notes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = TEMPLATE_SHEET
    sheet.append(template_headers())
    sheet.append([TEMPLATE_EXAMPLE.get(name, "") for name in TEMPLATE_ORDER])
    sheet.freeze_panes = "A2"
    for index, name in enumerate(TEMPLATE_ORDER, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 22 if name in TEXT_IDENTIFIERS or name == "name" else 14
        if name in TEXT_IDENTIFIERS:
            # Text cells keep every digit of an ID number; Excel would round a number to 15 digits.
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
    for name, options in (
        ("legal_form", "公司,个体工商户,农民专业合作社,家庭农场,其他"),
        ("stage", "生存型,成长型,发展型"),
        ("status", "正常经营,暂停经营,已关停"),
        ("founder_gender", "男,女"),
    ):
        letter = get_column_letter(TEMPLATE_ORDER.index(name) + 1)
        validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        validation.add(f"{letter}2:{letter}2000")
        sheet.add_data_validation(validation)
    notes = workbook.create_sheet("填写说明")
    notes.append(["列", "表头", "说明"])
    for index, name in enumerate(TEMPLATE_ORDER, start=1):
        notes.append([get_column_letter(index), COLUMNS[name][0], TEMPLATE_NOTES.get(name, "")])
    notes.append([])
    notes.append(
        ["", "", f"企业名称以“{EXAMPLE_MARK}”开头的行不会导入；带 * 的列必填。也可上传 UTF-8 或 GBK 编码的 CSV 文件。"]
    )
    notes.column_dimensions["B"].width = 18
    notes.column_dimensions["C"].width = 60
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
