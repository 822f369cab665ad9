"""The needs a ledger writes beside an enterprise: its need category cell split into categories, and the needs to file.

Pure: no framework, database or clock. A cell holds one or several categories in the words people
use ("资金、技术", "融资/市场销售", "贷款 电商"), separated by 、，,；;/ or spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from enterprises.classification import NeedCategory

# No {placeholders}: a row's errors carry no parameters of their own; the failed-rows download shows the cell.
NEED_CATEGORY_UNKNOWN = (
    "This need category is not one we know. Write one or several of 融资, 技术, 市场销售, 经营管理, 人才招聘与技能, "
    "政策咨询, 法律, 用地与场地, 电商与品牌, 其他, separated by 、 or /."
)
NEED_WITHOUT_CATEGORY = "The need description needs a need category beside it (资金, 技术, 市场 …)."

# Word -> category: the labels the pages show (融资, 市场销售 …) and the words ledgers use for them. A cell
# part is matched whole first, then by the longest word it contains ("小额贷款" → 贷款 → financing).
WORDS: dict[str, NeedCategory] = {
    **dict.fromkeys(
        ("融资", "资金", "贷款", "信贷", "担保", "资金支持", "融资贷款", "创业担保贷款", "贴息", "金融"),
        NeedCategory.FINANCING,
    ),
    **dict.fromkeys(("技术", "技术指导", "技术支持", "科技", "技术培训", "种养技术", "农技"), NeedCategory.TECHNOLOGY),
    **dict.fromkeys(("市场销售", "市场", "销售", "销路", "营销", "市场开拓", "产品销售", "订单"), NeedCategory.MARKET),
    **dict.fromkeys(("经营管理", "管理", "管理咨询", "财务", "财税"), NeedCategory.MANAGEMENT),
    **dict.fromkeys(
        ("人才招聘与技能", "人才", "用工", "招聘", "招工", "技能", "技能培训", "培训", "人力"), NeedCategory.HIRING
    ),
    **dict.fromkeys(("政策咨询", "政策", "政策扶持", "补贴", "政策支持", "奖补"), NeedCategory.POLICY),
    **dict.fromkeys(("法律", "法律咨询", "法务", "维权", "合同"), NeedCategory.LEGAL),
    **dict.fromkeys(("用地与场地", "用地", "场地", "厂房", "土地", "场所", "门面", "仓储"), NeedCategory.PREMISES),
    **dict.fromkeys(
        ("电商与品牌", "电商", "电子商务", "网店", "直播", "直播带货", "品牌", "包装"), NeedCategory.ECOMMERCE
    ),
    **dict.fromkeys(("其他", "其它"), NeedCategory.OTHER),
    # The form's own values, for a sheet written from an export.
    **{category.value: category for category in NeedCategory},
}
_SEPARATORS = re.compile(r"[、，,；;/／|\s]+")
_NOTHING = frozenset({"无", "暂无", "没有", "-", "—", "/"})
# A part like "资金需求" or "需要技术": the words around the category say nothing.
_FILLER = re.compile(r"^(需要|缺乏|缺少|寻求)|(需求|支持|帮扶|问题|方面|类)$")


def _category_of(part: str) -> NeedCategory | None:
    if part in WORDS:
        return WORDS[part]
    bare = _FILLER.sub("", part)
    if bare in WORDS:
        return WORDS[bare]
    contained = [word for word in WORDS if len(word) > 1 and word in part]
    return WORDS[max(contained, key=len)] if contained else None


def split_categories(text: str) -> tuple[list[NeedCategory], list[str]]:
    """The categories a cell names, each once in the order written, and the parts not understood (as written)."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    if folded in _NOTHING:
        return [], []
    categories: list[NeedCategory] = []
    unknown: list[str] = []
    for part in _SEPARATORS.split(folded):
        if not part or part in _NOTHING:
            continue
        category = _category_of(part)
        if category is None:
            unknown.append(part)
        elif category not in categories:
            categories.append(category)
    return categories, unknown


def cell_errors(category_text: str, description: str) -> dict[str, str]:
    """What is wrong with a row's need cells (field -> message id), for the row's report."""
    categories, unknown = split_categories(category_text)
    if unknown:
        return {"need_category": NEED_CATEGORY_UNKNOWN}
    if description.strip() and not categories:
        return {"need_category": NEED_WITHOUT_CATEGORY}
    return {}


def sheet_needs(form: Mapping[str, str]) -> list[dict[str, str]]:
    """The needs to file for a row, as the need form's fields: one per category, sharing the description.

    A row without a description is described by its category cell as written, so the officer sees what
    the ledger said.
    """
    category_text = form.get("need_category", "")
    categories, _ = split_categories(category_text)
    description = form.get("need_description", "").strip() or category_text.strip()
    return [{"category": category.value, "description": description, "urgency": "normal"} for category in categories]
