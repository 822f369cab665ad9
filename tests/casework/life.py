"""A case's life for tests: Alice's enterprise in district A, its cases, experts, and moves through the service.

Everything goes through the real services; only what other features own (the diagnosis text,
the plan's problems and measures, a problem's close-out, a broker's task) is written as rows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from accounts.policy import Actor, Role
from casework.moving import Details, Moved, transition_case
from casework.services import file_need
from casework.tables import Case, Measure, Problem, Task
from casework.workflow import CaseState, Transition
from core.db import write_transaction
from enterprises.services import register_enterprise
from experts.tables import Expert
from tests.conftest import DISTRICT_A, DISTRICT_B, Personas

ROLES: dict[str, tuple[Role, str | None]] = {
    "alice": (Role.BROKER, DISTRICT_A),
    "bob": (Role.BROKER, DISTRICT_B),
    "anna": (Role.BROKER, DISTRICT_A),  # a second broker of district A, added where a test needs her
    "olga": (Role.DISTRICT_OFFICER, DISTRICT_A),
    "oscar": (Role.DISTRICT_OFFICER, DISTRICT_B),
    "carl": (Role.CITY_OFFICER, None),
    "eve": (Role.EXPERT, None),
    "adam": (Role.ADMIN, None),
    "ed": (Role.EXPERT, None),  # a second expert, added by `Life`
}
_names = itertools.count(1)

# The moves that bring a case from submitted to each state: (who, transition, reason, details).
S, T = CaseState, Transition


@dataclass
class Life:
    personas: Personas
    experts: dict[str, int] = field(default_factory=dict)  # username -> experts_expert id

    def actor(self, username: str) -> Actor:
        role, district = ROLES[username]
        return Actor(self.personas.ids[username], role, district)

    def id(self, username: str) -> int:
        return self.personas.ids[username]

    async def enterprise(self, broker: str = "alice") -> int:
        actor = self.actor(broker)
        n = next(_names)
        return await register_enterprise(
            actor,
            {
                "name": f"测试竹编合作社{n}号",
                "district": actor.district or DISTRICT_A,
                "town": f"第{n}村",
                "founder_name": "谭巧玲",
                "founder_phone": "023-63861234",
                "legal_form": "farmers_cooperative",
                "confirm_not_duplicate": "1",  # the same founder may run several enterprises
            },
        )

    async def case(
        self,
        broker: str = "alice",
        enterprise: int | None = None,
        as_draft: bool = False,
        category: str = "market",
    ) -> int:
        """A need filed by the broker (of a new enterprise unless one is named): a submitted case."""
        enterprise = enterprise or await self.enterprise(broker)
        need = {"category": category, "description": "找销路"}
        return await file_need(self.actor(broker), enterprise, need, as_draft=as_draft)

    async def version(self, case_id: int) -> int:
        row = await Case.select(Case.version).where(Case.id == case_id).first()
        assert row is not None
        version: int = row["version"]
        return version

    async def state(self, case_id: int) -> CaseState:
        row = await Case.select(Case.state).where(Case.id == case_id).first()
        assert row is not None
        return CaseState(row["state"])

    async def move(self, who: str, case_id: int, transition: Transition, reason: str = "", **details: Any) -> Moved:
        """`who` makes the transition at the case's current version."""
        version = await self.version(case_id)
        return await transition_case(self.actor(who), case_id, transition, version, reason, Details(**details))

    async def expert(self, username: str = "eve", name: str = "李工") -> int:
        """An expert of the pool with the persona's account."""
        if username not in self.personas.ids:
            self.personas.add(username, ROLES[username][0])
        rows = await Expert.insert(Expert(name=name, user=self.id(username), specialties=["market"])).returning(
            Expert.id
        )
        self.experts[username] = rows[0]["id"]
        return self.experts[username]

    async def diagnose(self, case_id: int) -> None:
        await Case.update({Case.diagnosis: "销路单一，缺少电商渠道"}).where(Case.id == case_id)

    async def plan(self, case_id: int, problems: int = 1) -> list[int]:
        """Problems with one measure each, as the plan feature would write them (in one transaction)."""
        ids: list[int] = []
        async with write_transaction():
            await self._plan(case_id, problems, ids)
        return ids

    async def _plan(self, case_id: int, problems: int, ids: list[int]) -> None:
        for position in range(problems):
            rows = await Problem.insert(Problem(case=case_id, position=position, title=f"问题{position}")).returning(
                Problem.id
            )
            ids.append(rows[0]["id"])
            await Measure.insert(
                Measure(
                    problem=ids[-1],
                    case=case_id,
                    description="开设网店",
                    owner="expert",
                    due_on=date.today() + timedelta(days=30),
                )
            )

    async def close_out(self, case_id: int) -> None:
        await Problem.update({Problem.closed_out_at: datetime.now(UTC)}).where(Problem.case == case_id)

    async def task(self, case_id: int, broker: str, enterprise: int) -> int:
        rows = await Task.insert(
            Task(
                district=ROLES[broker][1] or "",
                case=case_id,
                enterprise=enterprise,
                broker=self.id(broker),
                kind="visit",
                due_on=date.today() + timedelta(days=3),
            )
        ).returning(Task.id)
        task_id: int = rows[0]["id"]
        return task_id

    async def bring_to(self, case_id: int, state: CaseState, expert: str = "eve") -> None:
        """Move a submitted case through the service to `state`, the way people would."""
        path = [S.TRIAGED, S.ASSIGNED, S.DIAGNOSING, S.PLANNING, S.PLAN_APPROVED, S.IN_PROGRESS, S.MONITORING]
        steps = path[: path.index(state) + 1] if state in path else []
        for step in steps:
            if step is S.TRIAGED:
                await self.move("olga", case_id, T.TRIAGE)
            elif step is S.ASSIGNED:
                if expert not in self.experts:
                    await self.expert(expert)
                await self.move("olga", case_id, T.ASSIGN, expert=self.experts[expert])
                await self.move(expert, case_id, T.ACCEPT_ASSIGNMENT)
            elif step is S.DIAGNOSING:
                await self.move(expert, case_id, T.START_DIAGNOSIS)
            elif step is S.PLANNING:
                await self.diagnose(case_id)
                await self.move(expert, case_id, T.FINISH_DIAGNOSIS)
            elif step is S.PLAN_APPROVED:
                await self.plan(case_id)
                await self.move(expert, case_id, T.SUBMIT_PLAN)
                await self.move("olga", case_id, T.APPROVE_PLAN)
            elif step is S.IN_PROGRESS:
                await self.move(expert, case_id, T.START_WORK)
            elif step is S.MONITORING:
                await self.close_out(case_id)
                await self.move(expert, case_id, T.START_MONITORING)
        assert await self.state(case_id) is state
