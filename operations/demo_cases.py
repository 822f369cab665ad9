"""The demo world's casework: a case in every state, plans at every stage, broker tasks due, overdue and done.

Everything goes through the real services — transitions, the plan's writing and progress, the
founder's signature at close-out, tasks, notes — as the demo's people would have done it, so the
timeline, the inboxes (the jobs the moves promise) and the ledger of open problems read as in use.
`operations.demo.seed` calls `seed_cases` once the users, experts and first enterprises exist.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from accounts.policy import Actor
from casework.moving import Details, transition_case
from casework.notes.service import add_note
from casework.plans.closing import close_out_with_signature
from casework.plans.live import today
from casework.plans.progress import add_evidence, record_progress
from casework.plans.writing import add_measure, add_problem, write_diagnosis
from casework.services import file_need
from casework.states import Outcome, Transition
from casework.tables import Case, Measure, Task
from casework.tasks.completing import CompletionRequest, complete_task
from casework.tasks.dispatching import DispatchRequest, dispatch_task
from enterprises.services import register_enterprise
from experts.tables import Expert
from operations.demo_stories import (
    CASES,
    CLOSING,
    DUPLICATE,
    EXPERT,
    HOLD,
    OFFICER_OF,
    PROGRESS,
    QUESTION,
    DemoCase,
    MeasurePlan,
    ProblemPlan,
    Stage,
    TaskPlan,
)

T = Transition


def signature_png(width: int = 180, height: int = 60) -> bytes:
    """A small greyscale PNG of a scrawled stroke: the founder's signature, as a broker's screen keeps it."""
    pixels = [bytearray(b"\xff" * width) for _ in range(height)]
    for x in range(12, width - 12):
        y = int(height / 2 + height / 4 * math.sin(x / 7) * math.cos(x / 23))
        pixels[y][x] = pixels[y + 1][x] = 0

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)  # filter byte 0 before each row
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


# What the broker recorded at the demo's survey: the enterprise's outcomes (`enterprises.outcomes`).
SURVEY_ANSWERS = {
    "employees": "14",
    "migrant_employees": "9",
    "revenue_band": "1m_5m",
    "status": "operating",
    "loans_obtained": "yes",
    "loan_amount": "30万",
}


@dataclass
class Scene:
    """One demo case played through: its people and the moves they make, in order."""

    actors: Mapping[str, Actor]
    expert_id: int  # expert1's row in the expert pool, the one an assignment names
    case: DemoCase
    case_id: int = 0

    @property
    def broker(self) -> Actor:
        return self.actors[self.case.broker]

    @property
    def officer(self) -> Actor:
        return self.actors[OFFICER_OF[self.case.broker]]

    @property
    def expert(self) -> Actor:
        return self.actors[EXPERT]

    async def file(self, enterprise_id: int) -> int:
        category, description, urgency = self.case.need
        need = {"category": category, "description": description, "urgency": urgency, "amount_sought": ""}
        return await file_need(self.broker, enterprise_id, need)

    async def move(
        self, actor: Actor, transition: Transition, reason: str = "", details: Details | None = None
    ) -> None:
        row = await Case.select(Case.version).where(Case.id == self.case_id).first()
        assert row is not None
        await transition_case(actor, self.case_id, transition, row["version"], reason, details)

    async def play(self) -> int:
        """File the case and bring it as far as its stage says; returns how many cases were filed."""
        form = {**self.case.enterprise, "district": self.broker.district or ""}
        enterprise_id = await register_enterprise(self.broker, form)
        self.case_id = await self.file(enterprise_id)
        if self.case.stage is Stage.MERGED:
            await self.move(self.officer, T.TRIAGE)
            survivor, self.case_id = self.case_id, await self.file(enterprise_id)
            await self.move(self.officer, T.MERGE, DUPLICATE, Details(survivor=survivor))
            return 2
        await self.bring_along()
        for task in self.case.tasks:
            await self.dispatch(task)
        if self.case.note:
            await add_note(self.broker, self.case_id, self.case.note)
        return 1

    async def bring_along(self) -> None:
        """Move the filed case on, step by step as its people would, until it stands where its stage says."""
        stage, officer, expert = self.case.stage, self.officer, self.expert
        if stage is Stage.QUESTION:
            await self.move(officer, T.RETURN_TO_BROKER, QUESTION)
            return
        await self.move(officer, T.TRIAGE)
        if stage is Stage.ON_HOLD:
            await self.move(officer, T.HOLD, HOLD[0], Details(resume_on=today() + timedelta(days=HOLD[1])))
            return
        await self.move(officer, T.ASSIGN, details=Details(expert=self.expert_id))
        if stage is Stage.ASSIGNED:
            return
        await self.move(expert, T.ACCEPT_ASSIGNMENT)
        await self.move(expert, T.START_DIAGNOSIS)
        if stage is Stage.DIAGNOSING:
            return
        plan = self.case.plan
        assert plan is not None, f"a demo case at {stage} needs a plan"
        await write_diagnosis(expert, self.case_id, plan.diagnosis)
        await self.move(expert, T.FINISH_DIAGNOSIS)
        written = [await self.write(problem) for problem in plan.problems]
        if stage is Stage.PLAN_DRAFT:
            return
        await self.move(expert, T.SUBMIT_PLAN)
        if stage is Stage.PLAN_SUBMITTED:
            return
        if plan.returned_with:
            await self.move(officer, T.RETURN_PLAN, plan.returned_with)
            if plan.revision is not None:
                first_problem, its_measures = written[0]
                its_measures.append((await self.add(first_problem, plan.revision), plan.revision))
            if stage is Stage.PLAN_RETURNED:
                return  # version 2 is being written
            await self.move(expert, T.SUBMIT_PLAN)
        await self.move(officer, T.APPROVE_PLAN)
        if stage is Stage.PLAN_APPROVED:
            return
        await self.move(expert, T.START_WORK)
        for problem_id, measures in written:
            await self.carry_out(problem_id, measures)
        if stage is Stage.IN_PROGRESS:
            return
        await self.move(expert, T.START_MONITORING)
        if stage is Stage.MONITORING:
            return
        await self.move(officer, T.CLOSE, CLOSING, Details(outcome=Outcome.RESOLVED))

    async def write(self, problem: ProblemPlan) -> tuple[int, list[tuple[int, MeasurePlan]]]:
        form = {"title": problem.title, "description": problem.description}
        problem_id = await add_problem(self.expert, self.case_id, form)
        return problem_id, [(await self.add(problem_id, measure), measure) for measure in problem.measures]

    async def add(self, problem_id: int, measure: MeasurePlan) -> int:
        due_on = today() + timedelta(days=measure.due_in)
        form = {"description": measure.description, "owner": measure.owner, "owner_name": measure.owner_name}
        return await add_measure(self.expert, self.case_id, problem_id, form | {"due_on": due_on.isoformat()})

    async def carry_out(self, problem_id: int, measures: list[tuple[int, MeasurePlan]]) -> None:
        """Move the problem's measures on; close it out with the founder's signature once all are done or dropped."""
        for measure_id, measure in measures:
            who = self.broker if measure.owner == "broker" else self.expert
            for status in PROGRESS.get(measure.status, ()):
                await record_progress(who, self.case_id, measure_id, status, measure.drop_reason)
            if measure.evidence:
                await add_evidence(who, self.case_id, measure_id, note=measure.evidence)
            if measure.overdue_by:
                # A new due date may not lie in the past (the plan refuses it), yet the demo should
                # show a measure running late: its date is moved back as the passing days would have.
                overdue = today() - timedelta(days=measure.overdue_by)
                await Measure.update({Measure.due_on: overdue}).where(Measure.id == measure_id)
        if all(measure.status in ("done", "dropped") for _, measure in measures):
            await close_out_with_signature(self.broker, self.case_id, [problem_id], signature_png())

    async def dispatch(self, task: TaskPlan) -> None:
        due_on = today() + timedelta(days=max(task.due_in, 1))
        request = DispatchRequest(task.kind, due_on, task.instructions, self.broker.user_id, case_id=self.case_id)
        task_id = await dispatch_task(self.officer, request)
        if task.due_in < 0:
            # Dispatching refuses a due date in the past, yet the demo should show an overdue task:
            # its date is moved back directly, as the days passing since the dispatch would have.
            await Task.update({Task.due_on: today() + timedelta(days=task.due_in)}).where(Task.id == task_id)
        if task.record:
            answers = SURVEY_ANSWERS if task.kind == "survey" else None
            await complete_task(self.broker, task_id, CompletionRequest(version=1, note=task.record, answers=answers))


async def seed_cases(actors: Mapping[str, Actor]) -> int:
    """Play every demo case through the services; returns how many cases were filed."""
    expert = await Expert.select(Expert.id).where(Expert.user == actors[EXPERT].user_id).first()
    assert expert is not None, f"the demo's experts come first: {EXPERT} needs a row in the expert pool"
    filed = 0
    for case in CASES:
        filed += await Scene(actors, expert["id"], case).play()
    return filed
