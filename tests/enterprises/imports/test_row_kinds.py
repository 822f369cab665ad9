"""Which rows of a ledger are not data: blank, totals, repeated headers and notes are told from enterprises."""

from __future__ import annotations

import pytest

from enterprises.imports.row_kinds import KindOfRow, row_kind

HEADER = ["序号", "企业名称", "区县", "乡镇（街道）", "负责人", "联系电话", "从业人数", "年营业收入（万元）"]
DATA = ["1", "春华农场", "开州区", "汉丰街道", "周春华", "13983451234", "12", "68"]


@pytest.mark.parametrize(
    ("cells", "kind"),
    [
        (DATA, "data"),
        (["", "春华农场", "", "", "", "", "", ""], "data"),  # a row missing most cells is data with errors
        (["", "合计农机专业合作社", "开州区", "汉丰街道", "周春华", "13983451234", "", ""], "data"),
        (["", "", "", "", "", "", "", ""], "blank"),
        (["  ", "\u3000", "", "", "", "", "", ""], "blank"),
        (["17", "", "", "", "", "", "", ""], "blank"),  # numbered down the printed page
        ([], "blank"),
        (["合计", "", "", "", "", "", "156", "1,280.5"], "totals"),
        (["", "合 计", "", "", "", "", "156", "1280"], "totals"),
        (["", "总计：5户", "", "", "", "", "156", "1280万"], "totals"),
        (["小计", "3家", "", "", "", "", "", ""], "totals"),
        (["", "合计", "开州区", "", "", "", "35", ""], "totals"),
        (HEADER, "header"),
        (["序号", "企业名称", "区县", "乡镇", "", "", "", ""], "header"),
        (["", "名称", "", "镇街", "法人", "", "", ""], "header"),
        (["注：1.本表由乡镇（街道）填报，每季度末报区就业局。"], "note"),
        (["", "填表说明：收入单位为万元，人数为年末数", "", "", "", "", "", ""], "note"),
        (["制表人：张三", "", "", "审核人：李四", "", "填报日期：2024年3月31日", "", ""], "note"),
        (["", "备注", "", "", "", "", "", ""], "note"),
        (["", "2、返乡创业人员指外出务工半年以上返乡的人员。", "", "", "", "", "", ""], "note"),
        (["", "本表所列企业均已在市场监管部门登记注册并正常经营满六个月以上", "", "", "", "", "", ""], "note"),
    ],
)
def test_it_tells_data_from_rows_that_are_not(cells: list[str], kind: str) -> None:
    assert row_kind(cells, HEADER) == kind


def test_it_is_an_enum_of_the_words_the_report_uses() -> None:
    assert {kind.value for kind in KindOfRow} == {"data", "blank", "totals", "header", "note"}
