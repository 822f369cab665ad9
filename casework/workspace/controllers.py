"""The expert's workspace page: his offers with Accept and Decline, the cases he leads, his record."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from casework.offers import service as offers
from casework.workspace import service
from core.api import RowId
from core.errors import Conflict, Invalid, NotAllowed
from core.pagination import PageRequest
from core.web import page

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=100000)]
Form = URLEncodedBody[dict[str, str]]

_OFFER_STATUS_LABELS = {
    "offered": "Awaiting your answer",
    "accepted": "You accepted",
    "declined": "You declined",
    "lapsed": "Lapsed unanswered",
    "withdrawn": "Withdrawn by the officers",
    "released": "You handed it back",
}
# What the page says after an answer went through.
_DONE = {"declined": "You declined the offer. The officers were told your reason."}


def offer_status_label(status: str) -> str:
    return _OFFER_STATUS_LABELS.get(status, status)


def _version(form: dict[str, str]) -> int | None:
    """The case version the page showed; None (read it now) when the form carries none."""
    text = form.get("version", "")
    return int(text) if text.isdigit() and len(text) < 10 else None


class WorkspaceController(Controller):
    include_in_schema = False  # pages, not API
    path = "/workspace"

    async def _page(
        self,
        request: Request[Any, Any, Any],
        page_number: int = 1,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        found = await service.workspace(current_user(request).actor, PageRequest(page=page_number))
        return page(
            request,
            "casework/workspace/index.html",
            status_code=status_code,
            **found,
            offer_status_label=offer_status_label,
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/", opt={"action": Action.VIEW_EXPERT_WORKSPACE})
    async def show(
        self, request: Request[Any, Any, Any], page_number: PageNumber = 1, done: FromQuery[str] = ""
    ) -> Template:
        return await self._page(request, page_number, done=_DONE.get(done, ""))

    async def _answer(
        self, request: Request[Any, Any, Any], case_id: int, offer_id: int, accepted: bool, data: dict[str, str]
    ) -> Template | Redirect:
        actor = current_user(request).actor
        kept = {"reason": data.get("reason", "")}
        try:
            await offers.answer_offer(actor, case_id, offer_id, accepted, kept["reason"], _version(data))
        except Invalid as error:  # a decline without a reason: the form again, as typed, with why
            return await self._page(request, status_code=400, errors=error.errors, answering=offer_id, values=kept)
        except (Conflict, NotAllowed) as error:  # lapsed, withdrawn, answered, someone else's, or changed meanwhile
            status = 409 if isinstance(error, Conflict) else 403
            return await self._page(request, status_code=status, refusal=error, answering=offer_id, values=kept)
        if accepted:
            return Redirect(f"/cases/{case_id}")
        return Redirect("/workspace?done=declined")  # a declined case is out of his reach

    # Named by the case move they make: the workflow, not the route, decides who may answer which offer.
    @post("/cases/{case_id:int}/offers/{offer_id:int}/accept", opt={"action": Action.TRANSITION_CASE})
    async def accept(
        self, request: Request[Any, Any, Any], case_id: RowId, offer_id: RowId, data: Form
    ) -> Template | Redirect:
        return await self._answer(request, case_id, offer_id, True, data)

    @post("/cases/{case_id:int}/offers/{offer_id:int}/decline", opt={"action": Action.TRANSITION_CASE})
    async def decline(
        self, request: Request[Any, Any, Any], case_id: RowId, offer_id: RowId, data: Form
    ) -> Template | Redirect:
        return await self._answer(request, case_id, offer_id, False, data)
