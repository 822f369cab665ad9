"""The pool's spreadsheet: which column holds which field, and one row to a profile's values.

Pure: no framework, database or clock (`today` is an argument). A cell may hold several values
("融资、市场"; industries by letter or name, separated by commas); each value is a code or its
Chinese name, and an unknown one is an error naming it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openpyxl.utils import get_column_letter

from core.districts import BY_CODE
from core.errors import Invalid
from enterprises.imports.headers import normalise_header
from enterprises.imports.values import district_code, industry_letter
from experts.profile_rules import CATEGORIES, CITY_FIELDS, SECTIONS, Load, parse_profile

EXAMPLE_MARK = "示例"

# field -> (the template's header, other headers people write)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "name": ("姓名", ("专家姓名", "名字")),
    "organisation": ("工作单位", ("单位", "所在单位", "工作单位及职务")),
    "title": ("职称", ("职务", "职称职务")),
    "specialties": ("主导领域", ("专长", "擅长领域", "专业领域", "主导专长")),
    "supporting_specialties": ("协助领域", ("辅助领域", "协助专长")),
    "industries": ("熟悉行业", ("行业", "行业门类", "熟悉行业门类")),
    "districts": ("服务区县", ("区县", "服务区域", "服务范围")),
    "capacity": ("容量", ("最多承接案件数", "承接上限", "同时承接案件数")),
    "available": ("是否接案", ("可接案", "接案")),
    "away_until": ("外出至", ("外出截至", "暂停至")),
    "bio": ("简介", ("个人简介", "专家简介")),
    "username": ("账号", ("用户名", "登录账号")),
}
REQUIRED_FIELDS = ("name",)
TEMPLATE_ORDER = tuple(COLUMNS)

# The need categories as the bureau writes them (their Chinese labels), and a few other words.
CATEGORY_NAMES: dict[str, str] = {
    "融资": "financing",
    "技术": "technology",
    "市场销售": "market",
    "市场": "market",
    "经营管理": "management",
    "管理": "management",
    "人才招聘与技能": "hiring",
    "用工": "hiring",
    "政策咨询": "policy",
    "政策": "policy",
    "法律": "legal",
    "用地与场地": "premises",
    "场地": "premises",
    "电商与品牌": "ecommerce",
    "电商": "ecommerce",
    "其他": "other",
}
YES = frozenset({"是", "可", "可接案", "yes", "y", "1", "true"})
NO = frozenset({"否", "不", "暂停", "no", "n", "0", "false"})
CITY_WIDE = frozenset({"全市", "全市范围", "市级"})

FILE_NO_NAME_COLUMN = (
    "The file lacks the column of the experts' names (姓名). Add it (see the template) and upload it again."
)
UNKNOWN_SPECIALTY = "Unknown need category: {specialty}. Use the categories of the template."
UNKNOWN_SUPPORTING = "Unknown need category: {supporting}. Use the categories of the template."
UNKNOWN_INDUSTRY = "Unknown industry: {industry}. Write the section's letter or name."
UNKNOWN_DISTRICT_NAMED = "Unknown district: {district}. Write the district's name or code, or 全市."
DUPLICATE_EXPERT = "The same expert (name and organisation) as row {row} of this file; only the first is imported."


@dataclass(frozen=True)
class HeaderMap:
    columns: dict[str, int]  # field -> column index
    headers: dict[str, str]  # field -> the header as written

    def described(self) -> dict[str, dict[str, str]]:
        """For the row report: each field's header and column letter."""
        return {
            name: {"header": self.headers[name], "letter": str(get_column_letter(index + 1))}
            for name, index in self.columns.items()
        }


def _known_headers() -> dict[str, str]:
    known: dict[str, str] = {}
    for name, (header, variants) in COLUMNS.items():
        for text in (header, *variants, name):
            known.setdefault(normalise_header(text), name)
    return known


KNOWN_HEADERS = _known_headers()


def is_header(text: str) -> bool:
    return normalise_header(text) in KNOWN_HEADERS


def map_headers(headers: Sequence[str]) -> HeaderMap | None:
    """Which column holds which field; None when the name column is missing. The first of a repeated field wins."""
    columns: dict[str, int] = {}
    written: dict[str, str] = {}
    for index, header in enumerate(headers):
        name = KNOWN_HEADERS.get(normalise_header(header))
        if name is not None and name not in columns:
            columns[name], written[name] = index, header
    return HeaderMap(columns, written) if "name" in columns else None


def _split(text: str, separators: str) -> list[str]:
    parts = re.split(f"[{separators}]", unicodedata.normalize("NFKC", text))
    return [part.strip() for part in parts if part.strip()]


@dataclass
class Parsed:
    values: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    username: str = ""


def _categories(
    text: str, errors: dict[str, str], params: dict[str, str], name: str, message: str, param: str
) -> list[str]:
    found = []
    for word in _split(text, ",，、;；/ "):
        value = word.lower() if word.lower() in CATEGORIES else CATEGORY_NAMES.get(word)
        if value is None:
            errors.setdefault(name, message)
            params.setdefault(param, word)
        elif value not in found:
            found.append(value)
    return found


def parse_row(cells: Sequence[str], columns: HeaderMap, today: date, load: int = 0) -> Parsed:
    """One row's profile values, or the errors naming each bad value (and the params the messages name)."""
    cell = {name: (cells[index] if index < len(cells) else "").strip() for name, index in columns.columns.items()}
    errors: dict[str, str] = {}
    params: dict[str, str] = {}
    form: dict[str, Any] = {name: cell.get(name, "") for name in ("name", "organisation", "title", "bio", "away_until")}
    form["specialties"] = _categories(
        cell.get("specialties", ""), errors, params, "specialties", UNKNOWN_SPECIALTY, "specialty"
    )
    form["supporting_specialties"] = _categories(
        cell.get("supporting_specialties", ""),
        errors,
        params,
        "supporting_specialties",
        UNKNOWN_SUPPORTING,
        "supporting",
    )
    industries = []
    for word in _split(cell.get("industries", ""), ",，;；/"):
        letter = industry_letter(word)
        if letter not in SECTIONS:
            errors.setdefault("industries", UNKNOWN_INDUSTRY)
            params.setdefault("industry", word)
        elif letter not in industries:
            industries.append(letter)
    form["industries"] = industries
    districts = []
    for word in _split(cell.get("districts", ""), ",，、;；/ "):
        if word in CITY_WIDE:
            continue
        code = district_code(word)
        if code not in BY_CODE:
            errors.setdefault("districts", UNKNOWN_DISTRICT_NAMED)
            params.setdefault("district", word)
        elif code not in districts:
            districts.append(code)
    form["districts"] = districts
    form["capacity"] = cell.get("capacity") or "5"
    answer = cell.get("available", "").lower()
    form["available"] = "no" if answer in NO else "yes" if answer in YES or not answer else answer
    try:
        values = parse_profile(form, CITY_FIELDS, today, Load(load))
    except Invalid as invalid:
        errors = {**invalid.errors, **errors}  # the message naming a bad value says more
        return Parsed(None, errors, params, cell.get("username", ""))
    if errors:
        return Parsed(None, errors, params, cell.get("username", ""))
    return Parsed(values, username=cell.get("username", ""))


def is_example(cells: Sequence[str], columns: HeaderMap) -> bool:
    index = columns.columns["name"]
    return index < len(cells) and cells[index].strip().startswith(EXAMPLE_MARK)


def match_key(values: dict[str, Any]) -> tuple[str, str]:
    """Two rows (or a row and an expert of the pool) are the same expert if name and organisation are."""
    return (str(values.get("name", "")), str(values.get("organisation", "")))
