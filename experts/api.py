"""JSON API of the expert pool."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar import Controller, get
from litestar.params import QueryParameter

from accounts.policy import Action
from core.api import API_V1, BEARER, Paginated, error_responses, paginated
from core.pagination import PageRequest
from experts import services

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=100000)]


@dataclass
class Expert:
    id: int
    name: str
    organisation: str
    title: str
    specialties: list[str]
    districts: list[str]
    capacity: int
    away_until: date | None


def _expert(row: dict[str, Any]) -> Expert:
    return Expert(**{field: row[field] for field in Expert.__dataclass_fields__})


class ExpertApi(Controller):
    path = f"{API_V1}/experts"
    tags = ["experts"]
    security = BEARER
    opt = {"action": Action.VIEW_EXPERTS}

    @get("/", summary="The expert pool", responses=error_responses(401, 403))
    async def list_experts(
        self, page_number: PageNumber = 1, per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20
    ) -> Paginated[Expert]:
        found = await services.list_experts(PageRequest(page=page_number, per_page=per_page))
        return paginated(found, [_expert(row) for row in found.items])
