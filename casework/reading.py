"""Reading cases within reach: lists with filters, the queue's counts, one case and its page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from accounts.policy import Action, Actor, may
from casework.access import ASSIGNED_EXPERT, LIVE_ASSIGNMENT, TASKED_BROKER, may_reach_case, related_facts
from casework.access_filter import case_filter
from casework.attachments.service import case_attachments
from casework.followups.reading import case_follow_ups
from casework.matching.explained import Suggestions, suggestions
from casework.plans.service import plan_section
from casework.plans.versions import PlanFacts, plan_facts
from casework.tables import Assignment, Case, CaseNeed, Task
from casework.tasks.service import case_tasks
from casework.timeline import case_timeline
from casework.workflow import CaseFacts, CaseState, Transition, available_transitions, needs_plan_facts, waiting_on
from core.db import read_snapshot
from core.districts import is_district
from core.errors import Invalid, NotFound
from core.pagination import Page, PageRequest
from enterprises.classification import NeedCategory
from experts.tables import Expert


@dataclass(frozen=True)
class CaseFilter:
    state: str = ""
    district: str = ""
    filed_by: int | None = None  # the filing broker's user id
    category: str = ""  # a need category the case covers
    older_than_days: int | None = None  # filed at least this many days ago
    expert: int | None = None  # an expert (experts_expert id) holding a live assignment on it


_LIST_COLUMNS = (
    Case.id,
    Case.state,
    Case.priority,
    Case.district,
    Case.created_at,
    Case.version,
    Case.filed_by,
    Case.enterprise.id.as_alias("enterprise_id"),
    Case.enterprise.name.as_alias("enterprise_name"),
    Case.enterprise.town.as_alias("town"),
    Case.filed_by.display_name.as_alias("filed_by_name"),
)
_DETAIL_COLUMNS = (
    Case.updated_at,
    Case.held_from,
    Case.resume_on,
    Case.open_question,
    Case.outcome,
    Case.merged_into,
    Case.diagnosis,
    Case.closed_at,
)


def _conditions(actor: Actor, filters: CaseFilter) -> list[Any]:
    conditions = [case_filter(actor)]
    if filters.state:
        if filters.state not in CaseState.__members__.values():
            raise Invalid({"state": "Unknown state."})
        conditions.append(Case.state == filters.state)
    if filters.district:
        if not is_district(filters.district):
            raise Invalid({"district": "Choose a district."})
        conditions.append(Case.district == filters.district)
    if filters.filed_by is not None:
        conditions.append(Case.filed_by == filters.filed_by)
    if filters.category:
        if filters.category not in NeedCategory.__members__.values():
            raise Invalid({"category": "Choose a need category."})
        needs = CaseNeed.select(CaseNeed.case).where(CaseNeed.need.category == filters.category)
        conditions.append(Case.id.is_in(needs))
    if filters.older_than_days is not None:
        conditions.append(Case.created_at < datetime.now(UTC) - timedelta(days=filters.older_than_days))
    if filters.expert is not None:
        held = Assignment.select(Assignment.case).where(
            (Assignment.expert == filters.expert) & Assignment.status.is_in(list(LIVE_ASSIGNMENT))
        )
        conditions.append(Case.id.is_in(held))
    return [c for c in conditions if c is not None]


async def list_cases(
    actor: Actor, filters: CaseFilter, request: PageRequest, total: int | None = None
) -> Page[dict[str, Any]]:
    """Cases the actor may see, newest first, one page of them; `total` when the caller already counted them."""
    conditions = _conditions(actor, filters)
    # A deferred join: the page's ids come from the (district, state, id) index alone, and only
    # those rows are joined. Joining first made a deep page (or a state of old cases, which
    # PostgreSQL assumes spread evenly) walk and join every skipped row: 273 ms at page 50 of
    # 1,000,000 cases on PostgreSQL, 0–12 ms with the ids first (`make bench`, casework).
    ids = Case.select(Case.id).order_by(Case.id, ascending=False)
    count = Case.count()
    for condition in conditions:
        ids = ids.where(condition)
        count = count.where(condition)
    page_ids = ids.limit(request.per_page).offset(request.offset)
    rows = await Case.select(*_LIST_COLUMNS).where(Case.id.is_in(page_ids)).order_by(Case.id, ascending=False)
    return Page(items=rows, request=request, total=await count if total is None else total)


async def count_by_state(actor: Actor, filters: CaseFilter) -> dict[str, int]:
    """How many cases of each state the actor may see, within the filters other than the state."""
    query = Case.select(Case.state, Count(alias="n")).group_by(Case.state)
    for condition in _conditions(actor, replace(filters, state="")):
        query = query.where(condition)
    return {row["state"]: row["n"] for row in await query}


async def case_queue(
    actor: Actor, filters: CaseFilter, request: PageRequest
) -> tuple[Page[dict[str, Any]], dict[str, int]]:
    """A page of the queue and its count per state; the page's total is one of those counts, not a query."""
    counts = await count_by_state(actor, filters)
    total = counts.get(filters.state, 0) if filters.state else sum(counts.values())
    return await list_cases(actor, filters, request, total=total), counts


async def _related(case_id: int, facts: frozenset[str]) -> dict[str, frozenset[int]]:
    """The facts of other tables that reach depends on, for one case: only those the actor's reach names."""
    found: dict[str, frozenset[int]] = {}
    if ASSIGNED_EXPERT in facts:
        rows = await Assignment.select(Assignment.expert_user).where(
            (Assignment.case == case_id) & Assignment.status.is_in(list(LIVE_ASSIGNMENT))
        )
        found[ASSIGNED_EXPERT] = frozenset(r["expert_user"] for r in rows if r["expert_user"] is not None)
    if TASKED_BROKER in facts:
        rows = await Task.select(Task.broker).where(Task.case == case_id)
        found[TASKED_BROKER] = frozenset(r["broker"] for r in rows)
    return found


async def reach_case(actor: Actor, case_id: int, *columns: Any) -> dict[str, Any]:
    """The case's row (its list columns and `columns`) if the actor reaches it; `NotFound` if not.

    The one reach check of every case service: the facts of other tables (assignments, tasks)
    are read only for the roles whose reach depends on them.
    """
    row = await Case.select(*_LIST_COLUMNS, *columns).where(Case.id == case_id).first()
    if row is None:
        raise NotFound()
    if not may_reach_case(actor, {**row, **await _related(case_id, related_facts(actor))}):
        raise NotFound()
    return dict(row)


async def live_leads(case_id: int) -> dict[str, dict[str, Any]]:
    """The case's lead assignment awaiting an answer (`offered`) and the one accepted (`accepted`), if any."""
    rows = await Assignment.select(
        Assignment.id,
        Assignment.status,
        Assignment.expert,
        Assignment.expert_user,
        Assignment.expert.name.as_alias("expert_name"),
    ).where((Assignment.case == case_id) & (Assignment.role == "lead") & Assignment.status.is_in(list(LIVE_ASSIGNMENT)))
    return {row["status"]: row for row in rows}


def _user_of(leads: Mapping[str, Mapping[str, Any]], status: str) -> int | None:
    lead = leads.get(status)
    return None if lead is None else lead["expert_user"]


def facts_of(row: Mapping[str, Any], leads: Mapping[str, Mapping[str, Any]], plan: PlanFacts | None) -> CaseFacts:
    """What the workflow rules need to know of a case, from its row, its live leads and its plan.

    `row` holds at least `state`, `filed_by`, `held_from`, `open_question` and `diagnosis`. The
    plan's facts cost three counts: the page, which only lists the open transitions, goes without.
    """
    return CaseFacts(
        state=CaseState(row["state"]),
        filed_by=row["filed_by"],
        lead_expert=_user_of(leads, "accepted"),
        offered_expert=_user_of(leads, "offered"),
        held_from=CaseState(row["held_from"]) if row["held_from"] else None,
        open_question=bool(row["open_question"]),
        has_diagnosis=bool(str(row["diagnosis"]).strip()),
        plan_measures=plan.measures if plan else 0,
        plan_submitted=plan.submitted if plan else False,
        open_problems=plan.open_problems if plan else 0,
    )


async def get_case(actor: Actor, case_id: int) -> dict[str, Any]:
    """One case the actor may see, with its needs, its experts and the transitions open to him.

    `transitions` are those his role and relation allow in the case's state; `waiting` maps those
    the case's own facts (diagnosis, plan) still hold back to why.
    """
    return await _case_view(actor, await reach_case(actor, case_id, *_DETAIL_COLUMNS), None)


async def _case_view(actor: Actor, row: dict[str, Any], plan: PlanFacts | None) -> dict[str, Any]:
    """The case row with its needs, experts and moves; `plan`: the plan's facts if already read."""
    case_id = row["id"]
    needs = await CaseNeed.select(
        CaseNeed.need.id.as_alias("id"),
        CaseNeed.need.category.as_alias("category"),
        CaseNeed.need.description.as_alias("description"),
        CaseNeed.need.urgency.as_alias("urgency"),
        CaseNeed.need.amount_sought.as_alias("amount_sought"),
    ).where(CaseNeed.case == case_id)
    leads = await live_leads(case_id)
    facts = facts_of(row, leads, plan)
    if plan is None and needs_plan_facts(facts, actor):
        facts = facts_of(row, leads, await plan_facts(case_id))
    return {
        **row,
        "needs": needs,
        "lead_expert_name": (leads.get("accepted") or {}).get("expert_name"),
        "offered_expert_name": (leads.get("offered") or {}).get("expert_name"),
        **open_moves(facts, actor),
    }


def open_moves(facts: CaseFacts, actor: Actor) -> dict[str, Any]:
    """What a page offers of the case's moves: `transitions` open to the actor, and `waiting`, those
    the case's own facts still hold back, each with why."""
    return {"transitions": available_transitions(facts, actor), "waiting": waiting_on(facts, actor)}


async def case_events(actor: Actor, case_id: int) -> list[dict[str, Any]]:
    """A case's timeline, oldest first, if the actor may see the case."""
    await reach_case(actor, case_id)
    return await case_timeline(case_id)


async def expert_choices() -> list[dict[str, Any]]:
    """Experts an officer may assign directly: those with an account, by name."""
    return await (
        Expert.select(Expert.id, Expert.name, Expert.organisation)
        .where(Expert.user.is_not_null())
        .order_by(Expert.name)
        .order_by(Expert.id)
    )


async def case_file(actor: Actor, case_id: int) -> dict[str, Any]:
    """All a case's page shows, after one check that the actor may see it: each feature's section.

    Read in one snapshot: the sections agree with each other (and SQLite opens one connection).
    """
    async with read_snapshot():
        row = await reach_case(actor, case_id, *_DETAIL_COLUMNS)
        section = await plan_section(case_id, row["diagnosis"])
        case = await _case_view(actor, row, section.pop("facts"))
        return {
            "case": case,
            "events": await case_timeline(case_id),
            "attachments": await case_attachments(case_id),
            "tasks": await case_tasks(case_id),
            "follow_ups": await case_follow_ups(case_id),
            "experts": await expert_choices() if Transition.ASSIGN in case["transitions"] else [],
            "suggested": await _suggested(actor, case),
            **section,
        }


async def _suggested(actor: Actor, case: Mapping[str, Any]) -> Suggestions | None:
    """The ranked experts for an officer about to assign a triaged case (casework.matching)."""
    if case["state"] != CaseState.TRIAGED or Transition.ASSIGN not in case["transitions"]:
        return None
    return await suggestions(case["id"]) if may(actor, Action.MATCH_EXPERTS) else None
