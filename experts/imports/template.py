"""The XLSX template of the pool's spreadsheet: its headers, an example row and a sheet of notes.

Built by `enterprises.imports.template_builder`; here is only what is the pool's.

Pure: no framework, database or clock.
"""

from __future__ import annotations

from enterprises.imports import template_builder
from experts.imports.rows import COLUMNS, EXAMPLE_MARK, REQUIRED_FIELDS, TEMPLATE_ORDER

TEMPLATE_SHEET = "专家名单"
TEMPLATE_EXAMPLE: dict[str, str | int] = {
    "name": "示例：李明",
    "organisation": "重庆市农业科学院",
    "title": "高级农艺师",
    "specialties": "技术、市场销售",
    "supporting_specialties": "融资",
    "industries": "A",
    "districts": "开州区、云阳县",
    "capacity": 5,
    "available": "是",
    "away_until": "",
    "bio": "从事柑橘栽培技术推广二十年",
    "username": "",
}
TEMPLATE_NOTES: dict[str, str] = {
    "name": "必填",
    "specialties": "可填多个，用顿号分隔：融资、技术、市场销售、经营管理、人才招聘与技能、"
    "政策咨询、法律、用地与场地、电商与品牌、其他",
    "supporting_specialties": "同上；已在主导领域中的不必重复",
    "industries": "国民经济行业门类字母或名称，多个用逗号分隔，如 A,C",
    "districts": "区县名称或6位代码，多个用顿号分隔；不填或填“全市”为全市范围",
    "capacity": "0到50的整数，不填为5",
    "available": "是、否；不填为是",
    "away_until": "如 2026-08-31；不能早于今天",
    "username": "已在系统中开通的专家账号用户名，可不填",
}

SPEC = template_builder.TemplateSpec(
    sheet=TEMPLATE_SHEET,
    order=TEMPLATE_ORDER,
    columns=COLUMNS,
    required=REQUIRED_FIELDS,
    example=TEMPLATE_EXAMPLE,
    notes=TEMPLATE_NOTES,
    row_label="姓名",
    example_mark=EXAMPLE_MARK,
    widths={"specialties": 24, "bio": 24},
    notes_widths={"C": 70},
)


def template_headers() -> list[str]:
    return template_builder.template_headers(SPEC)


def template_workbook() -> bytes:
    return template_builder.template_workbook(SPEC)
