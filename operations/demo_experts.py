"""The demo's expert pool and the cases waiting for one.

Nine experts across the need categories and both demo districts, each with a login (password
`fuchi-demo`): one away, one not taking cases, one full (capacity 1, holding a case), one with a
declared conflict of interest with an enterprise whose case waits for assignment. 开州区 has a
backlog of triaged cases for batch assignment and one case on offer to expert1; 永川区 moves a
lapsed offer on to the next ranked expert (its offers lapse after 3 minutes, `demo_follow_ups`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from accounts.policy import Actor
from casework.moving import Details, today
from casework.services import file_need, transition_case
from casework.tables import DistrictSetting
from casework.workflow import Transition
from enterprises.identifiers import complete_resident_id
from enterprises.services import register_enterprise
from enterprises.tables import Enterprise
from experts.tables import Expert, ExpertConflict

KAIZHOU = "500154"
YONGCHUAN = "500118"


@dataclass(frozen=True)
class DemoExpert:
    login: str
    name: str
    organisation: str
    title: str
    lead: tuple[str, ...]
    supporting: tuple[str, ...]
    industries: tuple[str, ...]
    districts: tuple[str, ...]  # empty: city-wide
    capacity: int
    bio: str
    away_days: int | None = None
    available: bool = True


POOL = (
    DemoExpert(
        "expert1",
        "陈立新",
        "重庆市农业科学院",
        "研究员",
        ("technology", "market"),
        ("management", "ecommerce"),
        ("A", "C"),
        (),
        15,
        "从事柑橘、茶叶栽培技术推广二十年，熟悉农产品品牌和销售渠道。",
    ),
    DemoExpert(
        "expert2",
        "孙丽",
        "开州区农村商业银行",
        "信贷经理",
        ("financing",),
        ("policy",),
        ("A", "C", "H"),
        (KAIZHOU,),
        4,
        "负责返乡创业担保贷款和“渝快贷”业务，熟悉贴息政策。",
    ),
    DemoExpert(
        "expert3",
        "吴志强",
        "永川区律师协会",
        "律师",
        ("legal",),
        ("policy",),
        (),
        (YONGCHUAN,),
        3,
        "合同、劳动用工和土地流转纠纷。",
    ),
    DemoExpert(
        "expert4",
        "郑佳",
        "重庆电商产业园",
        "运营总监",
        ("ecommerce", "market"),
        ("management",),
        ("C", "F", "I"),
        (),
        1,
        "网店运营、直播带货和农产品上行。",
    ),
    DemoExpert(
        "expert5",
        "黄海",
        "西南大学",
        "副教授",
        ("technology",),
        ("market",),
        ("A",),
        (),
        4,
        "畜禽养殖与疫病防控。",
        away_days=10,
    ),
    DemoExpert(
        "expert6",
        "周敏",
        "重庆市就业服务中心",
        "职业指导师",
        ("hiring", "policy"),
        ("legal",),
        (),
        (),
        5,
        "招工、劳动合同、用工补贴和职业技能培训补贴。",
    ),
    DemoExpert(
        "expert7",
        "马超",
        "开州区市场监督管理局（退休）",
        "高级经济师",
        ("management",),
        ("premises", "legal"),
        ("C", "H", "F"),
        (KAIZHOU,),
        3,
        "小微企业财务和经营管理，曾为多家加工企业做管理咨询。",
    ),
    DemoExpert(
        "expert8",
        "杨帆",
        "永川区农业农村委员会",
        "农艺师",
        ("technology",),
        ("financing",),
        ("A",),
        (YONGCHUAN,),
        4,
        "茶叶、蔬菜种植技术和农机补贴。",
    ),
    DemoExpert(
        "expert9",
        "何静",
        "重庆三峡银行",
        "客户经理",
        ("financing",),
        ("ecommerce",),
        (),
        (),
        3,
        "供应链金融和小微企业信用贷款。",
        available=False,
    ),
)

# 开州区's backlog: (enterprise form, need (category, description, urgency, amount)).
_BACKLOG: tuple[tuple[dict[str, str], tuple[str, str, str, str]], ...] = (
    (
        {
            "name": "开州区镇安镇秀芳蔬菜种植家庭农场",
            "legal_form": "family_farm",
            "town": "镇安镇",
            "village": "新华村",
            "industry": "A",
            "main_products": "大棚蔬菜",
            "founder_name": "李秀芳",
            "founder_phone": "13512340987",
            "founder_id_number": complete_resident_id("50023419850412402"),
            "employees": "6",
            "migrant_employees": "4",
        },
        ("financing", "扩建大棚需要资金，想申请创业担保贷款。", "high", "300000"),
    ),
    (
        {
            "name": "开州区白鹤街道老周竹木加工厂",
            "legal_form": "family_farm",
            "town": "白鹤街道",
            "village": "东华社区",
            "industry": "C",
            "main_products": "竹木家具",
            "founder_name": "周建华",
            "founder_phone": "13678904321",
            "employees": "12",
            "migrant_employees": "8",
        },
        ("management", "订单多了以后账目和工人管理跟不上。", "normal", ""),
    ),
    (
        {
            "name": "开州区和谦镇清溪水产养殖场",
            "legal_form": "family_farm",
            "town": "和谦镇",
            "village": "红旗村",
            "industry": "A",
            "main_products": "冷水鱼",
            "founder_name": "黄山泉",
            "founder_phone": "13709875521",
            "employees": "5",
            "migrant_employees": "3",
        },
        ("technology", "鱼苗成活率低，需要养殖技术指导。", "normal", ""),
    ),
)

# On offer to expert1, and held by expert4 (which fills his capacity of one).
_ON_OFFER = (
    {
        "name": "开州区岳溪镇高山茶叶专业合作社",
        "legal_form": "family_farm",
        "town": "岳溪镇",
        "village": "天白村",
        "industry": "A",
        "main_products": "高山绿茶",
        "founder_name": "向红梅",
        "founder_phone": "13823459876",
        "employees": "15",
        "migrant_employees": "9",
    },
    ("market", "茶叶产量上来了，想打开重庆主城的销路。", "normal", ""),
)
_HELD = (
    {
        "name": "开州区丰乐街道小陈土特产网店",
        "legal_form": "family_farm",
        "town": "丰乐街道",
        "industry": "F",
        "main_products": "腊肉、红苕粉",
        "founder_name": "陈小龙",
        "founder_phone": "13911223344",
        "employees": "3",
        "migrant_employees": "2",
    },
    ("ecommerce", "网店流量少，想学直播卖货。", "normal", ""),
)
CONFLICTED = "重庆开州巧手竹编工艺品有限公司"  # expert7 advised it for pay: he must not be matched to it


async def seed_pool(ids: Mapping[str, int]) -> dict[str, int]:
    """Insert the pool (their logins exist already); returns expert ids by login."""
    experts: dict[str, int] = {}
    for expert in POOL:
        rows = await Expert.insert(
            Expert(
                user=ids[expert.login],
                name=expert.name,
                organisation=expert.organisation,
                title=expert.title,
                specialties=list(expert.lead),
                supporting_specialties=list(expert.supporting),
                industries=list(expert.industries),
                districts=list(expert.districts),
                capacity=expert.capacity,
                available=expert.available,
                away_until=today() + timedelta(days=expert.away_days) if expert.away_days else None,
                bio=expert.bio,
            )
        ).returning(Expert.id)
        experts[expert.login] = rows[0]["id"]
    return experts


async def seed_matching(actors: Mapping[str, Actor], experts: Mapping[str, int]) -> int:
    """The conflict, 开州区's backlog, an open offer, a full expert and 永川区's "next" setting; returns cases filed."""
    broker, officer = actors["broker1"], actors["officer1"]
    conflicted = await Enterprise.select(Enterprise.id).where(Enterprise.name == CONFLICTED).first()
    if conflicted is not None:
        await ExpertConflict.insert(
            ExpertConflict(
                expert=experts["expert7"],
                enterprise=conflicted["id"],
                kind="consulting",
                note="2025 年为该公司提供过有偿管理咨询。",
                declared_by=actors["city1"].user_id,
            )
        )

    async def triaged(form: dict[str, str], need: tuple[str, str, str, str]) -> int:
        enterprise_id = await register_enterprise(broker, {**form, "district": KAIZHOU})
        category, description, urgency, amount = need
        fields = {"category": category, "description": description, "urgency": urgency, "amount_sought": amount}
        case_id = await file_need(broker, enterprise_id, fields)
        await transition_case(officer, case_id, Transition.TRIAGE, 1)
        return case_id

    for form, need in _BACKLOG:
        await triaged(form, need)
    offered = await triaged(*_ON_OFFER)
    await transition_case(officer, offered, Transition.ASSIGN, 2, details=Details(expert=experts["expert1"]))
    held = await triaged(*_HELD)
    await transition_case(officer, held, Transition.ASSIGN, 2, details=Details(expert=experts["expert4"]))
    await transition_case(actors["expert4"], held, Transition.ACCEPT_ASSIGNMENT, 3)
    await DistrictSetting.update({DistrictSetting.on_offer_lapse: "next"}).where(DistrictSetting.district == YONGCHUAN)
    return len(_BACKLOG) + 2
