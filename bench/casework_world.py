"""The casework benchmark's world: 38 districts, 1,000,000 cases and 5,000,000 case events, built in chunks.

Every case has a need, a filing broker and a history along the workflow (casework.states) that ends in its
state: most cases are settled (closed, monitoring, in progress), the youngest are the open ones. Cases past
assignment have a lead expert; cases past diagnosis a plan (problems, measures, versions); some have broker
tasks, attachments (rows only) and the founder's confirmation. Each case keeps about five events: the filing,
its last transitions and notes, so that the events add up to exactly five per case; event ids follow time
across cases, as in a database filled over years (a case's events are not neighbours on disk).

This module describes the world: its sizes, the ways a case reaches its state, each case's state and history
drawn from them, and what the builders share.
The builders: bench.casework_people (accounts, experts, founders and enterprises) and bench.casework_cases
(cases with their events, plans, tasks, files and the officers' inbox). Deterministic for a given seed;
bench.casework_seed builds and writes it.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from casework.states import CaseState, Outcome, Priority, Transition

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


def variants() -> dict[CaseState, list[tuple[Variant, float]]]:
    """Each state's ways of being reached, with their weights."""
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


def day_of(seconds: float) -> date:
    return datetime.fromtimestamp(seconds, tz=UTC).date()


def as_json(value: object) -> str:
    """Compact JSON, the Chinese kept as written."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class World:
    """What the builders share: the sizes, one random stream and the ids (both taken in the order rows are
    built, so the world is the same for a seed), the clock, and the people cases are filed by and given to."""

    def __init__(self, sizes: WorldSizes, now: datetime) -> None:
        self.sizes = sizes
        self.rng = random.Random(sizes.seed)
        self.now = now.timestamp()
        self.start = self.now - YEARS * 365 * DAY
        self.ids = Ids()
        # Filled by bench.casework_people, read by bench.casework_cases.
        self.officers: dict[str, list[int]] = {}
        self.brokers: dict[str, list[int]] = {}
        self.expert_users: list[int] = []  # experts_expert id - 1 -> the expert's user id
        self.enterprise_district: list[str] = []  # by enterprise id - 1
        self.enterprise_broker: list[int] = []

    def at(self, seconds: float) -> datetime:
        return datetime.fromtimestamp(seconds, tz=UTC)


def draw_cases(world: World) -> tuple[list[CaseState], list[Variant], list[int], list[int]]:
    """Each case's state (the oldest the most settled), its variant, and how many transitions and notes it
    keeps as events, so that the events add up to exactly events_per_case x cases."""
    rng, n = world.rng, world.sizes.cases
    ways = variants()
    drawn = rng.choices([s for s, _ in STATE_MIX], weights=[w for _, w in STATE_MIX], k=n)

    def key(state: CaseState) -> float:
        progress = PROGRESS[state]
        return (rng.random() if progress is None else progress) + rng.gauss(0, 0.12)

    states = sorted(drawn, key=key, reverse=True)  # case 1 is the oldest
    chosen = []
    for state in states:
        options = ways[state]
        chosen.append(rng.choices([v for v, _ in options], weights=[w for _, w in options])[0])
    target = world.sizes.events_per_case * n
    keep_most = KEEP_TRANSITIONS
    while (base := sum(1 + min(len(v.path), keep_most) for v in chosen)) > target and keep_most > 0:
        keep_most -= 1
    keep = [min(len(v.path), keep_most) for v in chosen]
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
    return states, chosen, keep, notes
