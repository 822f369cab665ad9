"""Reading follow-ups within reach: the list with its filters, one follow-up, a case's open ones.

A follow-up is reached when its case is (`casework.access`): the one condition `follow_up_filter`
is applied to every query that returns follow-ups, the detail included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accounts.policy import Actor
from casework.access_filter import case_filter
from casework.followups.listing import OUTSTANDING, Due, due_window, parse_due, parse_kind, presented
from casework.followups.rules import FollowUpState
from casework.tables import Case, FollowUp
from core.errors import Invalid, NotFound
from core.pagination import Page, PageRequest

_COLUMNS = (
    FollowUp.id,
    FollowUp.case,
    FollowUp.district,
    FollowUp.kind,
    FollowUp.state,
    FollowUp.due_at,
    FollowUp.step,
    FollowUp.assignee,
    FollowUp.follows,
    FollowUp.acted_at,
    FollowUp.closed_at,
    FollowUp.created_at,
    FollowUp.assignee.display_name.as_alias("assignee_name"),
    FollowUp.case._.enterprise._.name.as_alias("enterprise_name"),
)


def follow_up_filter(actor: Actor) -> Any:
    """The WHERE condition keeping a query to the follow-ups whose case the actor reaches (None: all)."""
    cases = case_filter(actor)
    if cases is None:
        return None
    return FollowUp.case.is_in(Case.select(Case.id).where(cases))


@dataclass(frozen=True)
class FollowUpFilter:
    due: str = ""  # a `listing.Due`; empty: due soon and overdue
    kind: str = ""  # a `rules.FollowUpKind`; empty: every kind
    case: int | None = None


def _window_condition(due: Due, now: datetime) -> Any:
    window = due_window(due, now)
    condition: Any = FollowUp.state.is_in(list(window.states))
    if window.after is not None:
        condition &= FollowUp.due_at >= window.after
    if window.before is not None:
        condition &= FollowUp.due_at < window.before
    if window.or_escalated:
        condition |= FollowUp.state == FollowUpState.ESCALATED
    return condition


def _conditions(actor: Actor, filters: FollowUpFilter, now: datetime) -> list[Any]:
    due = parse_due(filters.due)
    if due is None:
        raise Invalid({"due": "Choose when the follow-ups are due."})
    conditions = [follow_up_filter(actor), _window_condition(due, now)]
    if filters.kind:
        kind = parse_kind(filters.kind)
        if kind is None:
            raise Invalid({"kind": "Choose a kind of follow-up."})
        conditions.append(FollowUp.kind == kind)
    if filters.case is not None:
        conditions.append(FollowUp.case == filters.case)
    return [c for c in conditions if c is not None]


async def list_follow_ups(
    actor: Actor, filters: FollowUpFilter, request: PageRequest, now: datetime | None = None
) -> Page[dict[str, Any]]:
    """A page of the follow-ups the actor reaches, soonest due (so most overdue) first."""
    now = now or datetime.now(UTC)
    query = FollowUp.select(*_COLUMNS).order_by(FollowUp.due_at).order_by(FollowUp.id)
    count = FollowUp.count()
    for condition in _conditions(actor, filters, now):
        query = query.where(condition)
        count = count.where(condition)
    rows = await query.limit(request.per_page).offset(request.offset)
    return Page(items=[presented(row, now) for row in rows], request=request, total=await count)


async def get_follow_up(actor: Actor, follow_up_id: int, now: datetime | None = None) -> dict[str, Any]:
    """One follow-up whose case the actor reaches; `NotFound` for any other (nothing is leaked)."""
    query = FollowUp.select(*_COLUMNS, FollowUp.data).where(FollowUp.id == follow_up_id)
    scope = follow_up_filter(actor)
    if scope is not None:
        query = query.where(scope)
    row = await query.output(load_json=True).first()
    if row is None:
        raise NotFound()
    return presented(row, now or datetime.now(UTC))


async def case_follow_ups(case_id: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """A case's outstanding follow-ups, soonest due first, for a case the caller has checked the actor reaches."""
    rows = await (
        FollowUp.select(*_COLUMNS)
        .where((FollowUp.case == case_id) & FollowUp.state.is_in([*OUTSTANDING, FollowUpState.PAUSED]))
        .order_by(FollowUp.due_at)
        .order_by(FollowUp.id)
    )
    now = now or datetime.now(UTC)
    return [presented(row, now) for row in rows]
