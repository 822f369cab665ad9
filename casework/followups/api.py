"""The JSON API of follow-ups (`/api/v1/follow-ups`) and its schemas."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from accounts.guards import current_user
from accounts.policy import Action
from casework.followups import reading
from casework.followups.listing import Due
from casework.followups.rules import FollowUpKind, FollowUpState
from core.api import API_V1, BEARER, MAX_INT4, Paginated, RowId, error_responses, paginated
from core.pagination import PageRequest

ERRORS = error_responses(401, 403, 404, 422)


@dataclass
class FollowUp:
    """Something that falls due for a case: `due_at` (UTC), `step` how often it has acted (its rung on the
    escalation ladder), `overdue` whether it is still outstanding past its due time."""

    id: int
    kind: FollowUpKind
    state: FollowUpState
    case_id: int
    district: str
    due_at: datetime
    overdue: bool
    step: int
    assignee_id: int | None
    follows: int | None
    acted_at: datetime | None
    closed_at: datetime | None
    created_at: datetime


def _follow_up(row: dict[str, Any]) -> FollowUp:
    return FollowUp(
        id=row["id"],
        kind=FollowUpKind(row["kind"]),
        state=FollowUpState(row["state"]),
        case_id=row["case"],
        district=row["district"],
        due_at=row["due_at"],
        overdue=row["overdue"],
        step=row["step"],
        assignee_id=row["assignee"],
        follows=row["follows"],
        acted_at=row["acted_at"],
        closed_at=row["closed_at"],
        created_at=row["created_at"],
    )


class FollowUpApi(Controller):
    path = f"{API_V1}/follow-ups"
    tags = ["follow-ups"]
    security = BEARER

    @get(
        "/",
        opt={"action": Action.VIEW_FOLLOW_UPS},
        summary="Follow-ups of the cases within the caller's reach, soonest due first",
        description=(
            "`due`: `upcoming` (the default: pending ones due within 7 days or overdue, and escalated ones), "
            "`due_soon`, `overdue`, `done` or `all`. A district officer sees his district's, a broker or an "
            "expert those of the cases he reaches, a city officer all."
        ),
        responses=ERRORS,
    )
    async def list_follow_ups(
        self,
        request: Request[Any, Any, Any],
        due: Annotated[Due, QueryParameter()] = Due.UPCOMING,
        kind: Annotated[FollowUpKind | None, QueryParameter()] = None,
        case_id: Annotated[int | None, QueryParameter(name="case", ge=1, le=MAX_INT4)] = None,
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[FollowUp]:
        filters = reading.FollowUpFilter(due=due.value, kind=kind.value if kind else "", case=case_id)
        found = await reading.list_follow_ups(
            current_user(request).actor, filters, PageRequest(page=page_number, per_page=per_page)
        )
        return paginated(found, [_follow_up(row) for row in found.items])

    @get(
        "/{follow_up_id:int}",
        opt={"action": Action.VIEW_FOLLOW_UPS},
        summary="One follow-up of a case within reach",
        responses=ERRORS,
    )
    async def show(self, request: Request[Any, Any, Any], follow_up_id: RowId) -> FollowUp:
        return _follow_up(await reading.get_follow_up(current_user(request).actor, follow_up_id))
