"""The headers brokers write above their columns, and the field of the intake form each one names.

Pure: no framework, database or clock.
"""

from __future__ import annotations

import re
import unicodedata

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
    "district": (
        "区县",
        (
            "所属区县",
            "所在区县",
            "区（县）",
            "区县（自治县）",
            "区县名称",
            "区县代码",
            "所在区县（自治县）",
            "县区",
            "所属区县（市）",
        ),
    ),
    "town": (
        "乡镇（街道）",
        (
            "乡镇",
            "镇街",
            "街道",
            "乡镇街道",
            "所属乡镇",
            "所属镇街",
            "镇（乡、街道）",
            "所在乡镇",
            "所在乡镇（街道）",
            "所属乡镇（街道）",
        ),
    ),
    "village": ("村（社区）", ("村", "社区", "村社区", "村/社区", "所属村", "村居")),
    "park": ("创业园区", ("园区", "所在园区", "入驻园区")),
    "industry": ("行业门类", ("行业", "所属行业", "行业类别", "行业分类", "所属行业类别", "产业类别", "经营行业")),
    "main_products": ("主营产品", ("主营业务", "主要产品", "主营产品（服务）")),
    "founded_on": ("成立日期", ("成立时间", "注册日期", "创办时间", "创业时间")),
    "employees": (
        "从业人数",
        ("员工数", "员工人数", "带动就业人数", "吸纳就业人数", "用工人数", "职工人数", "从业人员数", "员工总数"),
    ),
    "migrant_employees": (
        "吸纳返乡人员",
        (
            "返乡农民工人数",
            "吸纳返乡农民工人数",
            "吸纳返乡人员数",
            "吸纳返乡人数",
            # the ledgers' words for the same count (need/outcome columns, issue 11)
            "吸纳返乡农民工数",
            "带动返乡农民工就业人数",
            "返乡农民工数",
            "吸纳农民工",
            "吸纳农民工数",
            "吸纳农民工人数",
            "带动返乡就业人数",
        ),
    ),
    "annual_revenue": (
        "年营业收入（元）",
        ("年营业收入", "营收", "年营收", "营业收入", "年收入", "年销售收入", "销售收入", "营业额", "年营业额"),
    ),
    "stage": ("发展阶段", ("阶段",)),
    "status": ("经营状态", ("状态", "经营状况")),
    "founder_name": ("创业者姓名", ("负责人", "法人", "法定代表人", "姓名", "经营者姓名", "负责人姓名", "创业者")),
    "founder_gender": ("性别", ()),
    "founder_birth_year": ("出生年份", ("出生年月", "出生日期")),
    "founder_phone": ("联系电话", ("手机", "电话", "手机号", "手机号码", "联系方式", "电话号码")),
    "founder_id_number": ("身份证号", ("身份证号码", "公民身份号码", "身份证")),
    "founder_worked_before": ("返乡前务工地", ("务工地", "原务工地", "外出务工地")),
    "founder_return_year": ("返乡年份", ("返乡时间",)),
    # The need a ledger writes beside the enterprise, filed as cases on import (need_columns.py).
    "need_category": (
        "需求类别",
        ("需求类型", "帮扶需求", "需求", "需求分类", "主要需求", "帮扶需求类别", "需求类别（可多选）"),
    ),
    "need_description": ("需求描述", ("需求说明", "具体需求", "需求内容", "需求详情", "具体困难", "需求情况")),
}
REQUIRED_FIELDS = ("name", "district", "town", "founder_name", "founder_phone")
# Headers that carry nothing to import and need no warning.
SILENT_HEADERS = frozenset({"序号", "编号", "no", "no.", "#"})


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


def header_field(header: str) -> str | None:
    """The form field a header names, or None."""
    key = normalise_header(header)
    if not key:
        return None
    return HEADERS.get(key) or HEADERS.get(_without_brackets(key))
