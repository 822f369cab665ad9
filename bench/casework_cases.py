"""The casework benchmark's cases: each case's need, its row in the state it reached, its events (the filing,
its last transitions, notes), the officers' inbox, its expert assignments, its plan (problems, measures,
versions, the founder's confirmation), and now and then a broker task and attachments.

A builder of bench.casework_world, run after bench.casework_people: the cases are filed by its brokers, in its
districts.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from decimal import Decimal
from itertools import accumulate
from typing import Any

from bench.casework_world import (
    DAY,
    OUTCOMES,
    PRIORITIES,
    Variant,
    World,
    as_json,
    day_of,
    draw_cases,
)
from bench.seed_world import Table
from casework.notifying import FILED, message_for
from casework.states import CaseState, Priority, Transition
from casework.workflow import RULES, Party
from enterprises.classification import NeedCategory, Urgency

S = CaseState
T = Transition
_BROKER_ACTS = frozenset({T.SUBMIT, T.WITHDRAW})
_EXPERT_ACTS = frozenset({T.ACCEPT_ASSIGNMENT, T.START_DIAGNOSIS, T.FINISH_DIAGNOSIS, T.SUBMIT_PLAN})
# What the district's officers are told of (their inbox, and the unread count in every page's header).
_TELLS_OFFICERS = frozenset(t for t, rule in RULES.items() if Party.DISTRICT_OFFICERS in rule.notify)
_OFFICER_ACTS = frozenset(t.value for t in _TELLS_OFFICERS - _BROKER_ACTS - _EXPERT_ACTS)
UNREAD_DAYS = 3  # officers read their inbox: what came in the last days is mostly unread, the rest read
NOTES = (
    "电话回访，企业负责人反映资金周转仍较紧张。",
    "已上门走访，核实了经营场地和设备情况。",
    "企业补充提交了近三个月的银行流水。",
    "与专家沟通了诊断安排，约定下周到企业现场。",
    "区就业局已协调金融机构对接。",
    "企业主表示措施推进顺利，暂无新的困难。",
)
PROBLEM_TITLES = ("流动资金不足", "产品销路单一", "缺少熟练工人", "生产技术落后", "财务管理不规范", "场地租约到期",
                  "电商运营能力弱", "品牌知名度低")  # fmt: skip
MEASURE_TEXTS = ("对接创业担保贷款", "联系农产品电商平台试销", "组织员工参加技能培训", "引进新的加工设备",
                 "建立规范的记账制度", "协调续租或另寻场地")  # fmt: skip
MEASURE_OWNERS = ("expert", "broker", "bureau", "agency", "enterprise")


def cases(world: World) -> Iterator[list[Table]]:
    """The cases' rows in chunks of `world.sizes.chunk` cases, once the people are built."""
    yield from _CaseBuilder(world).chunks()


class _CaseBuilder:
    """Builds the cases chunk by chunk; the events wait in a heap until no later case can come before them."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng  # the one random stream and the one id counter of the world: the order matters
        self.ids = world.ids
        self.pending: list[tuple[float, int, tuple[Any, ...]]] = []  # events not yet due, by time
        self.message_cache: dict[str, tuple[str, str]] = {}
        self.case_district = ""
        self.pushed = 0

    def chunks(self) -> Iterator[list[Table]]:
        states, variants, keep, notes = draw_cases(self.world)
        rng, n = self.rng, self.world.sizes.cases
        priorities = [p.value for p, _ in PRIORITIES]
        priority_weights = list(accumulate(w for _, w in PRIORITIES))
        categories = list(NeedCategory)
        urgency_of = {Priority.LOW: Urgency.LOW, Priority.NORMAL: Urgency.NORMAL, Priority.HIGH: Urgency.HIGH,
                      Priority.URGENT: Urgency.URGENT}  # fmt: skip
        first_case = self.world.start + 121 * DAY
        span = self.world.now - 3_600 - first_case
        for first in range(0, n, self.world.sizes.chunk):
            t = _CaseTables()
            for i in range(first, min(n, first + self.world.sizes.chunk)):
                case_id = i + 1
                created = first_case + span * i / n + rng.uniform(0, span / n)
                self._release(created, t.events)
                enterprise = rng.randrange(self.world.sizes.enterprises) + 1
                district = self.world.enterprise_district[enterprise - 1]
                broker = self.world.enterprise_broker[enterprise - 1]
                priority = rng.choices(priorities, cum_weights=priority_weights)[0]
                category = rng.choice(categories)
                self._case(
                    t, case_id, created, states[i], variants[i], keep[i], notes[i], enterprise, district, broker,
                    priority, category, urgency_of[Priority(priority)],
                )  # fmt: skip
            if first + self.world.sizes.chunk >= n:
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
        officer = rng.choice(self.world.officers[district])
        expert_index = rng.randrange(len(self.world.expert_users))
        expert_user = self.world.expert_users[expert_index]
        # When each transition happened: gaps of days to weeks, squeezed into the case's age if need be.
        gaps = [rng.uniform(0.3, 12.0) * DAY for _ in variant.path]
        room = (self.world.now - 600 - created) * 0.95
        if (total := sum(gaps)) > room:
            gaps = [g * room / total for g in gaps]
        times = [created + s for s in accumulate(gaps)]
        last = times[-1] if times else created
        kinds = variant.kinds

        amount = Decimal(rng.randrange(10, 500) * 1_000) if category is NeedCategory.FINANCING else None
        t.needs.rows.append(
            (case_id, enterprise, category.value, f"需要{category.value}方面的帮助：扩大生产、稳定经营（{case_id}）",
             urgency.value, amount, broker, self.world.at(created))
        )  # fmt: skip
        t.case_needs.rows.append((case_id, case_id, case_id))

        planned = T.FINISH_DIAGNOSIS in kinds
        diagnosis = f"经诊断，企业在{category.value}方面存在若干主要问题，需分步解决。" if planned else ""
        closed_at = self.world.at(times[kinds.index(T.CLOSE)]) if T.CLOSE in kinds else None
        outcome = rng.choices([o.value for o, _ in OUTCOMES], weights=[w for _, w in OUTCOMES])[0] if closed_at else ""
        returned = T.RETURN_TO_BROKER in kinds and state is S.DRAFT
        t.cases.rows.append(
            (
                case_id, enterprise, broker, district, priority, state.value, 1 + len(kinds),
                variant.held_from.value if variant.held_from else "",
                day_of(last + 30 * DAY) if variant.held_from else None,
                "请补充近三个月的经营流水和场地租赁合同。" if returned else "", outcome,
                rng.randrange(1, case_id) if state is S.MERGED and case_id > 1 else None, diagnosis,
                self.world.at(created), self.world.at(last), closed_at,
            )
        )  # fmt: skip

        # Events: the filing, the last `keep` transitions, and notes, ids given later in time order.
        self._event(created, (case_id, broker, "filed", "", variant.filed_as.value, "", "{}", self.world.at(created)))
        version = 0
        skip = len(kinds) - keep
        for index, (kind, kind_value, source, target, names_plan, note) in enumerate(variant.steps):
            version += kind is T.SUBMIT_PLAN
            if index < skip:
                continue
            actor = broker if kind in _BROKER_ACTS else expert_user if kind in _EXPERT_ACTS else officer
            when = times[index]
            data = f'{{"plan_version":{version}}}' if names_plan else "{}"
            self._event(when, (case_id, actor, kind_value, source, target, note, data, self.world.at(when)))
        self._tell_officers(t, case_id, variant, times, officer, created)
        note_until = max(last, min(self.world.now - 600, created + 60 * DAY))
        for _ in range(notes):
            when = rng.uniform(created, note_until)
            actor = rng.choice((broker, officer, expert_user) if planned else (broker, officer))
            self._event(when, (case_id, actor, "note", "", "", rng.choice(NOTES), "{}", self.world.at(when)))

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
            for user in self.world.officers[self.case_district]:
                if user == actor and kind in _OFFICER_ACTS:
                    continue  # the acting officer is not told of his own act
                read_at = None
                if when < self.world.now - UNREAD_DAYS * DAY or rng.random() < 0.2:
                    read_at = self.world.at(min(self.world.now - 60, when + rng.uniform(600, 2 * DAY)))
                t.notifications.rows.append(
                    (self.ids.take("accounts_notification"), user, f"case_{kind}", subject, body, f"/cases/{case_id}",
                     f"case-event:seed-{case_id}-{step}:{user}", self.world.at(when), read_at)
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
            (self.ids.take("casework_assignment"), case_id, expert + 1, self.world.expert_users[expert], "lead",
             "accepted" if accepted else "offered", "", officer, self.world.at(offered),
             self.world.at(accepted) if accepted else None)
        )  # fmt: skip
        if accepted and rng.random() < 0.1:
            other = rng.randrange(len(self.world.expert_users))
            t.assignments.rows.append(
                (self.ids.take("casework_assignment"), case_id, other + 1, self.world.expert_users[other], "supporting",
                 "accepted", "", officer, self.world.at(offered), self.world.at(accepted))
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
            closed_at = self.world.at(rng.uniform(drafted, last)) if closed else None
            t.problems.rows.append(
                (problem_id, case_id, position, title, f"{title}，影响企业正常经营。", closed_at,
                 broker if closed else None, None, self.world.at(drafted))
            )  # fmt: skip
            if closed:
                confirmed.append(problem_id)
            measures = []
            for m in range(rng.choices((1, 2, 3), weights=(45, 40, 15))[0]):
                text, owner = rng.choice(MEASURE_TEXTS), rng.choice(MEASURE_OWNERS)
                due = day_of(drafted + rng.uniform(20, 120) * DAY)
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
                     None, self.world.at(min(last, drafted + 30 * DAY)))
                )  # fmt: skip
                measures.append({"description": text, "owner": owner, "due_on": due.isoformat()})
            snapshot.append({"title": title, "measures": measures})
        content = as_json({"diagnosis": "经诊断……", "problems": snapshot})
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
                 self.world.at(times[index]), officer if decided else None, self.world.at(decided) if decided else None,
                 "请细化第二项措施的完成时限。" if status == "returned" else "")
            )  # fmt: skip
        if confirmed:
            when = self.world.at(last)
            t.confirmations.rows.append(
                (self.ids.take("casework_confirmation"), case_id, broker, "code", when, when,
                 as_json({"problems": confirmed}), when)
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
            due = day_of(given + rng.uniform(3, 30) * DAY)
            done = ended or rng.random() < 0.4
            t.tasks.rows.append(
                (self.ids.take("casework_task"), district, case_id, enterprise, broker,
                 rng.choice(("visit", "survey", "collect_document")), "请上门核实企业经营情况并拍照。", due,
                 "done" if done else "open", "已走访，企业经营正常。" if done else "", officer, self.world.at(given),
                 self.world.at(min(self.world.now - 600, given + 5 * DAY)) if done else None)
            )  # fmt: skip
        if state not in (S.DRAFT, S.SUBMITTED) and rng.random() < 0.2:
            for _ in range(rng.choice((1, 1, 2))):
                attachment_id = self.ids.take("casework_attachment")
                photo = rng.random() < 0.6
                t.attachments.rows.append(
                    (attachment_id, case_id, rng.choice((broker, expert_user)),
                     f"{rng.getrandbits(64):016x}{attachment_id:010x}", "现场照片.jpg" if photo else "营业执照.pdf",
                     "image/jpeg" if photo else "application/pdf", rng.randint(40_000, 3_000_000),
                     "photo" if photo else "document", "", self.world.at(rng.uniform(created, max(created, last))))
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


CASE_TABLES = tuple(table.name for table in _CaseTables().tables())
