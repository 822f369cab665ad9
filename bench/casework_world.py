"""The casework benchmark's world: 38 districts, 1,000,000 cases and 5,000,000 case events, built in chunks.

Every case has a need, a filing broker and a history along the workflow (casework.states) that ends in its
state: most cases are settled (closed, monitoring, in progress), the youngest are the open ones. Cases past
assignment have a lead expert; cases past diagnosis a plan (problems, measures, versions); some have broker
tasks, attachments (rows only) and the founder's confirmation. Each case keeps about five events: the filing,
its last transitions and notes, so that the events add up to exactly five per case; event ids follow time
across cases, as in a database filled over years (a case's events are not neighbours on disk).

Deterministic for a given seed; bench.casework_seed writes it.
"""

from __future__ import annotations

import heapq
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from itertools import accumulate
from typing import Any

from bench.seed_world import Table, person_name
from casework.notifying import FILED, message_for
from casework.states import CaseState, Outcome, Priority, Transition
from casework.workflow import RULES, Party
from core.districts import DISTRICTS
from enterprises.classification import EnterpriseStatus, LegalForm, NeedCategory, Stage, Urgency

OFFICER = "officer1"
OFFICER_DISTRICT = "500154"  # 开州区, one of the two largest districts here
DAY = 86_400.0
YEARS = 3  # the world's age; enterprises register in its first 120 days, cases come over the rest

S = CaseState
T = Transition
# The main line of a case's life, in order; a case's history is a prefix of it, or a branch off it.
MAIN: tuple[tuple[Transition, CaseState, CaseState], ...] = (
    (T.TRIAGE, S.SUBMITTED, S.TRIAGED),
    (T.ASSIGN, S.TRIAGED, S.ASSIGNED),
    (T.ACCEPT_ASSIGNMENT, S.ASSIGNED, S.ASSIGNED),
    (T.START_DIAGNOSIS, S.ASSIGNED, S.DIAGNOSING),
    (T.FINISH_DIAGNOSIS, S.DIAGNOSING, S.PLANNING),
    (T.SUBMIT_PLAN, S.PLANNING, S.PLANNING),
    (T.APPROVE_PLAN, S.PLANNING, S.PLAN_APPROVED),
    (T.START_WORK, S.PLAN_APPROVED, S.IN_PROGRESS),
    (T.START_MONITORING, S.IN_PROGRESS, S.MONITORING),
    (T.CLOSE, S.MONITORING, S.CLOSED),
)
_BROKER_ACTS = frozenset({T.SUBMIT, T.WITHDRAW})
_EXPERT_ACTS = frozenset({T.ACCEPT_ASSIGNMENT, T.START_DIAGNOSIS, T.FINISH_DIAGNOSIS, T.SUBMIT_PLAN})
# What the district's officers are told of (their inbox, and the unread count in every page's header).
_TELLS_OFFICERS = frozenset(t for t, rule in RULES.items() if Party.DISTRICT_OFFICERS in rule.notify)
_OFFICER_ACTS = frozenset(t.value for t in _TELLS_OFFICERS - _BROKER_ACTS - _EXPERT_ACTS)
UNREAD_DAYS = 3  # officers read their inbox: what came in the last days is mostly unread, the rest read
_PLAN_ACTS = frozenset({T.SUBMIT_PLAN, T.APPROVE_PLAN, T.RETURN_PLAN})
_ASKING = frozenset({T.RETURN_TO_BROKER, T.RETURN_PLAN, T.DECLINE, T.HOLD})
RETURNED_PLAN = ((T.SUBMIT_PLAN, S.PLANNING, S.PLANNING), (T.RETURN_PLAN, S.PLANNING, S.PLANNING))
# Two years into service most cases are settled one way or another; the young ones are still open.
STATE_MIX: tuple[tuple[CaseState, float], ...] = (
    (S.DRAFT, 1.5), (S.SUBMITTED, 2.5), (S.TRIAGED, 2.0), (S.ASSIGNED, 1.5), (S.DIAGNOSING, 2.0),
    (S.PLANNING, 3.0), (S.PLAN_APPROVED, 1.5), (S.IN_PROGRESS, 14.0), (S.MONITORING, 18.0), (S.CLOSED, 40.0),
    (S.ON_HOLD, 2.0), (S.DECLINED, 6.0), (S.WITHDRAWN, 5.0), (S.MERGED, 1.0),
)  # fmt: skip
# How far along a state is, for giving the oldest cases the settled states (None: any age).
PROGRESS: dict[CaseState, float | None] = {
    S.DRAFT: 0.0, S.SUBMITTED: 0.02, S.TRIAGED: 0.08, S.ASSIGNED: 0.12, S.DIAGNOSING: 0.18, S.PLANNING: 0.25,
    S.PLAN_APPROVED: 0.3, S.IN_PROGRESS: 0.45, S.MONITORING: 0.65, S.CLOSED: 0.9, S.ON_HOLD: 0.35,
    S.DECLINED: None, S.WITHDRAWN: None, S.MERGED: None,
}  # fmt: skip
PRIORITIES = ((Priority.LOW, 15), (Priority.NORMAL, 60), (Priority.HIGH, 20), (Priority.URGENT, 5))
OUTCOMES = ((Outcome.RESOLVED, 55), (Outcome.PARTLY_RESOLVED, 25), (Outcome.NOT_RESOLVED, 12),
            (Outcome.ENTERPRISE_CLOSED, 8))  # fmt: skip
KEEP_TRANSITIONS = 4  # a case's events keep its last transitions (at most this many) beside the filing and notes
NOTES = (
    "电话回访，企业负责人反映资金周转仍较紧张。",
    "已上门走访，核实了经营场地和设备情况。",
    "企业补充提交了近三个月的银行流水。",
    "与专家沟通了诊断安排，约定下周到企业现场。",
    "区就业局已协调金融机构对接。",
    "企业主表示措施推进顺利，暂无新的困难。",
)
PRODUCTS = (
    "柑橘",
    "竹编",
    "土鸡",
    "茶叶",
    "民宿",
    "汽修",
    "豆干",
    "蔬菜",
    "生猪",
    "蜂蜜",
    "腊肉",
    "电商",
    "花椒",
    "中药材",
)
SUFFIXES = {
    LegalForm.FAMILY_FARM: "家庭农场",
    LegalForm.FARMERS_COOPERATIVE: "专业合作社",
    LegalForm.COMPANY: "有限公司",
    LegalForm.INDIVIDUAL_BUSINESS: "店",
}
TOWN_WORDS = ("龙", "桥", "河", "石", "新", "丰", "兴", "安", "平", "溪", "山", "福")
PROBLEM_TITLES = ("流动资金不足", "产品销路单一", "缺少熟练工人", "生产技术落后", "财务管理不规范", "场地租约到期",
                  "电商运营能力弱", "品牌知名度低")  # fmt: skip
MEASURE_TEXTS = ("对接创业担保贷款", "联系农产品电商平台试销", "组织员工参加技能培训", "引进新的加工设备",
                 "建立规范的记账制度", "协调续租或另寻场地")  # fmt: skip
MEASURE_OWNERS = ("expert", "broker", "bureau", "agency", "enterprise")


@dataclass(frozen=True)
class WorldSizes:
    cases: int = 1_000_000
    enterprises: int = 200_000
    events_per_case: int = 5
    brokers_per_district: int = 12
    officers_per_district: int = 1
    experts: int = 300
    chunk: int = 20_000  # cases built and written at a time
    seed: int = 8


@dataclass(frozen=True)
class Variant:
    """One way of reaching a state: the state the case was filed in, then its transitions."""

    filed_as: CaseState
    path: tuple[tuple[Transition, CaseState, CaseState], ...]
    held_from: CaseState | None = None

    @cached_property
    def kinds(self) -> list[Transition]:
        return [kind for kind, _, _ in self.path]

    @cached_property
    def steps(self) -> list[tuple[Transition, str, str, str, bool, str]]:
        """Each transition as its event writes it: kind, from, to, whether it names a plan version, its note."""
        return [
            (
                kind,
                kind.value,
                source.value,
                target.value,
                kind in _PLAN_ACTS,
                "请补充材料。" if kind in _ASKING else "",
            )
            for kind, source, target in self.path
        ]


def _variants() -> dict[CaseState, list[tuple[Variant, float]]]:
    main = MAIN
    sub, draft = S.SUBMITTED, S.DRAFT
    close_early = (*main[:8], (T.CLOSE, S.IN_PROGRESS, S.CLOSED))

    def returned(path: tuple[tuple[Transition, CaseState, CaseState], ...]) -> tuple[Any, ...]:
        at = next(i for i, step in enumerate(path) if step[0] is T.SUBMIT_PLAN)
        return (*path[:at], *RETURNED_PLAN, *path[at:])

    out: dict[CaseState, list[tuple[Variant, float]]] = {
        S.DRAFT: [(Variant(draft, ()), 8), (Variant(sub, ((T.RETURN_TO_BROKER, sub, draft),)), 2)],
        S.SUBMITTED: [(Variant(sub, ()), 8), (Variant(draft, ((T.SUBMIT, draft, sub),)), 2)],
        S.TRIAGED: [(Variant(sub, main[:1]), 1)],
        S.ASSIGNED: [(Variant(sub, main[:2]), 1), (Variant(sub, main[:3]), 1)],
        S.DIAGNOSING: [(Variant(sub, main[:4]), 1)],
        S.PLANNING: [(Variant(sub, main[:5]), 5), (Variant(sub, main[:6]), 3),
                     (Variant(sub, (*main[:5], *RETURNED_PLAN)), 2)],
        S.DECLINED: [(Variant(sub, ((T.DECLINE, sub, S.DECLINED),)), 6),
                     (Variant(sub, (*main[:1], (T.DECLINE, S.TRIAGED, S.DECLINED))), 4)],
        S.WITHDRAWN: [(Variant(sub, ((T.WITHDRAW, sub, S.WITHDRAWN),)), 5),
                      (Variant(draft, ((T.WITHDRAW, draft, S.WITHDRAWN),)), 3),
                      (Variant(sub, (*main[:1], (T.WITHDRAW, S.TRIAGED, S.WITHDRAWN))), 2)],
        S.MERGED: [(Variant(sub, ((T.MERGE, sub, S.MERGED),)), 7),
                   (Variant(sub, (*main[:1], (T.MERGE, S.TRIAGED, S.MERGED))), 3)],
    }  # fmt: skip
    for state, length in ((S.PLAN_APPROVED, 7), (S.IN_PROGRESS, 8), (S.MONITORING, 9), (S.CLOSED, 10)):
        out[state] = [(Variant(sub, main[:length]), 3), (Variant(sub, returned(main[:length])), 1)]
    out[S.CLOSED] += [(Variant(sub, close_early), 1.2)]
    holds = []
    for length, held in ((0, sub), (1, S.TRIAGED), (3, S.ASSIGNED), (4, S.DIAGNOSING), (5, S.PLANNING),
                         (7, S.PLAN_APPROVED), (8, S.IN_PROGRESS), (9, S.MONITORING)):  # fmt: skip
        holds.append((Variant(sub, (*main[:length], (T.HOLD, held, S.ON_HOLD)), held_from=held), 1.0))
    out[S.ON_HOLD] = holds
    return out


@dataclass
class Ids:
    """The next id of each table (ids are given explicitly, growing with time)."""

    next: Counter[str] = field(default_factory=Counter)

    def take(self, table: str) -> int:
        self.next[table] += 1
        return self.next[table]


def _day(seconds: float) -> date:
    return datetime.fromtimestamp(seconds, tz=UTC).date()


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class World:
    """Builds the world's rows, table chunk by table chunk, deterministically for a given seed."""

    def __init__(self, sizes: WorldSizes, password_hash: str, now: datetime) -> None:
        self.sizes = sizes
        self.password_hash = password_hash
        self.rng = random.Random(sizes.seed)
        self.now = now.timestamp()
        self.start = self.now - YEARS * 365 * DAY
        self.ids = Ids()
        self.officers: dict[str, list[int]] = {}
        self.brokers: dict[str, list[int]] = {}
        self.expert_users: list[int] = []  # experts_expert id - 1 -> the expert's user id
        self.enterprise_district: list[str] = []  # by enterprise id - 1
        self.enterprise_broker: list[int] = []
        self.variants = _variants()
        self.pending: list[tuple[float, int, tuple[Any, ...]]] = []  # events not yet due, by time
        self.message_cache: dict[str, tuple[str, str]] = {}
        self.case_district = ""
        self.pushed = 0

    def at(self, seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, tz=UTC)

    # accounts, experts, founders and enterprises

    def accounts(self) -> list[Table]:
        users = Table(
            "accounts_user",
            ("id", "username", "display_name", "password_hash", "role", "district", "town", "is_active", "created_at"),
        )
        experts = Table(
            "experts_expert",
            ("id", "user", "name", "organisation", "title", "specialties", "districts", "capacity", "created_at"),
        )
        rng, created = self.rng, self.at(self.start)

        def user(username: str, role: str, district: str = "") -> int:
            user_id = self.ids.take("accounts_user")
            users.rows.append(
                (user_id, username, person_name(rng), self.password_hash, role, district, "", True, created)
            )
            return user_id

        self.officers[OFFICER_DISTRICT] = [user(OFFICER, "district_officer", OFFICER_DISTRICT)]
        user("city1", "city_officer")
        for d in DISTRICTS:
            have = self.officers.setdefault(d.code, [])
            while len(have) < self.sizes.officers_per_district:
                have.append(user(f"officer_{d.code}_{len(have) + 1}", "district_officer", d.code))
        for d in DISTRICTS:
            self.brokers[d.code] = [
                user(f"broker_{d.code}_{n:02d}", "broker", d.code) for n in range(self.sizes.brokers_per_district)
            ]
        categories = [c.value for c in NeedCategory]
        codes = [d.code for d in DISTRICTS]
        for n in range(self.sizes.experts):
            user_id = user(f"expert_{n + 1:04d}", "expert")
            self.expert_users.append(user_id)
            experts.rows.append(
                (
                    self.ids.take("experts_expert"), user_id, users.rows[-1][2], "重庆市创业指导专家库", "高级经济师",
                    _json(rng.sample(categories, 2)), _json(rng.sample(codes, rng.randint(0, 3))), 5, created,
                )
            )  # fmt: skip
        return [users, experts]

    def enterprises(self) -> Iterator[list[Table]]:
        rng = self.rng
        codes = [d.code for d in DISTRICTS]
        names = {d.code: d.name_zh for d in DISTRICTS}
        # The two largest districts have 2.5 times the enterprises of the others.
        weights = [2.5 if code in (OFFICER_DISTRICT, "500101") else 1.0 for code in codes]
        forms = list(SUFFIXES)
        stages = [s.value for s in Stage]
        n, chunk = self.sizes.enterprises, self.sizes.chunk * 2
        for first in range(0, n, chunk):
            founders = Table(
                "enterprises_founder",
                ("id", "name", "gender", "birth_year", "phone", "worked_before", "return_year",
                 "id_number_last4", "registered_by", "created_at"),
            )  # fmt: skip
            enterprises = Table(
                "enterprises_enterprise",
                ("id", "name", "credit_code", "legal_form", "district", "town", "village", "industry",
                 "main_products", "founded_on", "employees", "migrant_employees", "stage", "status", "founder",
                 "registered_by", "created_at", "updated_at"),
            )  # fmt: skip
            districts = rng.choices(codes, weights=weights, k=min(chunk, n - first))
            for i, district in enumerate(districts):
                enterprise_id = first + i + 1
                broker = rng.choice(self.brokers[district])
                created = self.at(self.start + 120 * DAY * enterprise_id / (n + 1))
                founder = person_name(rng)
                form, product = rng.choice(forms), rng.choice(PRODUCTS)
                town = rng.choice(TOWN_WORDS) + rng.choice(TOWN_WORDS) + "镇"
                # Phones unique by construction: 7919 is coprime with 10^8.
                phone = f"1{rng.choice('3589')}{rng.randrange(10)}{enterprise_id * 7919 % 100_000_000:08d}"
                founders.rows.append(
                    (enterprise_id, founder, rng.choice(("男", "女")), rng.randint(1965, 1998), phone, "广东东莞",
                     rng.randint(2012, 2025), f"{rng.randrange(10_000):04d}", broker, created)
                )  # fmt: skip
                enterprises.rows.append(
                    (enterprise_id, f"{names[district]}{town[:2]}{founder}{product}{SUFFIXES[form]}", "", form.value,
                     district, town, rng.choice(TOWN_WORDS) + "村", "A", product,
                     date(2015, 1, 1) + timedelta(days=rng.randint(0, 3_650)), rng.randint(1, 80), rng.randint(0, 40),
                     rng.choice(stages), EnterpriseStatus.OPERATING.value, enterprise_id, broker, created, created)
                )  # fmt: skip
                self.enterprise_district.append(district)
                self.enterprise_broker.append(broker)
            yield [founders, enterprises]

    # cases

    def plan_cases(self) -> tuple[list[CaseState], list[Variant], list[int], list[int]]:
        """Each case's state (the oldest the most settled), its variant, and how many transitions and notes it
        keeps as events, so that the events add up to exactly events_per_case x cases."""
        rng, n = self.rng, self.sizes.cases
        drawn = rng.choices([s for s, _ in STATE_MIX], weights=[w for _, w in STATE_MIX], k=n)

        def key(state: CaseState) -> float:
            progress = PROGRESS[state]
            return (rng.random() if progress is None else progress) + rng.gauss(0, 0.12)

        states = sorted(drawn, key=key, reverse=True)  # case 1 is the oldest
        variants = []
        for state in states:
            options = self.variants[state]
            variants.append(rng.choices([v for v, _ in options], weights=[w for _, w in options])[0])
        target = self.sizes.events_per_case * n
        keep_most = KEEP_TRANSITIONS
        while (base := sum(1 + min(len(v.path), keep_most) for v in variants)) > target and keep_most > 0:
            keep_most -= 1
        keep = [min(len(v.path), keep_most) for v in variants]
        notes = [0] * n
        extra = max(0, target - base)
        # A long tail: a few cases with a long history of notes (at most a third of the notes to give).
        for _ in range(max(1, n // 300)):
            more = min(rng.randint(20, 40), extra // 3)
            if more <= 0:
                break
            notes[rng.randrange(n)] += more
            extra -= more
        for _ in range(extra):
            notes[rng.randrange(n)] += 1
        return states, variants, keep, notes

    def cases(self) -> Iterator[list[Table]]:
        states, variants, keep, notes = self.plan_cases()
        rng, n = self.rng, self.sizes.cases
        priorities = [p.value for p, _ in PRIORITIES]
        priority_weights = list(accumulate(w for _, w in PRIORITIES))
        categories = list(NeedCategory)
        urgency_of = {Priority.LOW: Urgency.LOW, Priority.NORMAL: Urgency.NORMAL, Priority.HIGH: Urgency.HIGH,
                      Priority.URGENT: Urgency.URGENT}  # fmt: skip
        first_case = self.start + 121 * DAY
        span = self.now - 3_600 - first_case
        for first in range(0, n, self.sizes.chunk):
            t = _CaseTables()
            for i in range(first, min(n, first + self.sizes.chunk)):
                case_id = i + 1
                created = first_case + span * i / n + rng.uniform(0, span / n)
                self._release(created, t.events)
                enterprise = rng.randrange(self.sizes.enterprises) + 1
                district = self.enterprise_district[enterprise - 1]
                broker = self.enterprise_broker[enterprise - 1]
                priority = rng.choices(priorities, cum_weights=priority_weights)[0]
                category = rng.choice(categories)
                self._case(
                    t, case_id, created, states[i], variants[i], keep[i], notes[i], enterprise, district, broker,
                    priority, category, urgency_of[Priority(priority)],
                )  # fmt: skip
            if first + self.sizes.chunk >= n:
                self._release(float("inf"), t.events)
            yield t.tables()

    def _release(self, until: float, events: Table) -> None:
        """Give ids to the events that happened before `until` (no case created later can add earlier ones)."""
        pending = self.pending
        while pending and pending[0][0] < until:
            _, _, row = heapq.heappop(pending)
            events.rows.append((self.ids.take("casework_case_event"), *row))

    def _event(self, when: float, row: tuple[Any, ...]) -> None:
        self.pushed += 1
        heapq.heappush(self.pending, (when, self.pushed, row))

    def _case(
        self,
        t: _CaseTables,
        case_id: int,
        created: float,
        state: CaseState,
        variant: Variant,
        keep: int,
        notes: int,
        enterprise: int,
        district: str,
        broker: int,
        priority: str,
        category: NeedCategory,
        urgency: Urgency,
    ) -> None:
        rng = self.rng
        self.case_district = district
        officer = rng.choice(self.officers[district])
        expert_index = rng.randrange(len(self.expert_users))
        expert_user = self.expert_users[expert_index]
        # When each transition happened: gaps of days to weeks, squeezed into the case's age if need be.
        gaps = [rng.uniform(0.3, 12.0) * DAY for _ in variant.path]
        room = (self.now - 600 - created) * 0.95
        if (total := sum(gaps)) > room:
            gaps = [g * room / total for g in gaps]
        times = [created + s for s in accumulate(gaps)]
        last = times[-1] if times else created
        kinds = variant.kinds

        amount = Decimal(rng.randrange(10, 500) * 1_000) if category is NeedCategory.FINANCING else None
        t.needs.rows.append(
            (case_id, enterprise, category.value, f"需要{category.value}方面的帮助：扩大生产、稳定经营（{case_id}）",
             urgency.value, amount, broker, self.at(created))
        )  # fmt: skip
        t.case_needs.rows.append((case_id, case_id, case_id))

        planned = T.FINISH_DIAGNOSIS in kinds
        diagnosis = f"经诊断，企业在{category.value}方面存在若干主要问题，需分步解决。" if planned else ""
        closed_at = self.at(times[kinds.index(T.CLOSE)]) if T.CLOSE in kinds else None
        outcome = rng.choices([o.value for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0] if closed_at else ""
        returned = T.RETURN_TO_BROKER in kinds and state is S.DRAFT
        t.cases.rows.append(
            (
                case_id, enterprise, broker, district, priority, state.value, 1 + len(kinds),
                variant.held_from.value if variant.held_from else "",
                _day(last + 30 * DAY) if variant.held_from else None,
                "请补充近三个月的经营流水和场地租赁合同。" if returned else "", outcome,
                rng.randrange(1, case_id) if state is S.MERGED and case_id > 1 else None, diagnosis,
                self.at(created), self.at(last), closed_at,
            )
        )  # fmt: skip

        # Events: the filing, the last `keep` transitions, and notes, ids given later in time order.
        self._event(created, (case_id, broker, "filed", "", variant.filed_as.value, "", "{}", self.at(created)))
        version = 0
        skip = len(kinds) - keep
        for index, (kind, kind_value, source, target, names_plan, note) in enumerate(variant.steps):
            version += kind is T.SUBMIT_PLAN
            if index < skip:
                continue
            actor = broker if kind in _BROKER_ACTS else expert_user if kind in _EXPERT_ACTS else officer
            when = times[index]
            data = f'{{"plan_version":{version}}}' if names_plan else "{}"
            self._event(when, (case_id, actor, kind_value, source, target, note, data, self.at(when)))
        self._tell_officers(t, case_id, variant, times, officer, created)
        note_until = max(last, min(self.now - 600, created + 60 * DAY))
        for _ in range(notes):
            when = rng.uniform(created, note_until)
            actor = rng.choice((broker, officer, expert_user) if planned else (broker, officer))
            self._event(when, (case_id, actor, "note", "", "", rng.choice(NOTES), "{}", self.at(when)))

        if T.ASSIGN in kinds:
            self._assignments(t, case_id, kinds, times, officer, expert_index)
        if planned:
            self._plan(t, case_id, state, variant, kinds, times, officer, expert_user, broker)
        self._tasks_and_files(t, case_id, state, enterprise, district, broker, officer, expert_user, created, last)

    def _tell_officers(
        self, t: _CaseTables, case_id: int, variant: Variant, times: list[float], actor: int, created: float
    ) -> None:
        """The inbox messages the district's officers got for this case (not those of brokers and experts)."""
        rng = self.rng
        told = [(created, FILED)] if variant.filed_as is S.SUBMITTED else []
        told += [(when, kind.value) for kind, when in zip(variant.kinds, times, strict=True) if kind in _TELLS_OFFICERS]
        for step, (when, kind) in enumerate(told):
            subject, body = self.messages(kind)
            for user in self.officers[self.case_district]:
                if user == actor and kind in _OFFICER_ACTS:
                    continue  # the acting officer is not told of his own act
                read_at = None
                if when < self.now - UNREAD_DAYS * DAY or rng.random() < 0.2:
                    read_at = self.at(min(self.now - 60, when + rng.uniform(600, 2 * DAY)))
                t.notifications.rows.append(
                    (self.ids.take("accounts_notification"), user, f"case_{kind}", subject, body, f"/cases/{case_id}",
                     f"case-event:seed-{case_id}-{step}:{user}", self.at(when), read_at)
                )  # fmt: skip

    def messages(self, kind: str) -> tuple[str, str]:
        if kind not in self.message_cache:
            message = message_for(kind, Party.DISTRICT_OFFICERS)
            self.message_cache[kind] = (message.subject, message.body)
        return self.message_cache[kind]

    def _assignments(
        self, t: _CaseTables, case_id: int, kinds: list[Transition], times: list[float], officer: int, expert: int
    ) -> None:
        rng = self.rng
        offered = times[kinds.index(T.ASSIGN)]
        accepted = next((times[kinds.index(k)] for k in (T.ACCEPT_ASSIGNMENT, T.START_DIAGNOSIS) if k in kinds), None)
        t.assignments.rows.append(
            (self.ids.take("casework_assignment"), case_id, expert + 1, self.expert_users[expert], "lead",
             "accepted" if accepted else "offered", "", officer, self.at(offered),
             self.at(accepted) if accepted else None)
        )  # fmt: skip
        if accepted and rng.random() < 0.1:
            other = rng.randrange(len(self.expert_users))
            t.assignments.rows.append(
                (self.ids.take("casework_assignment"), case_id, other + 1, self.expert_users[other], "supporting",
                 "accepted", "", officer, self.at(offered), self.at(accepted))
            )  # fmt: skip

    def _plan(
        self,
        t: _CaseTables,
        case_id: int,
        state: CaseState,
        variant: Variant,
        kinds: list[Transition],
        times: list[float],
        officer: int,
        expert_user: int,
        broker: int,
    ) -> None:
        rng = self.rng
        drafted = times[kinds.index(T.FINISH_DIAGNOSIS)]
        done_state = state in (S.MONITORING, S.CLOSED) or variant.held_from is S.MONITORING
        working = state is S.IN_PROGRESS or variant.held_from is S.IN_PROGRESS
        snapshot = []
        confirmed: list[int] = []
        last = times[-1]
        for position in range(rng.choices((1, 2, 3), weights=(45, 40, 15))[0]):
            problem_id = self.ids.take("casework_problem")
            title = rng.choice(PROBLEM_TITLES)
            closed = done_state or (working and rng.random() < 0.35)
            closed_at = self.at(rng.uniform(drafted, last)) if closed else None
            t.problems.rows.append(
                (problem_id, case_id, position, title, f"{title}，影响企业正常经营。", closed_at,
                 broker if closed else None, None, self.at(drafted))
            )  # fmt: skip
            if closed:
                confirmed.append(problem_id)
            measures = []
            for m in range(rng.choices((1, 2, 3), weights=(45, 40, 15))[0]):
                text, owner = rng.choice(MEASURE_TEXTS), rng.choice(MEASURE_OWNERS)
                due = _day(drafted + rng.uniform(20, 120) * DAY)
                if closed:
                    status = "done" if rng.random() < 0.9 else "dropped"
                elif working:
                    status = rng.choice(("todo", "doing", "doing", "done"))
                else:
                    status = "todo"
                t.measures.rows.append(
                    (self.ids.take("casework_measure"), problem_id, case_id, m, text, owner,
                     "区人社局" if owner == "agency" else "", due, status,
                     "企业已另行解决" if status == "dropped" else "", "已完成，见照片。" if status == "done" else "",
                     None, self.at(min(last, drafted + 30 * DAY)))
                )  # fmt: skip
                measures.append({"description": text, "owner": owner, "due_on": due.isoformat()})
            snapshot.append({"title": title, "measures": measures})
        content = _json({"diagnosis": "经诊断……", "problems": snapshot})
        number = 0
        for index, kind in enumerate(kinds):
            if kind is not T.SUBMIT_PLAN:
                continue
            number += 1
            after = kinds[index + 1] if index + 1 < len(kinds) else None
            status = "submitted"
            if after is T.RETURN_PLAN:
                status = "returned"
            elif after is T.APPROVE_PLAN:
                status = "approved"
            decided = times[index + 1] if status != "submitted" else None
            t.versions.rows.append(
                (self.ids.take("casework_plan_version"), case_id, number, status, content, expert_user,
                 self.at(times[index]), officer if decided else None, self.at(decided) if decided else None,
                 "请细化第二项措施的完成时限。" if status == "returned" else "")
            )  # fmt: skip
        if confirmed:
            when = self.at(last)
            t.confirmations.rows.append(
                (self.ids.take("casework_confirmation"), case_id, broker, "code", when, when,
                 _json({"problems": confirmed}), when)
            )  # fmt: skip

    def _tasks_and_files(
        self,
        t: _CaseTables,
        case_id: int,
        state: CaseState,
        enterprise: int,
        district: str,
        broker: int,
        officer: int,
        expert_user: int,
        created: float,
        last: float,
    ) -> None:
        rng = self.rng
        ended = state in (S.CLOSED, S.DECLINED, S.WITHDRAWN, S.MERGED)
        if rng.random() < (0.05 if ended else 0.2) and state not in (S.DRAFT,):
            given = rng.uniform(created, max(created, last))
            due = _day(given + rng.uniform(3, 30) * DAY)
            done = ended or rng.random() < 0.4
            t.tasks.rows.append(
                (self.ids.take("casework_task"), district, case_id, enterprise, broker,
                 rng.choice(("visit", "survey", "collect_document")), "请上门核实企业经营情况并拍照。", due,
                 "done" if done else "open", "已走访，企业经营正常。" if done else "", officer, self.at(given),
                 self.at(min(self.now - 600, given + 5 * DAY)) if done else None)
            )  # fmt: skip
        if state not in (S.DRAFT, S.SUBMITTED) and rng.random() < 0.2:
            for _ in range(rng.choice((1, 1, 2))):
                attachment_id = self.ids.take("casework_attachment")
                photo = rng.random() < 0.6
                t.attachments.rows.append(
                    (attachment_id, case_id, rng.choice((broker, expert_user)),
                     f"{rng.getrandbits(64):016x}{attachment_id:010x}", "现场照片.jpg" if photo else "营业执照.pdf",
                     "image/jpeg" if photo else "application/pdf", rng.randint(40_000, 3_000_000),
                     "photo" if photo else "document", "", self.at(rng.uniform(created, max(created, last))))
                )  # fmt: skip


class _CaseTables:
    """One chunk of the case tables, in insertion order."""

    def __init__(self) -> None:
        self.needs = Table(
            "enterprises_need",
            ("id", "enterprise", "category", "description", "urgency", "amount_sought", "filed_by", "created_at"),
        )
        self.cases = Table(
            "casework_case",
            ("id", "enterprise", "filed_by", "district", "priority", "state", "version", "held_from", "resume_on",
             "open_question", "outcome", "merged_into", "diagnosis", "created_at", "updated_at", "closed_at"),
        )  # fmt: skip
        self.case_needs = Table("casework_case_need", ("id", "case", "need"))
        self.events = Table(
            "casework_case_event",
            ("id", "case", "actor", "kind", "from_state", "to_state", "note", "data", "created_at"),
        )
        self.assignments = Table(
            "casework_assignment",
            ("id", "case", "expert", "expert_user", "role", "status", "reason", "offered_by", "offered_at",
             "answered_at"),
        )  # fmt: skip
        self.problems = Table(
            "casework_problem",
            ("id", "case", "position", "title", "description", "closed_out_at", "closed_out_by", "confirmation",
             "created_at"),
        )  # fmt: skip
        self.measures = Table(
            "casework_measure",
            ("id", "problem", "case", "position", "description", "owner", "owner_name", "due_on", "status",
             "drop_reason", "evidence_note", "evidence", "updated_at"),
        )  # fmt: skip
        self.versions = Table(
            "casework_plan_version",
            ("id", "case", "number", "status", "content", "submitted_by", "submitted_at", "decided_by", "decided_at",
             "comments"),
        )  # fmt: skip
        self.confirmations = Table(
            "casework_confirmation",
            ("id", "case", "requested_by", "method", "expires_at", "confirmed_at", "purpose", "created_at"),
        )
        self.tasks = Table(
            "casework_task",
            ("id", "district", "case", "enterprise", "broker", "kind", "instructions", "due_on", "status", "record",
             "created_by", "created_at", "done_at"),
        )  # fmt: skip
        self.notifications = Table(
            "accounts_notification",
            ("id", "user", "kind", "subject", "body", "link", "dedupe_key", "created_at", "read_at"),
        )
        self.attachments = Table(
            "casework_attachment",
            ("id", "case", "uploaded_by", "stored_name", "original_name", "content_type", "size", "purpose", "note",
             "created_at"),
        )  # fmt: skip

    def tables(self) -> list[Table]:
        return [
            self.needs, self.cases, self.case_needs, self.events, self.assignments, self.problems, self.measures,
            self.versions, self.confirmations, self.tasks, self.attachments, self.notifications,
        ]  # fmt: skip


SEEDED_TABLES = (
    "accounts_user", "experts_expert", "enterprises_founder", "enterprises_enterprise",
    *(table.name for table in _CaseTables().tables()),
)  # fmt: skip


def build(sizes: WorldSizes, password_hash: str, now: datetime) -> Iterator[list[Table]]:
    """The world's rows in chunks, parents before children."""
    world = World(sizes, password_hash, now)
    yield world.accounts()
    yield from world.enterprises()
    yield from world.cases()
