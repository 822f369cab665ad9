"""The words brokers write for the form's choices, districts and industries, and the form's values they stand for.

Pure: no framework, database or clock. A word not recognised is left as written, so that the
intake rules name it wrong beside its column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from core.districts import BY_CODE, DISTRICTS
from enterprises.classification import INDUSTRY_SECTIONS, EnterpriseStatus, LegalForm, Stage
from enterprises.industries import resolve_industry

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


def choice(mapping: Mapping[str, str], text: str) -> str:
    """The form's value for a choice as written (个体户, 男 …), or the text as written."""
    key = _plain(text)
    return str(mapping.get(key) or mapping.get(key.lower()) or text)


def district_code(value: str) -> str:
    """A district's code from its code, its Chinese or English name, or its name without 区/县."""
    text = _plain(value)
    if text in BY_CODE:
        return text
    key = _district_key(text)
    return DISTRICTS_BY_NAME.get(key) or DISTRICTS_BY_NAME.get(key.lower()) or value


_SECTION_NAMES = {letter: names[0] for letter, names in INDUSTRY_SECTIONS.items()}


def _bare(text: str) -> str:
    return re.sub(r"[、，,和及与\s]", "", text)


def industry_letter(value: str) -> str:
    """A GB/T 4754 section letter from any way of writing an industry (`enterprises.industries`), or the value.

    For lists of sections (an expert's trades), where a division is more than is asked: a word found
    in one section's name only (科学研究) is taken too. An enterprise's industry goes to the intake
    rules as written, which keep its division and warn of what they assumed.
    """
    read = resolve_industry(value)
    if read is not None:
        return read.section
    bare = _bare(unicodedata.normalize("NFKC", value).strip())
    found = [letter for letter, name in _SECTION_NAMES.items() if len(bare) >= 2 and bare in _bare(name)]
    return found[0] if len(found) == 1 else value
