"""The world a plan or confirmation test starts from, set up as rows: a case of Alice's enterprise in
district A in the state the test needs, Eve its accepted lead expert; Ed is an expert with no case.

Going through every transition to reach `in_progress` would test the workflow again in every test;
`test_story.py` goes through them once, for real.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from accounts.policy import Actor, Role
from casework.plans.live import today
from casework.states import CaseState
from casework.tables import Assignment, Case, Measure, PlanVersion, Problem
from enterprises.phones import stored_phone
from enterprises.tables import Enterprise, Founder
from experts.tables import Expert
from tests.conftest import DISTRICT_A, DISTRICT_B, Personas

FOUNDER_PHONE = "13983451234"

CAST: dict[str, tuple[Role, str | None]] = {
    "alice": (Role.BROKER, DISTRICT_A),
    "bob": (Role.BROKER, DISTRICT_B),
    "olga": (Role.DISTRICT_OFFICER, DISTRICT_A),
    "oscar": (Role.DISTRICT_OFFICER, DISTRICT_B),
    "carl": (Role.CITY_OFFICER, None),
    "eve": (Role.EXPERT, None),
    "ed": (Role.EXPERT, None),
    "adam": (Role.ADMIN, None),
}

# A 1×1 PNG: a drawn signature or a photo, as far as the type check can tell.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def in_days(days: int) -> date:
    return today() + timedelta(days=days)


def measure_form(**changes: str) -> dict[str, str]:
    return {
        "description": "对接区农商行，办理创业担保贷款",
        "owner": "bureau",
        "owner_name": "",
        "due_on": in_days(20).isoformat(),
        **changes,
    }


@dataclass
class PlanWorld:
    personas: Personas

    def actor(self, username: str) -> Actor:
        role, district = CAST[username]
        return Actor(self.personas.ids[username], role, district)

    def id(self, username: str) -> int:
        return self.personas.ids[username]

    async def case(
        self,
        state: CaseState = CaseState.PLANNING,
        district: str = DISTRICT_A,
        filer: str = "alice",
        lead: str | None = "eve",
        phone: str = FOUNDER_PHONE,
        diagnosis: str = "冷库容量不足，流动资金紧张",
    ) -> int:
        founder = await Founder.insert(Founder(name="周春华", **stored_phone(phone))).returning(Founder.id)
        enterprise = await Enterprise.insert(
            Enterprise(name="春华柑橘家庭农场", district=district, town="汉丰街道", founder=founder[0]["id"])
        ).returning(Enterprise.id)
        case = await Case.insert(
            Case(
                enterprise=enterprise[0]["id"],
                filed_by=self.id(filer),
                district=district,
                state=state,
                diagnosis=diagnosis,
            )
        ).returning(Case.id)
        case_id: int = case[0]["id"]
        if lead is not None:
            expert = await Expert.insert(Expert(user=self.id(lead), name=lead.title())).returning(Expert.id)
            await Assignment.insert(
                Assignment(
                    case=case_id, expert=expert[0]["id"], expert_user=self.id(lead), role="lead", status="accepted"
                )
            )
        return case_id

    async def problem(
        self, case_id: int, measures: Sequence[tuple[str, str]] = (("todo", "expert"),), title: str = "资金周转困难"
    ) -> tuple[int, list[int]]:
        """A problem with measures given as (status, owner); returns its id and theirs."""
        position = await Problem.count().where(Problem.case == case_id) + 1
        rows = await Problem.insert(Problem(case=case_id, position=position, title=title)).returning(Problem.id)
        problem_id: int = rows[0]["id"]
        measure_ids = []
        for index, (status, owner) in enumerate(measures, start=1):
            added = await Measure.insert(
                Measure(
                    problem=problem_id,
                    case=case_id,
                    position=index,
                    description=f"措施 {index}",
                    owner=owner,
                    due_on=in_days(10),
                    status=status,
                )
            ).returning(Measure.id)
            measure_ids.append(added[0]["id"])
        return problem_id, measure_ids

    async def approved(self, case_id: int, number: int = 1) -> None:
        """An approved version, as the officer's decision leaves it."""
        await PlanVersion.insert(PlanVersion(case=case_id, number=number, status="approved", content={}))

    async def version(self, case_id: int) -> int:
        row = await Case.select(Case.version).where(Case.id == case_id).first()
        assert row is not None
        return int(row["version"])
