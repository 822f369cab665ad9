"""Pages of the enterprise registry."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from core.districts import DISTRICTS
from core.errors import Invalid
from core.pagination import PageRequest
from core.web import page
from enterprises import services
from enterprises.classification import INDUSTRY_SECTIONS, LegalForm, NeedCategory, Urgency


def _form_context() -> dict[str, Any]:
    return {
        "districts": DISTRICTS,
        "legal_forms": list(LegalForm),
        "industries": INDUSTRY_SECTIONS,
        "categories": list(NeedCategory),
        "urgencies": list(Urgency),
    }


class EnterpriseController(Controller):
    path = "/enterprises"

    @get("/", opt={"action": Action.VIEW_ENTERPRISES})
    async def list_enterprises(
        self,
        request: Request[Any, Any, Any],
        q: FromQuery[str] = "",
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        found = await services.list_enterprises(
            current_user(request).actor,
            services.EnterpriseFilter(q=q.strip()),
            PageRequest(page=page_number),
        )
        return page(request, "enterprises/list.html", page=found, q=q)

    @get("/new", opt={"action": Action.REGISTER_ENTERPRISE})
    async def new_enterprise(self, request: Request[Any, Any, Any]) -> Template:
        user = current_user(request)
        return page(
            request,
            "enterprises/new.html",
            values={"district": user.district, "legal_form": "individual_business"},
            errors={},
            **_form_context(),
        )

    @post("/new", opt={"action": Action.REGISTER_ENTERPRISE})
    async def register(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        try:
            enterprise_id = await services.register_enterprise(current_user(request).actor, data)
        except Invalid as error:
            return page(
                request,
                "enterprises/new.html",
                status_code=400,
                values=data,
                errors=error.errors,
                **_form_context(),
            )
        return Redirect(f"/enterprises/{enterprise_id}?registered=1")

    @get("/{enterprise_id:int}", opt={"action": Action.VIEW_ENTERPRISES})
    async def show(
        self, request: Request[Any, Any, Any], enterprise_id: FromPath[int], registered: FromQuery[str] = ""
    ) -> Template:
        actor = current_user(request).actor
        enterprise = await services.get_enterprise(actor, enterprise_id)
        needs = await services.needs_of(enterprise_id)
        return page(
            request,
            "enterprises/detail.html",
            enterprise=enterprise,
            needs=needs,
            registered=bool(registered),
            values={"urgency": "normal"},
            errors={},
            **_form_context(),
        )
