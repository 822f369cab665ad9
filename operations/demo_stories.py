"""The demo world's case stories: which enterprises ask for what, and how far each case has come.

Invented people, phones and places; the plans, tasks and notes each case carries. Played through
the real services by `operations.demo_cases`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from enterprises.identifiers import complete_resident_id

EXPERT = "expert1"  # the demo expert with an account: the lead of every case that has one
OFFICER_OF = {"broker1": "officer1", "broker2": "officer2"}  # the officer of each broker's district


class Stage(StrEnum):
    """How far a demo case has come: the state it ends in, or for `planning` which plan it has."""

    QUESTION = "question"  # returned to the broker with a question: a draft awaiting his answer
    ASSIGNED = "assigned"  # offered to expert1, not yet accepted
    DIAGNOSING = "diagnosing"
    PLAN_DRAFT = "plan_draft"  # planning: problems written, never submitted
    PLAN_SUBMITTED = "plan_submitted"  # planning: version 1 awaits the officer
    PLAN_RETURNED = "plan_returned"  # planning: version 1 returned with comments, version 2 being written
    PLAN_APPROVED = "plan_approved"
    IN_PROGRESS = "in_progress"
    MONITORING = "monitoring"
    CLOSED = "closed"
    ON_HOLD = "on_hold"
    MERGED = "merged"  # the need filed twice: the second case merged into the first


@dataclass(frozen=True)
class MeasurePlan:
    description: str
    owner: str
    due_in: int  # days from today
    status: str = "todo"  # where it stands once work has started
    owner_name: str = ""
    drop_reason: str = ""
    evidence: str = ""
    overdue_by: int = 0  # days its due date lies in the past once work has started


@dataclass(frozen=True)
class ProblemPlan:
    title: str
    measures: tuple[MeasurePlan, ...]
    description: str = ""


@dataclass(frozen=True)
class PlanScript:
    diagnosis: str
    problems: tuple[ProblemPlan, ...]
    returned_with: str = ""  # the officer's comments on version 1, if he returns it
    revision: MeasurePlan | None = None  # what the expert adds to the first problem after the return


@dataclass(frozen=True)
class TaskPlan:
    kind: str
    due_in: int  # days from today; negative: overdue
    instructions: str
    record: str = ""  # the broker's record, if he has done it


@dataclass(frozen=True)
class DemoCase:
    broker: str
    enterprise: dict[str, str]  # the registration form, without the district (the broker's)
    need: tuple[str, str, str]  # category, description, urgency
    stage: Stage
    plan: PlanScript | None = None
    tasks: tuple[TaskPlan, ...] = ()
    note: str = ""  # what the broker adds to the case's timeline


def firm(
    name: str, legal_form: str, town: str, industry: str, founder: str, phone: str, id17: str = ""
) -> dict[str, str]:
    """An enterprise's registration form; `id17` the first 17 digits of the founder's (invented) ID number."""
    form = {"name": name, "legal_form": legal_form, "town": town, "industry": industry}
    form |= {"founder_name": founder, "founder_phone": phone}
    return form | ({"founder_id_number": complete_resident_id(id17)} if id17 else {})


M, P = MeasurePlan, ProblemPlan
CASES: list[DemoCase] = [
    DemoCase(
        "broker1",
        firm("开州区铁桥镇山泉豆腐坊", "individual_business", "铁桥镇", "C", "冉德顺", "13512346677"),
        ("financing", "想添一台全自动豆腐机，需要小额贷款。", "normal"),
        Stage.QUESTION,
    ),
    DemoCase(
        "broker1",
        firm("开州区白鹤街道绿源蔬菜专业合作社", "farmers_cooperative", "白鹤街道", "A", "熊国华", "13628459012"),
        ("technology", "大棚蔬菜连年减产，土壤可能出了问题。", "high"),
        Stage.ASSIGNED,
    ),
    DemoCase(
        "broker1",
        firm("开州区敦好镇云雾茶叶家庭农场", "family_farm", "敦好镇", "A", "邓云峰", "15923418876"),
        ("market", "茶叶只卖给本地收购商，价格压得很低。", "normal"),
        Stage.DIAGNOSING,
    ),
    DemoCase(
        "broker1",
        firm("重庆开州麻柳乡村旅游开发有限公司", "company", "麻柳乡", "N", "向丽", "18723450981", "50023419880716302"),
        ("management", "游客多了以后管理跟不上，账目也乱。", "normal"),
        Stage.PLAN_DRAFT,
        PlanScript(
            "接待能力和管理制度跟不上客流增长；个人和公司的钱没有分开记账。",
            (
                P("账目混乱", (M("请代账机构建账，按月出报表", "agency", 20, owner_name="开州区财税服务中心"),)),
                P("旺季接待能力不足", (M("制定旺季预约和排班制度", "expert", 25),)),
            ),
        ),
    ),
    DemoCase(
        "broker1",
        firm("开州区岳溪镇老冉腊肉加工坊", "individual_business", "岳溪镇", "C", "冉春林", "13765432109"),
        ("ecommerce", "想在网上卖腊肉，不知道需要哪些证照。", "high"),
        Stage.PLAN_SUBMITTED,
        PlanScript(
            "产品质量好，但没有食品生产许可，进不了网店平台。",
            (
                P("没有食品生产许可", (M("协助办理食品小作坊登记证", "bureau", 40),)),
                P("没有网店运营经验", (M("参加区电商中心的网店运营培训", "enterprise", 30),)),
            ),
        ),
    ),
    DemoCase(
        "broker1",
        firm("开州区中和镇甜蜜蜂业专业合作社", "farmers_cooperative", "中和镇", "A", "黄志勇", "15123987654"),
        ("market", "蜂蜜产量翻了一番，销路没有跟上。", "normal"),
        Stage.PLAN_RETURNED,
        PlanScript(
            "产品没有品牌和检测报告，超市和网店都进不去。",
            (P("缺少质量检测报告", (M("送检并取得检测报告", "enterprise", 20),)),),
            returned_with="只有检测还不够：请补充打开销路的措施，比如对接超市或电商。",
            revision=M("对接区电商产业园，开设网店", "broker", 45),
        ),
    ),
    DemoCase(
        "broker1",
        firm(
            "开州区长沙镇清水生态鱼养殖场", "family_farm", "长沙镇", "A", "彭大江", "13808231456", "50023419700412153"
        ),
        ("financing", "想扩建两口鱼塘，缺少资金。", "high"),
        Stage.PLAN_APPROVED,
        PlanScript(
            "养殖技术成熟，扩建资金缺口约二十万元。",
            (P("扩建资金不足", (M("对接区农商行，办理创业担保贷款", "agency", 45, owner_name="开州区农商行"),)),),
            returned_with="请写明贷款要准备哪些材料、谁来准备。",
            revision=M("准备贷款材料：营业执照、流水、鱼塘租赁合同", "broker", 15),
        ),
    ),
    DemoCase(
        "broker1",
        firm("开州区丰乐街道巧媳妇服装加工厂", "individual_business", "丰乐街道", "C", "谭小芳", "13996325874"),
        ("hiring", "订单多了，缺熟练缝纫工，厂房也不够用。", "urgent"),
        Stage.IN_PROGRESS,
        PlanScript(
            "订单稳定增长；熟练工短缺和厂房面积是两个主要瓶颈。",
            (
                P(
                    "缺少熟练缝纫工",
                    (
                        M("联系区就业中心开办缝纫工培训班", "bureau", 20, "done", evidence="首期培训15人已结业"),
                        M(
                            "到周边村镇招返乡妇女",
                            "broker",
                            20,
                            "dropped",
                            drop_reason="周边劳动力基本外出，改为培训本厂新人。",
                        ),
                    ),
                ),
                P(
                    "厂房面积不够",
                    (
                        M("申请入驻返乡创业园标准厂房", "bureau", 10, "doing", overdue_by=3),
                        M("整理设备清单和搬迁计划", "enterprise", 30),
                    ),
                ),
            ),
            returned_with="培训补贴的申请条件请写清楚。",
            revision=M("协助申请职业技能培训补贴", "bureau", 25, "done"),
        ),
        tasks=(
            TaskPlan("visit", 4, "回访企业，了解标准厂房的申请进展。"),
            TaskPlan("survey", -3, "请企业填写返乡创业企业用工情况调查表。"),
            TaskPlan("visit", 2, "核实缝纫工培训班开班情况。", record="培训班已开班，15人参加，业主很满意。"),
        ),
        note="业主说下个月还有一批外贸订单，急需厂房。",
    ),
    DemoCase(
        "broker1",
        firm("开州区义和镇青脆李种植家庭农场", "family_farm", "义和镇", "A", "李大勇", "15826543217"),
        ("technology", "李子裂果严重，想请专家看看。", "normal"),
        Stage.MONITORING,
        PlanScript(
            "裂果主要是水分忽多忽少、缺钙引起的。",
            (
                P(
                    "裂果率高",
                    (M("改用滴灌，控制土壤水分", "expert", 20, "done"), M("花后增施钙肥", "enterprise", 20, "done")),
                ),
            ),
        ),
        tasks=(TaskPlan("visit", 1, "回访裂果改善情况。", record="今年裂果率从三成降到一成。"),),
    ),
    DemoCase(
        "broker1",
        firm("开州区渠口镇巧匠竹木家具厂", "individual_business", "渠口镇", "C", "冯志明", "13752468013"),
        ("market", "家具想进城区的家具市场销售。", "normal"),
        Stage.CLOSED,
        PlanScript(
            "做工好，但没有城区销售渠道。",
            (
                P(
                    "没有销售渠道",
                    (
                        M("对接城区家具市场摊位", "broker", 20, "done"),
                        M("参加返乡创业产品展销会", "bureau", 30, "dropped", drop_reason="展销会延期到明年。"),
                    ),
                ),
            ),
        ),
    ),
    DemoCase(
        "broker1",
        firm("开州区临江镇红薯粉条加工厂", "individual_business", "临江镇", "C", "程世荣", "18983214567"),
        ("financing", "粉条加工设备老化，想贷款更新设备。", "normal"),
        Stage.MERGED,
    ),
    DemoCase(
        "broker2",
        firm("重庆永川板桥镇绿苑苗木有限公司", "company", "板桥镇", "A", "唐绍华", "13647891235", "51102519790815227"),
        ("market", "苗木积压，想找绿化工程的买家。", "high"),
        Stage.IN_PROGRESS,
        PlanScript(
            "品种对路，但只靠熟人介绍销售，积压约两万株。",
            (
                P(
                    "苗木积压",
                    (
                        M("对接区园林绿化工程项目", "bureau", 30, "doing"),
                        M("在苗木交易平台发布信息", "broker", 10, "done", evidence="已在两个平台发布，接到三个询价"),
                    ),
                ),
            ),
        ),
        tasks=(
            TaskPlan("visit", -2, "回访企业，了解询价客户的进展。"),
            TaskPlan("survey", 3, "请企业填写苗木库存调查表。", record="库存约一万八千株，以桂花、香樟为主。"),
        ),
    ),
    DemoCase(
        "broker2",
        firm("永川区朱沱镇江鲜渔家乐", "individual_business", "朱沱镇", "H", "周庆华", "15310986543"),
        ("premises", "渔家乐要搬迁，需要找新场地。", "normal"),
        Stage.ON_HOLD,
    ),
]
del M, P

QUESTION = "请补充近一年的营业收入，以及现在有没有别的贷款。"
HOLD = ("沿江整治期间暂停营业，整治结束后再继续。", 90)  # the reason, and the days until work resumes
DUPLICATE = "与先提交的案件是同一需求，重复提交了。"
CLOSING = "措施都已落实，企业经营恢复正常。"
PROGRESS = {"doing": ("doing",), "done": ("doing", "done"), "dropped": ("dropped",)}
