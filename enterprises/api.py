"""JSON API of the enterprise registry."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter

from accounts.guards import current_user
from accounts.policy import Action
from core.api import API_V1, BEARER, Paginated, RowId, error_responses, paginated
from core.pagination import PageRequest
from enterprises import services


@dataclass
class EnterpriseCreate:
    name: str
    district: str
    town: str
    founder_name: str
    founder_phone: str
    legal_form: str = "individual_business"
    village: str = ""
    industry: str = ""
    main_products: str = ""
    credit_code: str = ""
    credit_code_note: str = ""


@dataclass
class Enterprise:
    id: int
    name: str
    legal_form: str
    district: str
    town: str
    village: str
    industry: str
    status: str
    credit_code: str
    founder_name: str
    founder_phone: str
    created_at: datetime


@dataclass
class Need:
    id: int
    category: str
    description: str
    urgency: str
    amount_sought: str | None
    created_at: datetime


def enterprise_out(row: dict[str, Any]) -> Enterprise:
    return Enterprise(**{field: row[field] for field in Enterprise.__dataclass_fields__})


ERRORS = error_responses(401, 403, 404, 422)


class EnterpriseApi(Controller):
    path = f"{API_V1}/enterprises"
    tags = ["enterprises"]
    security = BEARER
    opt = {"action": Action.VIEW_ENTERPRISES}

    @get("/", summary="Enterprises within the caller's reach, newest first", responses=ERRORS)
    async def list_enterprises(
        self,
        request: Request[Any, Any, Any],
        district: Annotated[str, QueryParameter(max_length=6)] = "",
        q: Annotated[str, QueryParameter(max_length=100, description="fragment of the name")] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1, le=100000)] = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> Paginated[Enterprise]:
        found = await services.list_enterprises(
            current_user(request).actor,
            services.EnterpriseFilter(district=district, q=q.strip()),
            PageRequest(page=page_number, per_page=per_page),
        )
        return paginated(found, [enterprise_out(row) for row in found.items])

    @post(
        "/",
        opt={"action": Action.REGISTER_ENTERPRISE},
        summary="Register an enterprise and its founder",
        responses=ERRORS,
    )
    async def create(self, request: Request[Any, Any, Any], data: JSONBody[EnterpriseCreate]) -> Enterprise:
        actor = current_user(request).actor
        enterprise_id = await services.register_enterprise(actor, {k: str(v) for k, v in asdict(data).items()})
        return enterprise_out(await services.get_enterprise(actor, enterprise_id))

    @get("/{enterprise_id:int}", summary="One enterprise", responses=ERRORS)
    async def show(self, request: Request[Any, Any, Any], enterprise_id: RowId) -> Enterprise:
        return enterprise_out(await services.get_enterprise(current_user(request).actor, enterprise_id))
