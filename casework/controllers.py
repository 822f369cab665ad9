"""Pages of casework: filing a need, my cases, the district queue, one case."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from casework import services
from casework.workflow import Transition
from core.api import RowId
from core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
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
        # The user's reach is his cases: a broker's filed or tasked ones, an expert's assigned ones.
        # Counted by state like the queue: the page's tabs are its state filter.
        found, counts = await services.case_queue(
            current_user(request).actor, services.CaseFilter(state=state_filter), PageRequest(page=page_number)
        )
        return page(
            request,
            "casework/list.html",
            page=found,
            title="My cases",
            state=state_filter,
            district="",
            counts=counts,
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
        version = int(data["version"]) if data.get("version", "").isdigit() and len(data["version"]) < 10 else 0
        try:
            moved = await services.transition_case(
                actor,
                case_id,
                data.get("transition", ""),
                version,
                data.get("reason", ""),
                services.parse_details(data),
            )
        except Invalid as error:
            return await self._again(request, case_id, data, 400, errors=error.errors)
        except Conflict as error:  # a stale version, or a state that no longer allows the action
            return await self._again(request, case_id, data, 409, refusal=error)
        except NotAllowed as error:
            return await self._again(request, case_id, data, 403, refusal=error)
        if moved.transition in (Transition.DECLINE_ASSIGNMENT, Transition.HAND_BACK):
            return Redirect("/cases/mine")  # the expert who declined or handed back no longer reaches the case
        return Redirect(f"/cases/{case_id}")

    async def _again(
        self,
        request: Request[Any, Any, Any],
        case_id: int,
        values: dict[str, str],
        status_code: int,
        errors: dict[str, str] | None = None,
        refusal: DomainError | None = None,
    ) -> Template:
        """The case as it stands now, the user's input kept as typed, with what went wrong."""
        try:
            file = await services.case_file(current_user(request).actor, case_id)
        except NotFound:
            if refusal is None:
                raise
            # An expert whose offer lapsed or was withdrawn no longer reaches the case: the refusal says why.
            raise refusal from None
        return page(
            request,
            "casework/detail.html",
            status_code=status_code,
            **file,
            filed=False,
            errors=errors or {},
            values=values,
            refusal=refusal,
        )
