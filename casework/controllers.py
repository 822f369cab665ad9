"""Pages of casework: filing a need, my cases, the district queue, one case."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from casework import services
from core.api import RowId
from core.errors import Invalid
from core.pagination import PageRequest
from core.web import page
from enterprises.services import enterprise_file

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=100000)]
StateFilter = Annotated[str, QueryParameter(name="state")]


class NeedFilingController(Controller):
    include_in_schema = False  # pages, not API

    @post("/enterprises/{enterprise_id:int}/needs", opt={"action": Action.FILE_NEED})
    async def file_need(
        self, request: Request[Any, Any, Any], enterprise_id: RowId, data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        actor = current_user(request).actor
        try:
            case_id = await services.file_need(actor, enterprise_id, data)
        except Invalid as error:
            # The enterprise's page again, its need form kept as typed with the errors beside it.
            file = await enterprise_file(actor, enterprise_id)
            return page(request, "enterprises/detail.html", 400, **file, values=data, errors=error.errors)
        return Redirect(f"/cases/{case_id}?filed=1")


class CaseController(Controller):
    include_in_schema = False  # pages, not API
    path = "/cases"

    @get("/mine", opt={"action": Action.VIEW_MY_CASES})
    async def my_cases(
        self, request: Request[Any, Any, Any], state_filter: StateFilter = "", page_number: PageNumber = 1
    ) -> Template:
        user = current_user(request)
        found = await services.list_cases(
            user.actor,
            services.CaseFilter(state=state_filter, filed_by=user.id),
            PageRequest(page=page_number),
        )
        return page(
            request,
            "casework/list.html",
            page=found,
            title="My cases",
            state=state_filter,
            district="",
            counts={},
        )

    @get("/queue", opt={"action": Action.VIEW_CASE_QUEUE})
    async def queue(
        self,
        request: Request[Any, Any, Any],
        state_filter: StateFilter = "submitted",
        district: FromQuery[str] = "",
        page_number: PageNumber = 1,
    ) -> Template:
        actor = current_user(request).actor
        found, counts = await services.case_queue(
            actor, services.CaseFilter(state=state_filter, district=district), PageRequest(page=page_number)
        )
        return page(
            request,
            "casework/list.html",
            page=found,
            title="Case queue",
            state=state_filter,
            district=district,
            counts=counts,
        )

    @get("/{case_id:int}", opt={"action": Action.VIEW_CASES})
    async def show(self, request: Request[Any, Any, Any], case_id: RowId, filed: FromQuery[str] = "") -> Template:
        file = await services.case_file(current_user(request).actor, case_id)
        return page(request, "casework/detail.html", **file, filed=bool(filed), errors={})

    @post("/{case_id:int}/transitions", opt={"action": Action.TRANSITION_CASE})
    async def transition(
        self, request: Request[Any, Any, Any], case_id: RowId, data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        actor = current_user(request).actor
        try:
            version = int(data.get("version", "0"))
        except ValueError:
            version = 0
        try:
            await services.transition_case(actor, case_id, data.get("transition", ""), version, data.get("reason", ""))
        except Invalid as error:
            file = await services.case_file(actor, case_id)
            return page(
                request,
                "casework/detail.html",
                status_code=400,
                **file,
                filed=False,
                errors=error.errors,
                values=data,
            )
        return Redirect(f"/cases/{case_id}")
