"""Case services: file a need as a case, list and read cases within reach, move them on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from accounts.policy import Actor
from casework.access import may_reach_case
from casework.access_filter import case_filter
from casework.attachments.service import case_attachments
from casework.plans.service import plan_section
from casework.tables import Case, CaseEvent, CaseNeed
from casework.tasks.service import case_tasks
from casework.timeline import case_timeline
from casework.workflow import (
    CaseFacts,
    CaseState,
    Priority,
    Transition,
    available_transitions,
    check_transition,
)
from core.db import write_transaction
from core.districts import is_district
from core.errors import Conflict, Invalid, NotFound
from core.pagination import Page, PageRequest
from core.text import normalise_lines
from enterprises.classification import Urgency
from enterprises.services import record_need

# A need's urgency sets the case's first priority; the officer may change it at triage later.
_PRIORITY_OF = {
    Urgency.LOW: Priority.LOW,
    Urgency.NORMAL: Priority.NORMAL,
    Urgency.HIGH: Priority.HIGH,
    Urgency.URGENT: Priority.URGENT,
}


async def move_cases_of_merged_enterprise(merged_id: int, survivor_id: int) -> int:
    """A merged enterprise's cases follow it to the record kept (runs inside the merge's transaction)."""
    moved = (
        await Case.update({Case.enterprise: survivor_id, Case.updated_at: datetime.now(UTC)})
        .where(Case.enterprise == merged_id)
        .returning(Case.id)
    )
    return len(moved)


async def file_need(actor: Actor, enterprise_id: int, form: Mapping[str, str], as_draft: bool = False) -> int:
    """File a need of an enterprise the broker may see as a submitted (or draft) case; returns the case id."""
    state = CaseState.DRAFT if as_draft else CaseState.SUBMITTED
    async with write_transaction():
        need = await record_need(actor, enterprise_id, form)
        rows = await Case.insert(
            Case(
                enterprise=enterprise_id,
                filed_by=actor.user_id,
                district=need.district,
                priority=_PRIORITY_OF[need.urgency],
                state=state,
            )
        ).returning(Case.id)
        case_id: int = rows[0]["id"]
        await CaseNeed.insert(CaseNeed(case=case_id, need=need.need_id))
        await CaseEvent.insert(
            CaseEvent(case=case_id, actor=actor.user_id, kind="filed", from_state="", to_state=state)
        )
    return case_id


@dataclass(frozen=True)
class CaseFilter:
    state: str = ""
    district: str = ""
    filed_by: int | None = None


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
    return [c for c in conditions if c is not None]


async def list_cases(
    actor: Actor, filters: CaseFilter, request: PageRequest, total: int | None = None
) -> Page[dict[str, Any]]:
    """Cases the actor may see, newest first, one page of them; `total` when the caller already counted them."""
    conditions = _conditions(actor, filters)
    query = Case.select(*_LIST_COLUMNS).order_by(Case.id, ascending=False)
    count = Case.count()
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.limit(request.per_page).offset(request.offset)
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


async def get_case(actor: Actor, case_id: int) -> dict[str, Any]:
    """One case the actor may see, with its needs and the transitions open to him."""
    row = await Case.select(*_LIST_COLUMNS, Case.updated_at).where(Case.id == case_id).first()
    if row is None or not may_reach_case(actor, row):
        raise NotFound()
    needs = await CaseNeed.select(
        CaseNeed.need.id.as_alias("id"),
        CaseNeed.need.category.as_alias("category"),
        CaseNeed.need.description.as_alias("description"),
        CaseNeed.need.urgency.as_alias("urgency"),
        CaseNeed.need.amount_sought.as_alias("amount_sought"),
    ).where(CaseNeed.case == case_id)
    facts = CaseFacts(state=CaseState(row["state"]), filed_by=row["filed_by"])
    return {**row, "needs": needs, "transitions": available_transitions(facts, actor)}


async def case_events(actor: Actor, case_id: int) -> list[dict[str, Any]]:
    """A case's timeline, oldest first, if the actor may see the case."""
    await get_case(actor, case_id)
    return await case_timeline(case_id)


async def case_file(actor: Actor, case_id: int) -> dict[str, Any]:
    """All a case's page shows, after one check that the actor may see it: each feature's section."""
    case = await get_case(actor, case_id)
    return {
        "case": case,
        "events": await case_timeline(case_id),
        "attachments": await case_attachments(case_id),
        "tasks": await case_tasks(case_id),
        **await plan_section(case_id),
    }


async def transition_case(
    actor: Actor, case_id: int, transition: str, expected_version: int, reason: str = ""
) -> CaseState:
    """Move a case on, if the workflow allows it and nobody changed the case since `expected_version`."""
    if transition not in Transition.__members__.values():
        raise Invalid({"transition": "Unknown action."})
    case = await get_case(actor, case_id)
    facts = CaseFacts(state=CaseState(case["state"]), filed_by=case["filed_by"])
    target = check_transition(Transition(transition), facts, actor, reason).target
    async with write_transaction():
        # The version in the WHERE makes a concurrent change lose loudly instead of silently.
        updated = (
            await Case.update({Case.state: target, Case.version: Case.version + 1, Case.updated_at: datetime.now(UTC)})
            .where((Case.id == case_id) & (Case.version == expected_version))
            .returning(Case.id)
        )
        if not updated:
            raise Conflict()
        await CaseEvent.insert(
            CaseEvent(
                case=case_id,
                actor=actor.user_id,
                kind=transition,
                from_state=facts.state,
                to_state=target,
                note=normalise_lines(reason)[:2000],
            )
        )
    return target
