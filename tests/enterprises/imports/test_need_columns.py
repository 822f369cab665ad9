"""The need category cell of a ledger split into the registry's need categories."""

from __future__ import annotations

import pytest

from enterprises.classification import NeedCategory as N
from enterprises.imports.need_columns import (
    NEED_CATEGORY_UNKNOWN,
    NEED_WITHOUT_CATEGORY,
    cell_errors,
    sheet_needs,
    split_categories,
)

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("text", "categories", "unknown"),
    [
        ("资金", [N.FINANCING], []),
        ("融资", [N.FINANCING], []),
        ("贷款", [N.FINANCING], []),
        ("技术", [N.TECHNOLOGY], []),
        ("销售", [N.MARKET], []),
        ("市场销售", [N.MARKET], []),
        ("电商", [N.ECOMMERCE], []),
        ("电商与品牌", [N.ECOMMERCE], []),
        ("用工", [N.HIRING], []),
        ("人才招聘与技能", [N.HIRING], []),
        ("政策咨询", [N.POLICY], []),
        ("法律", [N.LEGAL], []),
        ("场地", [N.PREMISES], []),
        ("经营管理", [N.MANAGEMENT], []),
        ("其他", [N.OTHER], []),
        ("financing", [N.FINANCING], []),  # the form's own value, from an export
        # several, by every separator people use
        ("资金、技术", [N.FINANCING, N.TECHNOLOGY], []),
        ("资金，技术,市场", [N.FINANCING, N.TECHNOLOGY, N.MARKET], []),
        ("资金；技术;电商", [N.FINANCING, N.TECHNOLOGY, N.ECOMMERCE], []),
        ("融资/市场销售", [N.FINANCING, N.MARKET], []),
        ("贷款 电商", [N.FINANCING, N.ECOMMERCE], []),
        ("资金　技术", [N.FINANCING, N.TECHNOLOGY], []),  # a full-width space
        ("资金、、技术、", [N.FINANCING, N.TECHNOLOGY], []),
        # the same category twice is one need
        ("资金、贷款、融资", [N.FINANCING], []),
        # words around the category
        ("资金需求", [N.FINANCING], []),
        ("需要技术", [N.TECHNOLOGY], []),
        ("小额贷款", [N.FINANCING], []),
        ("技术指导、产品销售", [N.TECHNOLOGY, N.MARKET], []),
        # nothing to file
        ("", [], []),
        ("无", [], []),
        ("暂无", [], []),
        # not understood: named as written
        ("天气", [], ["天气"]),
        ("资金、天气", [N.FINANCING], ["天气"]),
    ],
)
def test_it_splits_a_category_cell(text: str, categories: list[N], unknown: list[str]) -> None:
    assert split_categories(text) == (categories, unknown)


@pytest.mark.parametrize(
    ("category", "description", "errors"),
    [
        ("资金、技术", "想扩大种植规模", {}),
        ("资金", "", {}),
        ("", "", {}),
        ("无", "", {}),
        ("天气", "", {"need_category": NEED_CATEGORY_UNKNOWN}),
        ("", "缺少冷库", {"need_category": NEED_WITHOUT_CATEGORY}),
    ],
)
def test_it_reports_need_cells_it_cannot_file(category: str, description: str, errors: dict[str, str]) -> None:
    assert cell_errors(category, description) == errors


def test_it_files_one_need_per_category_sharing_the_description() -> None:
    needs = sheet_needs({"need_category": "资金、技术", "need_description": "  扩建冷库  "})
    assert needs == [
        {"category": "financing", "description": "扩建冷库", "urgency": "normal"},
        {"category": "technology", "description": "扩建冷库", "urgency": "normal"},
    ]


def test_it_describes_a_need_without_description_by_its_category_cell() -> None:
    assert sheet_needs({"need_category": "贷款"}) == [
        {"category": "financing", "description": "贷款", "urgency": "normal"}
    ]


def test_it_files_nothing_for_a_row_without_needs() -> None:
    assert sheet_needs({"need_category": "", "need_description": ""}) == []
