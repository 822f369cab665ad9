"""The seeded enterprises and their founders: names as they read on business licences, credit codes with a
correct check character, unique mobile numbers, spread over the two districts and their brokers.

The product words are what officers search for; `SEARCH_WORD` is the one the search scenarios look for.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial

from bench.seed_world import DAY, DISTRICT_NAMES, DISTRICTS, TOWNS, SeedSizes, Table, person_name
from enterprises.classification import EnterpriseStatus, LegalForm, Stage
from enterprises.identifiers import (
    CREDIT_CODE_ALPHABET,
    complete_credit_code,
)
from enterprises.phones import PHONE_COLUMNS, stored_phone

# Enterprise names as they read on business licences: a place (district, town or village), often a
# brand or the founder's name, a product word, and the suffix of the legal form. The product words
# are what officers search for (柑橘 is the one the benchmark searches).
# (product word, GB/T 4754 section, main products, legal forms it comes in)
PRODUCTS: tuple[tuple[str, str, str, tuple[LegalForm, ...]], ...] = (
    ("柑橘", "A", "柑橘种植", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY)),
    ("竹编", "C", "竹编工艺品", (LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("土鸡", "A", "土鸡养殖", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.INDIVIDUAL_BUSINESS)),
    ("茶叶", "A", "茶叶种植加工", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY)),
    ("民宿", "H", "乡村民宿", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("汽修", "O", "汽车维修", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("豆干", "C", "豆制品加工", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("蔬菜", "A", "蔬菜种植", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE)),
    ("生猪", "A", "生猪养殖", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY)),
    ("蜂蜜", "A", "中蜂养殖", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.INDIVIDUAL_BUSINESS)),
    ("腊肉", "C", "腊肉香肠加工", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("农家乐", "H", "餐饮住宿", (LegalForm.FAMILY_FARM, LegalForm.INDIVIDUAL_BUSINESS)),
    ("电商", "F", "农产品网上销售", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("服装", "C", "服装加工", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("花椒", "A", "花椒种植", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE)),
    ("中药材", "A", "中药材种植", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY)),
    ("水产", "A", "水产养殖", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE)),
    ("物流", "G", "农村物流配送", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
)
SUFFIXES = {
    LegalForm.FAMILY_FARM: "家庭农场",
    LegalForm.FARMERS_COOPERATIVE: "专业合作社",
    LegalForm.COMPANY: "有限公司",
    LegalForm.INDIVIDUAL_BUSINESS: "店",
}
# The two characters after the area code in a credit code: registration authority and entity type.
CREDIT_CODE_KIND = {
    LegalForm.FAMILY_FARM: "92",
    LegalForm.FARMERS_COOPERATIVE: "93",
    LegalForm.COMPANY: "91",
    LegalForm.INDIVIDUAL_BUSINESS: "92",
}
VILLAGES = (
    "石龙", "白果", "青杠", "桂花", "福德", "黄泥", "水口", "大坪", "双河", "新华", "红旗", "金竹",
    "柏林", "龙泉", "三合", "瓦屋", "竹园", "高峰", "长岭", "铁桥", "凤凰", "松林", "团堡", "河堰",
    "观音", "梨子", "岩口", "楠木", "万家", "花园", "龙井", "石桥", "杨柳", "枫香", "槐树", "庙坝",
)  # fmt: skip
BRANDS = (
    "绿源", "丰收", "金穗", "山里人", "巴渝", "老街", "鑫旺", "兴农", "佳禾", "润田", "德丰", "益民",
    "天香", "乡味", "顺达", "云峰", "竹海", "福满", "宏发", "田园", "农哥", "川东", "盛康", "红土地",
)  # fmt: skip
# Mobile prefixes that phonenumbers accepts as mainland mobiles (checked once; the numbers are invented).
MOBILE_PREFIXES = (
    "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159", "166",
    "173", "177", "178", "180", "181", "182", "183", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip
COMPANY_WORDS = ("", "开发", "科技", "实业", "农业", "商贸", "发展", "服务")
CREDIT_CODE_SHARE = {  # how many of each form have a credit code on record
    LegalForm.COMPANY: 1.0,
    LegalForm.FARMERS_COOPERATIVE: 1.0,
    LegalForm.FAMILY_FARM: 0.5,
    LegalForm.INDIVIDUAL_BUSINESS: 0.4,
}
SEARCH_WORD = "柑橘"  # what the search scenarios look for by name
WORKED_BEFORE = ("广东东莞", "浙江义乌", "福建晋江", "江苏苏州")


def _short_place(town: str) -> str:
    """临江镇 -> 临江, 汉丰街道 -> 汉丰: how a town appears inside a name."""
    return town.removesuffix("街道").removesuffix("镇")


def _enterprise_name(
    rng: random.Random, district: str, town: str, village: str, founder: str, product: str, form: LegalForm
) -> str:
    """A name as registered: 开州区王德明柑橘家庭农场, 开州区临江镇石龙村茶叶专业合作社, 重庆绿源豆干有限公司,
    临江老王汽修店."""
    place = DISTRICT_NAMES[district]
    if form is LegalForm.FAMILY_FARM:
        return f"{place}{rng.choice((founder, _short_place(town) + founder))}{product}{SUFFIXES[form]}"
    if form is LegalForm.FARMERS_COOPERATIVE:
        return f"{place}{town}{village}{product}{rng.choice(('', '产销', '农民'))}{SUFFIXES[form]}"
    if form is LegalForm.COMPANY:
        where = rng.choice(("重庆", "重庆市" + place, "重庆" + _short_place(town)))
        return f"{where}{rng.choice(BRANDS)}{product}{rng.choice(COMPANY_WORDS)}{SUFFIXES[form]}"
    owner = rng.choice((f"老{founder[0]}", f"{founder[0]}记", founder, rng.choice(BRANDS)))
    return f"{rng.choice((_short_place(town), village.removesuffix('村')))}{owner}{product}{SUFFIXES[form]}"


def _credit_code(rng: random.Random, district: str, form: LegalForm) -> str:
    """An invented 统一社会信用代码 with a correct check character (GB 32100-2015)."""
    first17 = CREDIT_CODE_KIND[form] + district + "".join(rng.choices(CREDIT_CODE_ALPHABET, k=9))
    return complete_credit_code(first17)


Product = tuple[str, str, str, tuple[LegalForm, ...]]


def _new_enterprise(
    rng: random.Random, district: str, founder: str, names: set[str]
) -> tuple[str, str, Product, LegalForm, str]:
    """Town, village, product, legal form and a name not yet taken (place and product drawn again on a clash)."""
    for _ in range(30):
        town = rng.choice(TOWNS[district])
        village = f"{rng.choice(VILLAGES)}村"
        product = rng.choice(PRODUCTS)
        form = rng.choice(product[3])
        name = _enterprise_name(rng, district, town, village, founder, product[0], form)
        if name not in names:
            break
    else:  # not seen with the default sizes; keeps larger seeds going
        base, number = name, 2
        while (name := f"{base}{number}") in names:
            number += 1
    names.add(name)
    return town, village, product, form, name


def _unique(seen: set[str], make: Callable[[], str]) -> str:
    """`make()` until it gives a value not yet seen."""
    while (value := make()) in seen:
        pass
    seen.add(value)
    return value


def build_enterprises(
    rng: random.Random, sizes: SeedSizes, brokers: dict[str, list[int]], at: Callable[[float], datetime]
) -> tuple[Table, Table, list[tuple[str, int]]]:
    """The founders and enterprises tables (one founder per enterprise, same id), created over the first 60
    days, and each enterprise's (district, registering broker) by enterprise id - 1."""
    founders = Table(
        "enterprises_founder",
        (
            "id",
            "name",
            "gender",
            "birth_year",
            *PHONE_COLUMNS,  # encrypted as the application stores it
            "worked_before",
            "return_year",
            "registered_by",
            "created_at",
        ),
    )
    enterprises = Table(
        "enterprises_enterprise",
        (
            "id", "name", "credit_code", "legal_form", "district", "town", "village", "industry", "main_products",
            "founded_on", "employees", "migrant_employees", "stage", "status", "founder", "registered_by",
            "created_at", "updated_at",
        ),
    )  # fmt: skip
    enterprise_of: list[tuple[str, int]] = []  # (district, registering broker) by enterprise id - 1
    names: set[str] = set()
    phones: set[str] = set()
    codes: set[str] = set()
    stages = list(Stage)
    for enterprise_id in range(1, sizes.enterprises + 1):
        district = DISTRICTS[enterprise_id % 2]
        broker = rng.choice(brokers[district])
        created = at(60 * DAY * enterprise_id / (sizes.enterprises + 1))
        founder_name = person_name(rng)
        town, village, (_, industry, main_products, _), form, name = _new_enterprise(rng, district, founder_name, names)
        phone = _unique(phones, lambda: rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}")
        code = ""
        if rng.random() < CREDIT_CODE_SHARE[form]:
            code = _unique(codes, partial(_credit_code, rng, district, form))
        founders.rows.append(
            (
                enterprise_id, founder_name, rng.choice(("男", "女")), rng.randint(1965, 1998),
                *stored_phone(phone).values(),
                rng.choice(WORKED_BEFORE), rng.randint(2012, 2025), broker, created,
            )
        )  # fmt: skip
        enterprises.rows.append(
            (
                enterprise_id, name, code, form, district, town, village, industry, main_products,
                date(2015, 1, 1) + timedelta(days=rng.randint(0, 3_650)), rng.randint(1, 80), rng.randint(0, 40),
                rng.choice(stages), EnterpriseStatus.OPERATING, enterprise_id, broker, created, created,
            )
        )  # fmt: skip
        enterprise_of.append((district, broker))
    return founders, enterprises, enterprise_of
