"""Loading the plain facts `experts.matching.rank` works on: one case's, and the whole pool's.

The pool is read in a fixed handful of queries whatever its size (the profiles, the active loads,
the conflicts, the closed cases led and the accepted offers), never one query per expert: the
expert-matches endpoint must load and rank 5,000 experts in 100 ms.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from statistics import median
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from casework.expert_load import count_active_loads
from casework.states import CaseState, Outcome
from casework.tables import Assignment, Case, CaseNeed
from core.config import settings
from core.db import engine
from core.errors import NotFound
from core.working_days import next_working_day
from experts.matching import CaseFacts, ExpertFacts
from experts.tables import Expert, ExpertConflict

# An assignment in one of these tells that the expert had his chance at the case already.
PASSED_OVER = ("declined", "lapsed", "withdrawn", "released")


async def case_facts(case_id: int) -> CaseFacts:
    """The case's need categories, industry, district, enterprise, founders and passed-over experts.

    No scope check: callers reach the case first (or are jobs acting for the system).
    """
    found = await cases_facts([case_id])
    if case_id not in found:
        raise NotFound()
    return found[case_id]


async def cases_facts(case_ids: list[int]) -> dict[int, CaseFacts]:
    """`case_facts` of many cases (a district's backlog) in three queries; unknown ids are left out."""
    if not case_ids:
        return {}
    rows = await Case.select(
        Case.id,
        Case.district,
        Case.enterprise.id.as_alias("enterprise"),
        Case.enterprise.industry.as_alias("industry"),
        Case.enterprise.founder.as_alias("founder"),
    ).where(Case.id.is_in(case_ids))
    categories: dict[int, set[str]] = defaultdict(set)
    for need in await CaseNeed.select(CaseNeed.case, CaseNeed.need.category.as_alias("category")).where(
        CaseNeed.case.is_in(case_ids)
    ):
        categories[need["case"]].add(need["category"])
    passed: dict[int, set[int]] = defaultdict(set)
    for entry in await Assignment.select(Assignment.case, Assignment.expert).where(
        Assignment.case.is_in(case_ids) & Assignment.status.is_in(list(PASSED_OVER))
    ):
        passed[entry["case"]].add(entry["expert"])
    return {
        row["id"]: CaseFacts(
            case_id=row["id"],
            categories=frozenset(categories.get(row["id"], ())),
            industry=row["industry"] or "",
            district=row["district"],
            enterprise=row["enterprise"],
            founders=frozenset() if row["founder"] is None else frozenset({row["founder"]}),
            passed_over=frozenset(passed.get(row["id"], ())),
        )
        for row in rows
    }


async def expert_facts(district: str | None = None) -> list[ExpertFacts]:
    """Every expert with an account, with his load, conflicts and record; `district` keeps those who
    serve it or the whole city (the others would only be excluded as out of area)."""
    rows = await (
        Expert.select(
            Expert.id,
            Expert.name,
            Expert.specialties,
            Expert.supporting_specialties,
            Expert.industries,
            Expert.districts,
            Expert.capacity,
            Expert.available,
            Expert.away_until,
        )
        .where(Expert.user.is_not_null())
        .order_by(Expert.id)
    )
    codes = _Codes()
    if district is not None:
        rows = [row for row in rows if not codes(row["districts"]) or district in codes(row["districts"])]
    loads = await count_active_loads(None)
    conflicts = await _conflicts()
    records, speeds = await _history()
    none: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())
    return [
        ExpertFacts(
            expert_id=row["id"],
            name=row["name"],
            lead=codes(row["specialties"]),
            supporting=codes(row["supporting_specialties"]),
            industries=codes(row["industries"]),
            districts=codes(row["districts"]),
            capacity=row["capacity"],
            load=loads.get(row["id"], 0),
            available=bool(row["available"]),
            away_until=row["away_until"],
            conflict_enterprises=conflicts.get(row["id"], none)[0],
            conflict_founders=conflicts.get(row["id"], none)[1],
            record=records.get(row["id"], {}),
            accept_days=speeds.get(row["id"]),
        )
        for row in rows
    ]


class _Codes:
    """JSON lists of codes as frozensets, each distinct text parsed once.

    The pool's 5,000 experts share a few hundred distinct lists of categories, sections and districts:
    parsing each text once instead of 20,000 times is most of what keeps the endpoint within 100 ms.
    """

    def __init__(self) -> None:
        self.parsed: dict[str, frozenset[str]] = {}

    def __call__(self, value: str | list[str] | None) -> frozenset[str]:
        if not isinstance(value, str):  # a driver that decodes JSON itself
            return frozenset(value or ())
        found = self.parsed.get(value)
        if found is None:
            found = self.parsed[value] = frozenset(json.loads(value) or ())
        return found


async def profiles_of(expert_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """What a page shows of each expert beside his name (organisation, title), for the few it shows."""
    ids = sorted(set(expert_ids))
    if not ids:
        return {}
    rows = await Expert.select(Expert.id, Expert.organisation, Expert.title).where(Expert.id.is_in(ids))
    return {row["id"]: {"organisation": row["organisation"], "title": row["title"]} for row in rows}


async def _conflicts() -> dict[int, tuple[frozenset[int], frozenset[int]]]:
    """The enterprises and the founders each expert declared he must not advise."""
    rows = await ExpertConflict.select(ExpertConflict.expert, ExpertConflict.enterprise, ExpertConflict.founder)
    enterprises: dict[int, set[int]] = defaultdict(set)
    founders: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        if row["enterprise"] is not None:
            enterprises[row["expert"]].add(row["enterprise"])
        if row["founder"] is not None:
            founders[row["expert"]].add(row["founder"])
    return {
        expert: (frozenset(enterprises.get(expert, ())), frozenset(founders.get(expert, ())))
        for expert in enterprises.keys() | founders.keys()
    }


# What the records and the answer speeds derive from: a new answer, a case closed or reopened, a new
# assignment changes it. Those two read every closed case and every answered offer, so they are kept
# while it stays the same (they weigh in a score; who may take a case is always read afresh).
_HISTORY_MARK = """
SELECT (SELECT COUNT(*) FROM "casework_assignment" WHERE "answered_at" IS NOT NULL) AS "answered",
       (SELECT MAX("answered_at") FROM "casework_assignment") AS "last_answer",
       (SELECT MAX("id") FROM "casework_assignment") AS "last_assignment",
       (SELECT COUNT(*) FROM "casework_case" WHERE "state" = 'closed') AS "closed",
       (SELECT MAX("closed_at") FROM "casework_case" WHERE "state" = 'closed') AS "last_closed"
"""


@dataclass
class _Kept:
    mark: tuple[object, ...] | None = None
    records: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)
    speeds: dict[int, float] = field(default_factory=dict)


_kept = _Kept()


async def _history() -> tuple[dict[int, dict[str, tuple[int, int]]], dict[int, float]]:
    """Each expert's record and answer speed, read again only when what they derive from changed."""
    mark = tuple((await Assignment.raw(_HISTORY_MARK))[0].values())
    if mark != _kept.mark:
        records, speeds = await _records(), await _accept_days()
        _kept.mark, _kept.records, _kept.speeds = mark, records, speeds
    return _kept.records, _kept.speeds


# Per expert and need category, the closed cases he led and how many of them were resolved: counted
# in SQL, each case once per category however many needs of that category it has.
_RECORDS = """
SELECT a."expert" AS "expert", n."category" AS "category",
       COUNT(DISTINCT c."id") AS "closed",
       COUNT(DISTINCT CASE WHEN c."outcome" = {} THEN c."id" END) AS "resolved"
FROM "casework_assignment" a
JOIN "casework_case" c ON c."id" = a."case"
JOIN "casework_case_need" cn ON cn."case" = c."id"
JOIN "enterprises_need" n ON n."id" = cn."need"
WHERE a."status" = 'accepted' AND a."role" = 'lead' AND c."state" = {}
GROUP BY a."expert", n."category"
"""


async def _records() -> dict[int, dict[str, tuple[int, int]]]:
    """Per expert and need category: (closed as resolved, closed) of the closed cases he led."""
    records: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in await Assignment.raw(_RECORDS, Outcome.RESOLVED.value, CaseState.CLOSED.value):
        records[row["expert"]][row["category"]] = (int(row["resolved"]), int(row["closed"]))
    return records


def tally_records(
    led: Iterable[Mapping[str, Any]], needs: Iterable[Mapping[str, Any]]
) -> dict[int, dict[str, tuple[int, int]]]:
    """(resolved, closed) per expert and category from rows of closed cases led (expert, case, outcome)
    and their needs (case, category): each case once per category, however many needs of it it has.

    The pool's records are counted in SQL (`_RECORDS`); this is for a few rows already read (one expert's).
    """
    categories: dict[int, set[str]] = defaultdict(set)
    for need in needs:
        categories[need["case"]].add(need["category"])
    counts: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for row in led:
        resolved = row["outcome"] == Outcome.RESOLVED
        for category in categories.get(row["case"], ()):
            tally = counts[row["expert"]][category]
            tally[0] += int(resolved)
            tally[1] += 1
    return {expert: {cat: (t[0], t[1]) for cat, t in tallies.items()} for expert, tallies in counts.items()}


# The offer's and the answer's days in the bureau's time zone, computed by the database: parsing
# thousands of timestamps in Python would cost the endpoint most of its 100 ms. SQLite has no time
# zones: it shifts by the zone's offset now (Asia/Shanghai keeps one offset all year). The offers he
# accepted count, and those he accepted and later handed back (released): both say how fast he answers.
_ANSWER_DAYS_POSTGRES = """
SELECT "expert", CAST("offered_at" AT TIME ZONE {} AS DATE) AS "offered",
       CAST("answered_at" AT TIME ZONE {} AS DATE) AS "answered"
FROM "casework_assignment" WHERE "status" IN ('accepted', 'released') AND "answered_at" IS NOT NULL
"""
_ANSWER_DAYS_SQLITE = """
SELECT "expert", DATE("offered_at", {}) AS "offered", DATE("answered_at", {}) AS "answered"
FROM "casework_assignment" WHERE "status" IN ('accepted', 'released') AND "answered_at" IS NOT NULL
"""


async def _answer_days() -> list[dict[str, Any]]:
    zone = settings.display_timezone
    if isinstance(engine(), PostgresEngine):
        return list(await Assignment.raw(_ANSWER_DAYS_POSTGRES, zone.key, zone.key))
    offset = datetime.now(zone).utcoffset() or timedelta()
    shift = f"{int(offset.total_seconds() // 60):+d} minutes"
    return list(await Assignment.raw(_ANSWER_DAYS_SQLITE, shift, shift))


async def _accept_days() -> dict[int, float]:
    """Median working days from offer to acceptance, per expert who accepted any offer."""
    days: dict[int, list[int]] = defaultdict(list)
    for row in await _answer_days():
        days[row["expert"]].append(_working_days(row["offered"], row["answered"]))
    return {expert: float(median(counts)) for expert, counts in days.items()}


@lru_cache(maxsize=65_536)
def _working_days(offered: date | str, answered: date | str) -> int:
    # SQLite hands the days back as text, PostgreSQL as dates.
    start = offered if isinstance(offered, date) else date.fromisoformat(offered)
    end = answered if isinstance(answered, date) else date.fromisoformat(answered)
    return working_days_between(start, end)


@lru_cache(maxsize=65_536)
def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`: an offer accepted the day it came is 0.

    Cached: thousands of offers fall on a few hundred (offered, answered) pairs of days, and walking
    the holiday calendar for each would cost the endpoint most of its 100 ms.
    """
    count = 0
    day = next_working_day(start)
    while day <= end:
        count += 1
        day = next_working_day(day)
    return count
