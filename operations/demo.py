"""The demo world `make run` seeds: the same small, believable data on every fresh start.

All names, phones and codes are invented. Accounts get the password `fuchi-demo`, which is why
this runs only in demo mode.
"""

from __future__ import annotations

from accounts.policy import Actor, Role
from accounts.services import NewUser, create_user
from accounts.tables import User
from casework.services import file_need, transition_case
from casework.workflow import CaseState
from enterprises.identifiers import complete_resident_id
from enterprises.services import register_enterprise
from enterprises.tables import Enterprise
from operations.demo_cases import seed_cases
from operations.demo_experts import POOL, seed_matching, seed_pool
from operations.demo_follow_ups import seed_follow_ups

DEMO_PASSWORD = "fuchi-demo"


KAIZHOU = "500154"  # broker1's and officer1's district
YONGCHUAN = "500118"  # officer2's district

USERS = [
    ("broker1", "王德明", Role.BROKER, KAIZHOU),
    ("broker2", "刘春燕", Role.BROKER, YONGCHUAN),
    *((expert.login, expert.name, Role.EXPERT, "") for expert in POOL),
    ("officer1", "张敏", Role.DISTRICT_OFFICER, KAIZHOU),
    ("officer2", "李建国", Role.DISTRICT_OFFICER, YONGCHUAN),
    ("city1", "赵雪梅", Role.CITY_OFFICER, ""),
    ("admin1", "系统管理员", Role.ADMIN, ""),
]

MAILED = ("broker1", "broker2", "expert1", "officer1", "officer2")

# (broker, enterprise form, needs as (category, description, urgency, amount)), and what the
# first case should end up as.
ENTERPRISES: list[tuple[str, dict[str, str], tuple[str, str, str, str], CaseState]] = [
    (
        "broker1",
        {
            "name": "开州区汉丰镇春华柑橘种植家庭农场",
            "legal_form": "family_farm",
            "district": KAIZHOU,
            "town": "汉丰街道",
            "village": "盛山社区",
            "industry": "A",
            "main_products": "春橙、柑橘",
            "founder_name": "周春华",
            "founder_phone": "13983451234",
            "founder_id_number": complete_resident_id("50023419780615301"),
            "founder_worked_before": "广东东莞",
            "founder_return_year": "2018",
            "founded_on": "2019-04-12",
            "employees": "9",
            "migrant_employees": "6",
            "annual_revenue": "1260000",
            "stage": "growth",
        },
        ("financing", "扩建冷库需要资金，想申请创业担保贷款。", "high", "300000"),
        CaseState.SUBMITTED,
    ),
    (
        "broker1",
        {
            "name": "重庆开州巧手竹编工艺品有限公司",
            "legal_form": "company",
            "district": KAIZHOU,
            "town": "临江镇",
            "village": "福德村",
            "industry": "C",
            "main_products": "竹编家居用品",
            "credit_code": "91500154MA60XB8K7G",
            "founder_name": "谭巧玲",
            "founder_phone": "15823456789",
            "founder_id_number": complete_resident_id("50023419860203452"),
            "park": "开州区返乡创业园",
            "employees": "23",
            "migrant_employees": "15",
            "stage": "development",
        },
        ("ecommerce", "想在网店卖竹编产品，缺少拍照和运营的人。", "normal", ""),
        CaseState.TRIAGED,
    ),
    (
        "broker1",
        {
            "name": "开州区温泉镇老谭土鸡养殖专业合作社",
            "legal_form": "farmers_cooperative",
            "district": KAIZHOU,
            "town": "温泉镇",
            "village": "白泉村",
            "industry": "A",
            "main_products": "土鸡、鸡蛋",
            "founder_name": "谭文斌",
            "founder_phone": "023-52281234",
            "founder_id_number": complete_resident_id("50023419710918271"),
        },
        ("technology", "鸡瘟防疫和养殖技术需要专家指导。", "urgent", ""),
        CaseState.SUBMITTED,
    ),
    (
        "broker1",
        {
            "name": "开州区赵家街道小杨汽车维修店",
            "legal_form": "individual_business",
            "district": KAIZHOU,
            "town": "赵家街道",
            "industry": "O",
            "main_products": "汽车维修保养",
            "founder_name": "杨帆",
            "founder_phone": "17783219876",
        },
        ("premises", "店面租约到期，需要找新场地。", "normal", ""),
        CaseState.DECLINED,
    ),
    (
        "broker1",
        {
            "name": "开州区大进镇山里红民宿",
            "legal_form": "individual_business",
            "district": KAIZHOU,
            "town": "大进镇",
            "industry": "H",
            "main_products": "乡村民宿、农家餐饮",
            "founder_name": "何晓红",
            "founder_phone": "13594561230",
        },
        ("market", "淡季客人少，想对接旅行社。", "low", ""),
        CaseState.WITHDRAWN,
    ),
    (
        "broker1",
        {
            "name": "开州区南雅镇金银花种植户",
            "legal_form": "individual_business",
            "district": KAIZHOU,
            "town": "南雅镇",
            "industry": "A",
            "main_products": "金银花",
            "founder_name": "罗开明",
            "founder_phone": "18996543210",
        },
        ("policy", "想了解一次性创业补贴的申请条件。", "normal", ""),
        CaseState.DRAFT,
    ),
    (
        "broker2",
        {
            "name": "重庆永川来苏镇香满园食品有限公司",
            "legal_form": "company",
            "district": YONGCHUAN,
            "town": "来苏镇",
            "industry": "C",
            "main_products": "豆干、卤制品",
            "credit_code": "91110000600037341L",
            "founder_name": "黄永兵",
            "founder_phone": "13709871234",
            "founder_id_number": complete_resident_id("51102519800101123"),
            "employees": "40",
            "migrant_employees": "22",
        },
        ("hiring", "招不到熟练的生产线工人。", "high", ""),
        CaseState.SUBMITTED,
    ),
    (
        "broker2",
        {
            "name": "永川区仙龙镇茶山家庭农场",
            "legal_form": "family_farm",
            "district": YONGCHUAN,
            "town": "仙龙镇",
            "industry": "A",
            "main_products": "永川秀芽",
            "founder_name": "邓秀英",
            "founder_phone": "15086543219",
        },
        ("legal", "与收购商的合同纠纷，需要法律咨询。", "normal", ""),
        CaseState.TRIAGED,
    ),
]

# Registered without a case: the remaining legal form, and a likely duplicate of the cooperative
# above (the same business, spelt differently, in the same town).
MORE_ENTERPRISES: list[tuple[str, dict[str, str]]] = [
    (
        "broker1",
        {
            "name": "开州区返乡创业园众创空间服务中心",
            "legal_form": "other",
            "district": KAIZHOU,
            "town": "汉丰街道",
            "park": "开州区返乡创业园",
            "industry": "L",
            "main_products": "创业孵化服务",
            "founder_name": "冉国庆",
            "founder_phone": "13896012345",
        },
    ),
    (
        "broker1",
        {
            "name": "温泉镇老谭土鸡合作社",
            "legal_form": "farmers_cooperative",
            "district": KAIZHOU,
            "town": "温泉镇",
            "village": "白泉村",
            "industry": "A",
            "founder_name": "谭文斌",
            "founder_phone": "13996541234",
            "confirm_not_duplicate": "1",
        },
    ),
]


async def seed() -> str:
    """Create the demo world unless it is already there; returns what was done."""
    if await User.exists().where(User.username == "broker1"):
        return "demo data already present"
    ids: dict[str, int] = {}
    for username, name, role, district in USERS:
        ids[username] = await create_user(NewUser(username, name, DEMO_PASSWORD, role, district))
    actors = {name: Actor(ids[name], role, district or None) for name, _, role, district in USERS}
    # They chose e-mail: what they are told lands in the demo mailbox too (/admin/mailbox).
    for username in MAILED:
        await User.update({User.email: f"{username}@demo.fuchi.local", User.email_on: True}).where(
            User.id == ids[username]
        )
    experts = await seed_pool(ids)
    for broker, form, (category, description, urgency, amount), final_state in ENTERPRISES:
        broker_actor = actors[broker]
        enterprise_id = await register_enterprise(broker_actor, form)
        need = {"category": category, "description": description, "urgency": urgency, "amount_sought": amount}
        case_id = await file_need(broker_actor, enterprise_id, need, as_draft=final_state is CaseState.DRAFT)
        officer = actors["officer1" if form["district"] == KAIZHOU else "officer2"]
        await _bring_to(case_id, final_state, broker_actor, officer)
    for broker, form in MORE_ENTERPRISES:
        await register_enterprise(actors[broker], form)
    cases = len(ENTERPRISES) + await seed_cases(actors)  # the later states, plans and tasks
    moved = await seed_follow_ups(YONGCHUAN, ids["city1"])  # some overdue, some due in minutes
    cases += await seed_matching(actors, experts)  # a backlog to assign, an offer open, a full expert
    enterprises = await Enterprise.count()
    return (
        f"seeded {len(USERS)} users, {len(experts)} experts, {enterprises} enterprises, {cases} cases, "
        f"{moved} follow-ups due now or soon"
    )


async def _bring_to(case_id: int, state: CaseState, broker: Actor, officer: Actor) -> None:
    if state is CaseState.TRIAGED:
        await transition_case(officer, case_id, "triage", 1)
    elif state is CaseState.DECLINED:
        await transition_case(officer, case_id, "decline", 1, "店面选址属于商业租赁，不在本次扶持范围。")
    elif state is CaseState.WITHDRAWN:
        await transition_case(broker, case_id, "withdraw", 1, "业主表示暂时不需要帮助。")
