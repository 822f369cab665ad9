"""The expert's workspace: his offers, the cases he leads with what falls due next, and his record.

Cases are reached only through casework's access rule (`casework.access_filter.case_filter`); his
own assignment rows (offers answered or lapsed, his record) are his whatever the case's state.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from statistics import median
from typing import Any

from accounts.policy import Actor
from casework.access_filter import case_filter
from casework.followups.listing import OUTSTANDING, kind_label
from casework.followups.rules import MORNING
from casework.matching.facts import tally_records, working_days_between
from casework.offers.service import categories_of, open_offers, recent_offers
from casework.plans.rules import MeasureStatus
from casework.states import ENDED, CaseState
from casework.tables import Assignment, Case, FollowUp, Measure
from core.config import settings
from core.db import read_snapshot
from core.pagination import Page, PageRequest
from core.working_days import at_local

OPEN_MEASURES = tuple(status.value for status in MeasureStatus if not status.is_final)

_CASE_COLUMNS = (
    Case.id,
    Case.state,
    Case.version,
    Case.district,
    Case.created_at,
    Case.enterprise.name.as_alias("enterprise_name"),
)


@dataclass(frozen=True)
class Record:
    """His record: offers by how they ended, cases led, closed cases by outcome, resolved share per category."""

    offers: dict[str, int] = field(default_factory=dict)  # status -> count
    received: int = 0
    led: int = 0
    closed: dict[str, int] = field(default_factory=dict)  # outcome -> count
    shares: list[tuple[str, int, int]] = field(default_factory=list)  # (category, resolved, closed)
    accept_days: float | None = None  # median working days from offer to acceptance


def _led_by(actor: Actor) -> Any:
    """The cases he holds the accepted lead assignment on, as a subquery."""
    return Assignment.select(Assignment.case).where(
        (Assignment.expert_user == actor.user_id) & (Assignment.role == "lead") & (Assignment.status == "accepted")
    )


def _my_cases_where(actor: Actor) -> list[Any]:
    conditions = [
        case_filter(actor),
        Case.id.is_in(_led_by(actor)),
        Case.state.not_in([state.value for state in ENDED]),
    ]
    return [c for c in conditions if c is not None]


def _aware(moment: datetime) -> datetime:
    # SQLite may hand back naive datetimes: they are stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def next_due(case_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """What falls due next for each case: its soonest outstanding follow-up or open measure.

    Two queries for the whole page; `kind` says which it is, `label` what (a follow-up kind's label,
    a message id, or the measure's text), `due_at` when (a measure at 09:00 Beijing time on its day).
    """
    ids = list(case_ids)
    if not ids:
        return {}
    follow_ups = await (
        FollowUp.select(FollowUp.case, FollowUp.kind, FollowUp.due_at)
        .where(FollowUp.case.is_in(ids) & FollowUp.state.is_in(list(OUTSTANDING)))
        .order_by(FollowUp.due_at)
    )
    measures = await (
        Measure.select(Measure.case, Measure.description, Measure.due_on)
        .where(Measure.case.is_in(ids) & Measure.status.is_in(list(OPEN_MEASURES)))
        .order_by(Measure.due_on)
    )
    zone = settings.display_timezone
    found: dict[int, dict[str, Any]] = {}

    def offer(case_id: int, item: dict[str, Any]) -> None:
        if case_id not in found or item["due_at"] < found[case_id]["due_at"]:
            found[case_id] = item

    for row in follow_ups:
        offer(row["case"], {"kind": "follow_up", "label": kind_label(row["kind"]), "due_at": _aware(row["due_at"])})
    for row in measures:
        due_on: date = row["due_on"]
        # A measure is due on a day: at its morning, as follow-ups fall due.
        due_at = at_local(due_on, MORNING, zone)
        offer(row["case"], {"kind": "measure", "label": row["description"], "due_at": due_at, "due_on": due_on})
    return found


async def my_cases(actor: Actor, request: PageRequest) -> Page[dict[str, Any]]:
    """The cases he leads that have not ended, newest first, each with its needs and what is due next."""
    conditions = _my_cases_where(actor)
    query = Case.select(*_CASE_COLUMNS).order_by(Case.id, ascending=False)
    count = Case.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.limit(request.per_page).offset(request.offset)
    ids = [row["id"] for row in rows]
    due = await next_due(ids)
    categories = await categories_of(ids)
    items = [{**row, "next_due": due.get(row["id"]), "categories": categories.get(row["id"], [])} for row in rows]
    return Page(items=items, request=request, total=await count)


async def my_record(actor: Actor) -> Record:
    """His record, in three queries whatever its length."""
    mine = Assignment.expert_user == actor.user_id
    answers = await Assignment.select(
        Assignment.role, Assignment.status, Assignment.offered_at, Assignment.answered_at
    ).where(mine)
    statuses = Counter(row["status"] for row in answers)
    led = sum(1 for row in answers if row["role"] == "lead" and row["status"] in ("accepted", "released"))
    days = [
        working_days_between(_local_day(row["offered_at"]), _local_day(row["answered_at"]))
        for row in answers
        if row["status"] in ("accepted", "released") and row["answered_at"] is not None
    ]
    closed_led = await Assignment.select(
        Assignment.expert, Assignment.case, Assignment.case.outcome.as_alias("outcome")
    ).where(
        mine
        & (Assignment.status == "accepted")
        & (Assignment.role == "lead")
        & (Assignment.case.state == CaseState.CLOSED)
    )
    shares: list[tuple[str, int, int]] = []
    if closed_led:
        needs = await categories_of(row["case"] for row in closed_led)
        rows = [{"case": case_id, "category": c} for case_id, cats in needs.items() for c in cats]
        tallies: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
        for per_category in tally_records(closed_led, rows).values():
            for category, (resolved, closed) in per_category.items():
                before = tallies[category]
                tallies[category] = (before[0] + resolved, before[1] + closed)
        shares = sorted(((cat, r, n) for cat, (r, n) in tallies.items()), key=lambda s: (-s[2], s[0]))
    return Record(
        offers=dict(statuses),
        received=len(answers),
        led=led,
        closed=dict(Counter(row["outcome"] for row in closed_led)),
        shares=shares,
        accept_days=float(median(days)) if days else None,
    )


def _local_day(moment: datetime) -> date:
    return _aware(moment).astimezone(settings.display_timezone).date()


async def workspace(actor: Actor, cases_page: PageRequest, now: datetime | None = None) -> dict[str, Any]:
    """All the workspace shows, read in one snapshot: open offers, recent answers, his cases, his record."""
    async with read_snapshot():
        return {
            "offers": await open_offers(actor, PageRequest(page=1, per_page=50)),
            "recent": await recent_offers(actor, now),
            "cases": await my_cases(actor, cases_page),
            "record": await my_record(actor),
        }
