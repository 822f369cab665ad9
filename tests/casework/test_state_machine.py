"""A Hypothesis state machine over the real transition service, on the real test database.

Each run starts two cases of one enterprise somewhere in their life (as earlier moves would have
left their rows) and lets the cast act on them: mostly what the case page would offer someone,
sometimes anyone trying anything, with details given, missing or wrong, sometimes at a stale
version; before a move the other features may have done their part (the diagnosis written, the
plan drafted, the problems closed out). After every step: only legal states, exactly one event
per successful transition and none for a refused one, at most one live lead expert, closed cases
(and only they) have an outcome, versions only grow, a refused move changes nothing.

Every check reads both cases with one query, so the run's time goes to the service under test.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import Awaitable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from piccolo.engine.postgres import PostgresEngine

from casework.access import ASSIGNED_EXPERT, may_reach_case
from casework.moving import Details, Moved, today, transition_case
from casework.tables import Assignment, Case, CaseEvent, Measure, PlanVersion, Problem
from casework.workflow import CaseFacts, CaseState, Transition, available_transitions
from core.db import engine, write_transaction
from core.errors import Conflict, DomainError, NotFound
from experts.tables import Expert
from tests.casework.life import Life
from tests.conftest import DISTRICT_A

R = TypeVar("R")
S, T = CaseState, Transition
CAST = ("alice", "bob", "olga", "oscar", "carl", "eve", "ed", "adam")
EXAMPLES = int(os.environ.get("FUCHI_STATE_MACHINE_EXAMPLES", "500"))
STEPS = 5
BATCH = 20
# Where a run's cases start: early states more often, since merges and most refusals live there.
STARTS = [S.SUBMITTED, S.SUBMITTED, S.TRIAGED, S.DRAFT, S.ON_HOLD, "offered", "offered", S.ASSIGNED, S.DIAGNOSING]
STARTS += [S.PLANNING, "plan_submitted", S.PLAN_APPROVED, S.IN_PROGRESS, S.MONITORING, S.CLOSED]
LIVE = "('offered', 'accepted')"
TRANSITION_KINDS = ", ".join(f"'{t.value}'" for t in Transition)  # constants of the code, not input

SNAPSHOT = f"""
SELECT c.id, c.state, c.version, c.outcome, c.closed_at, c.held_from, c.merged_into, c.open_question,
       c.diagnosis, c.filed_by, c.district,
       (SELECT COUNT(*) FROM casework_case_event e WHERE e."case" = c.id AND e.kind IN ({TRANSITION_KINDS})) AS events,
       (SELECT COUNT(*) FROM casework_assignment a
         WHERE a."case" = c.id AND a.role = 'lead' AND a.status IN {LIVE}) AS live_leads,
       (SELECT MAX(a.expert_user) FROM casework_assignment a
         WHERE a."case" = c.id AND a.role = 'lead' AND a.status = 'offered') AS offered_expert,
       (SELECT MAX(a.expert_user) FROM casework_assignment a
         WHERE a."case" = c.id AND a.role = 'lead' AND a.status = 'accepted') AS lead_expert
FROM casework_case c WHERE c.id IN ({{}}, {{}}) ORDER BY c.id
"""


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """One event loop for the whole run (and, on PostgreSQL, one pool), so steps do not reconnect."""
    running = asyncio.new_event_loop()
    db = engine()
    if isinstance(db, PostgresEngine):
        running.run_until_complete(db.start_connection_pool(min_size=1, max_size=4))
    yield running
    if isinstance(db, PostgresEngine):
        running.run_until_complete(db.close_connection_pool())
    running.close()


def test_the_case_life_keeps_its_invariants_under_any_sequence_of_moves(
    personas: Any, loop: asyncio.AbstractEventLoop
) -> None:
    life = Life(personas)

    def run(awaitable: Awaitable[R]) -> R:
        async def wait() -> R:
            return await awaitable

        return loop.run_until_complete(wait())

    enterprise = run(life.enterprise())
    experts = {name: run(life.expert(name, name=f"{name}专家")) for name in ("eve", "ed")}
    # The runs' cases pile up accepted leads on Eve: room for them all, or every acceptance is refused as full.
    run(Expert.update({Expert.capacity: 1_000_000}).where(Expert.id.is_in(list(experts.values()))))
    eve = life.id("eve")

    async def start(start: str, diagnosed: bool, planned: bool) -> int:
        """One case at `start`, its rows as the moves that lead there would have left them."""
        state = {"offered": S.ASSIGNED, "plan_submitted": S.PLANNING}.get(start, start)
        later = STARTS.index(start) >= STARTS.index(S.DIAGNOSING)
        closed = start == S.CLOSED
        rows = await Case.insert(
            Case(
                enterprise=enterprise,
                filed_by=life.id("alice"),
                district=DISTRICT_A,
                state=state,
                held_from=S.TRIAGED if start == S.ON_HOLD else "",
                resume_on=date.today() + timedelta(days=5) if start == S.ON_HOLD else None,
                open_question="金额是多少？" if start == S.DRAFT else "",
                diagnosis="缺少销路" if diagnosed or STARTS.index(start) > STARTS.index(S.PLANNING) else "",
                outcome="resolved" if closed else "",
                closed_at=datetime.now(UTC) if closed else None,
            )
        ).returning(Case.id)
        case_id: int = rows[0]["id"]
        await CaseEvent.insert(CaseEvent(case=case_id, kind="filed", to_state=S.SUBMITTED))
        if start == "offered" or later or start in (S.ASSIGNED, S.PLANNING, "plan_submitted"):
            status = "offered" if start == "offered" else "accepted"
            await Assignment.insert(
                Assignment(case=case_id, expert=experts["eve"], expert_user=eve, role="lead", status=status)
            )
        if planned or STARTS.index(start) >= STARTS.index("plan_submitted"):
            problem = await Problem.insert(Problem(case=case_id, title="销路")).returning(Problem.id)
            await Measure.insert(
                Measure(
                    problem=problem[0]["id"],
                    case=case_id,
                    description="开网店",
                    owner="expert",
                    due_on=date.today() + timedelta(days=30),
                )
            )
            if STARTS.index(start) >= STARTS.index(S.MONITORING):
                await Problem.update({Problem.closed_out_at: datetime.now(UTC)}).where(Problem.case == case_id)
        if STARTS.index(start) >= STARTS.index("plan_submitted"):
            status = "submitted" if start == "plan_submitted" else "approved"
            await PlanVersion.insert(PlanVersion(case=case_id, number=1, status=status))
        return case_id

    # Cases are made ahead, a batch of each kind in one transaction: on SQLite every commit waits
    # for the disk, and one per run would be most of the run's time.
    ready: dict[tuple[str, bool, bool], list[int]] = {}

    async def two_cases(starts: tuple[str, str], diagnosed: bool, planned: bool) -> list[int]:
        taken = []
        for kind in starts:
            pool = ready.setdefault((kind, diagnosed, planned), [])
            if not pool:
                async with write_transaction():
                    pool.extend([await start(kind, diagnosed, planned) for _ in range(BATCH)])
            taken.append(pool.pop())
        return taken

    moves_made: list[Transition] = []

    class CaseLife(RuleBasedStateMachine):
        cases: list[int]
        rows: dict[int, dict[str, Any]]  # both cases as last read

        def _snapshot(self) -> dict[int, dict[str, Any]]:
            rows = run(Case.raw(SNAPSHOT, *self.cases))
            return {row["id"]: row for row in rows}

        @initialize(
            starts=st.tuples(st.sampled_from(STARTS), st.sampled_from(STARTS)),
            diagnosed=st.booleans(),
            planned=st.booleans(),
        )
        def start_two_cases_of_one_enterprise(self, starts: tuple[str, str], diagnosed: bool, planned: bool) -> None:
            self.cases = run(two_cases(starts, diagnosed, planned))
            self.rows = self._snapshot()

        def _sensible_moves(self, case_id: int) -> list[tuple[str, Transition]]:
            """Each (person, transition) the case page would offer, from the case as last read."""
            row = self.rows[case_id]
            facts = CaseFacts(
                state=CaseState(row["state"]),
                filed_by=row["filed_by"],
                lead_expert=row["lead_expert"],
                offered_expert=row["offered_expert"],
                held_from=CaseState(row["held_from"]) if row["held_from"] else None,
                open_question=bool(row["open_question"]),
            )
            assigned = {row["lead_expert"], row["offered_expert"]} - {None}
            return [
                (who, transition)
                for who in CAST
                if may_reach_case(life.actor(who), {**row, ASSIGNED_EXPERT: assigned})
                for transition in available_transitions(facts, life.actor(who))
            ]

        async def _do_other_features_work(self, case_id: int) -> None:
            """What the plan feature and the broker's visits would have done by the time the case moves on."""
            state = CaseState(self.rows[case_id]["state"])
            if state is S.DIAGNOSING:
                await life.diagnose(case_id)
            elif state is S.PLANNING and not await Measure.exists().where(Measure.case == case_id):
                await life.plan(case_id)
            elif state is S.IN_PROGRESS:
                await life.close_out(case_id)

        @rule(data=st.data())
        def act(self, data: st.DataObject) -> None:
            case_id = data.draw(st.sampled_from(self.cases), label="case")
            moves = self._sensible_moves(case_id)
            # Mostly what someone would do next, sometimes anyone trying anything.
            if moves and data.draw(st.sampled_from([True, True, True, False]), label="sensible"):
                who, transition = data.draw(st.sampled_from(moves), label="move")
            else:
                who = data.draw(st.sampled_from(CAST), label="who")
                transition = data.draw(st.sampled_from(list(Transition)), label="transition")
            if data.draw(st.sampled_from([True, True, False]), label="other features did their part"):
                run(self._do_other_features_work(case_id))
            other = next(c for c in self.cases if c != case_id)
            # Mostly the details filled in as the page asks, sometimes whatever: with one draw for
            # all of them, the walk (fixed by derandomize) never once chose an expert for ASSIGN.
            if data.draw(st.sampled_from([True, True, True, False]), label="filled in"):
                details = Details(
                    outcome=data.draw(st.sampled_from(["resolved", "not_resolved"]), label="outcome"),
                    survivor=other,
                    resume_on=today() + timedelta(days=9),
                    expert=data.draw(st.sampled_from([experts["eve"], experts["ed"]]), label="expert"),
                )
                reason = "理由充分"
            else:
                details = Details(
                    outcome=data.draw(st.sampled_from(["resolved", "", "bogus"]), label="outcome"),
                    survivor=data.draw(st.sampled_from([other, case_id, None, 2**31 - 1]), label="survivor"),
                    resume_on=data.draw(st.sampled_from([today(), None]), label="resume_on"),
                    expert=data.draw(st.sampled_from([experts["eve"], None, 2**31 - 1]), label="expert"),
                )
                reason = data.draw(st.sampled_from(["理由充分", " ", ""]), label="reason")
            before = self.rows
            version = before[case_id]["version"]
            stale = data.draw(st.sampled_from([False, False, False, True]), label="stale") and version > 1

            try:
                moved: Moved | DomainError = run(
                    transition_case(life.actor(who), case_id, transition, version - stale, reason, details)
                )
            except DomainError as refused:
                moved = refused
            self.rows = after = self._snapshot()

            events_before = sum(r["events"] for r in before.values())
            events_after = sum(r["events"] for r in after.values())  # a merge moves events, never loses one
            if isinstance(moved, Moved):
                assert not stale
                assert (after[case_id]["state"], after[case_id]["version"]) == (moved.target.value, version + 1)
                assert events_after == events_before + 1  # exactly one event for the transition
                moves_made.append(moved.transition)
            else:
                # (The diagnosis is the other features' part, written just before the move.)
                unchanged = {i: {k: v for k, v in r.items() if k != "diagnosis"} for i, r in before.items()}
                assert unchanged == {i: {k: v for k, v in r.items() if k != "diagnosis"} for i, r in after.items()}, (
                    f"{who} {transition} refused with {moved!r} yet changed a case"
                )
                if stale and not isinstance(moved, NotFound):
                    assert isinstance(moved, Conflict), moved

        @invariant()
        def the_cases_are_in_legal_consistent_states(self) -> None:
            for row in self.rows.values():
                state = CaseState(row["state"])  # raises on an unknown state
                assert row["live_leads"] <= 1  # at most one lead expert, offered or accepted
                assert (state is S.CLOSED) == bool(row["outcome"]) == (row["closed_at"] is not None)
                assert (state is S.ON_HOLD) == bool(row["held_from"])
                assert (state is S.MERGED) == (row["merged_into"] is not None)
                if state is S.MERGED:
                    assert row["merged_into"] in self.cases and row["merged_into"] != row["id"]

        @invariant()
        def versions_only_grow(self) -> None:
            seen = getattr(self, "seen", {})
            for case_id, row in self.rows.items():
                assert row["version"] >= seen.get(case_id, 1)
                seen[case_id] = row["version"]
            self.seen = seen

    started = time.monotonic()
    run_state_machine_as_test(
        CaseLife,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            # The same walk on every run: the coverage check below must not depend on luck (a
            # random walk of 500 runs once missed ASSIGN in CI), and a failure must repeat.
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
    made = Counter(moves_made)
    print(f"\n{EXAMPLES} runs of up to {STEPS} moves in {time.monotonic() - started:.1f} s; {len(moves_made)} made:")
    print(", ".join(f"{t.value} {n}" for t, n in sorted(made.items())))
    if EXAMPLES >= 500:  # the walk reaches every transition, not only the first steps of the workflow
        assert set(made) == set(Transition), set(Transition) - set(made)
