"""Pages of broker tasks: dispatching one, the district's tasks, a broker's tasks on his phone, one task."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from casework.tasks import completing, confirming, dispatching, service
from casework.tasks.completing import CompletionRequest, Upload
from casework.tasks.dispatching import DispatchRequest
from casework.tasks.rules import kind_options, parse_due_on, parse_id, status_options
from core.api import RowId
from core.config import settings
from core.errors import Conflict, Invalid
from core.i18n import gettext
from core.pagination import PageRequest
from core.web import page, request_locale
from enterprises.outcomes import ANSWER_FIELDS

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=100000)]
OptionalId = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]
Form = URLEncodedBody[dict[str, str]]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
# A file over the attachment limit is refused by the service with a clear message; only a far
# larger request meets the framework's bare 413.
MAX_REQUEST_BYTES = 16 * 1024 * 1024
ALL = "all"


def dispatch_request(form: Mapping[str, Any]) -> DispatchRequest:
    """The dispatch form's fields, as the service takes them; what cannot be read is left for it to refuse."""
    return DispatchRequest(
        kind=str(form.get("kind") or ""),
        due_on=parse_due_on(str(form.get("due_on") or "")),
        instructions=str(form.get("instructions") or ""),
        broker_id=parse_id(form.get("broker_id")),
        case_id=parse_id(form.get("case_id")),
        enterprise_id=parse_id(form.get("enterprise_id")),
    )


async def _upload(value: Any) -> Upload | None:
    """The file of the completion form, if one was chosen (a browser sends an empty part otherwise)."""
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    # At most one byte past the limit: enough for the service to say the file is too large.
    data = await value.read(settings.limits.attachment_max_bytes + 1)
    return Upload(filename=value.filename, data=data) if data else None


class TaskController(Controller):
    include_in_schema = False  # pages, not API
    path = "/tasks"

    @get("/", opt={"action": Action.DISPATCH_TASK})
    async def district_tasks(
        self,
        request: Request[Any, Any, Any],
        status: FromQuery[str] = "open",
        broker: FromQuery[str] = "",
        district: FromQuery[str] = "",
        overdue: FromQuery[str] = "",
        page_number: PageNumber = 1,
    ) -> Template:
        actor = current_user(request).actor
        filters = service.TaskFilter(
            status="" if status == ALL else status,
            broker=parse_id(broker),
            district=district,
            overdue=bool(overdue),
        )
        found = await service.list_tasks(actor, filters, PageRequest(page=page_number))
        brokers_of = district or actor.district or ""
        return page(
            request,
            "casework/task_list.html",
            page=found,
            title="Broker tasks",
            filters={"status": status, "broker": broker, "district": district, "overdue": overdue},
            status_options=status_options(),
            brokers=await service.district_brokers(brokers_of) if brokers_of else [],
        )

    @get("/mine", opt={"action": Action.VIEW_MY_TASKS})
    async def my_tasks(self, request: Request[Any, Any, Any], page_number: PageNumber = 1) -> Template:
        found = await service.list_tasks(
            current_user(request).actor, service.TaskFilter(recent_only=True), PageRequest(page=page_number)
        )
        return page(request, "casework/task_mine.html", page=found)

    async def _dispatch_page(
        self, request: Request[Any, Any, Any], form: Mapping[str, Any], status_code: int = 200, **extra: Any
    ) -> Template:
        actor = current_user(request).actor
        case_id, enterprise_id = parse_id(form.get("case_id")), parse_id(form.get("enterprise_id"))
        found = await dispatching.dispatch_form(actor, case_id, enterprise_id)
        if found["ended"]:
            # No form for a case that has ended: what it would be refused with, said at once.
            status_code = 409
            extra = {**extra, "refusal": gettext(request_locale(request), found["ended"])}
        values = {"broker_id": str(found["default_broker"] or ""), **form}
        brokers = [(str(b["id"]), " · ".join(filter(None, (b["display_name"], b["town"])))) for b in found["brokers"]]
        return page(
            request,
            "casework/task_new.html",
            status_code=status_code,
            **found,
            broker_options=brokers,
            values=values,
            errors=extra.pop("errors", {}),
            kind_options=kind_options(),
            **extra,
        )

    @get("/new", opt={"action": Action.DISPATCH_TASK})
    async def new_task(
        self, request: Request[Any, Any, Any], case_id: OptionalId = None, enterprise_id: OptionalId = None
    ) -> Template:
        form = {"case_id": str(case_id or ""), "enterprise_id": str(enterprise_id or "")}
        return await self._dispatch_page(request, form)

    @post("/new", opt={"action": Action.DISPATCH_TASK})
    async def dispatch(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        try:
            task_id = await dispatching.dispatch_task(current_user(request).actor, dispatch_request(data))
        except Invalid as error:
            return await self._dispatch_page(request, data, 400, errors=error.errors)
        except Conflict as refused:
            message = gettext(request_locale(request), refused.message, **refused.params)
            return await self._dispatch_page(request, data, 409, refusal=message)
        return Redirect(f"/tasks/{task_id}?dispatched=1")

    async def _task_page(
        self,
        request: Request[Any, Any, Any],
        task_id: int,
        status_code: int = 200,
        confirmation_id: int | None = None,
        **extra: Any,
    ) -> Template:
        task = await confirming.task_page(current_user(request).actor, task_id, confirmation_id)
        return page(
            request,
            "casework/task_detail.html",
            status_code=status_code,
            task=task,
            values=extra.pop("values", {}),
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/{task_id:int}", opt={"action": Action.VIEW_CASES})
    async def show(
        self,
        request: Request[Any, Any, Any],
        task_id: RowId,
        dispatched: FromQuery[str] = "",
        completed: FromQuery[str] = "",
        confirmation: OptionalId = None,
    ) -> Template:
        return await self._task_page(
            request, task_id, confirmation_id=confirmation, dispatched=bool(dispatched), completed=bool(completed)
        )

    async def _refused(
        self, request: Request[Any, Any, Any], task_id: int, error: Invalid | Conflict, values: Mapping[str, Any]
    ) -> Template:
        """The task's page again with what was typed, and why it was refused (each field's message, or one)."""
        kept = {k: v for k, v in values.items() if isinstance(v, str) and k != "code"}
        confirmation_id = parse_id(kept.get("confirmation_id"))
        if isinstance(error, Invalid):
            return await self._task_page(request, task_id, 400, confirmation_id, values=kept, errors=error.errors)
        message = gettext(request_locale(request), error.message, **error.params)
        return await self._task_page(request, task_id, 409, confirmation_id, values=kept, refusal=message)

    @post("/{task_id:int}/complete", opt={"action": Action.COMPLETE_TASK}, request_max_body_size=MAX_REQUEST_BYTES)
    async def complete(self, request: Request[Any, Any, Any], task_id: RowId, data: Multipart) -> Template | Redirect:
        actor = current_user(request).actor
        try:
            completion = CompletionRequest(
                version=parse_id(data.get("version")) or 0,
                note=str(data.get("note") or ""),
                upload=await _upload(data.get("file")),
                confirmation_id=parse_id(data.get("confirmation_id")),
                code=str(data.get("code") or ""),
                answers={name: str(data.get(name) or "") for name in ANSWER_FIELDS},
            )
            await completing.complete_task(actor, task_id, completion)
        except (Invalid, Conflict) as error:
            return await self._refused(request, task_id, error, data)
        return Redirect(f"/tasks/{task_id}?completed=1")

    @post("/{task_id:int}/cancel", opt={"action": Action.DISPATCH_TASK})
    async def cancel(self, request: Request[Any, Any, Any], task_id: RowId, data: Form) -> Template | Redirect:
        actor = current_user(request).actor
        try:
            await dispatching.cancel_task(actor, task_id, parse_id(data.get("version")) or 0, data.get("reason", ""))
        except (Invalid, Conflict) as error:
            return await self._refused(request, task_id, error, data)
        return Redirect(f"/tasks/{task_id}")

    @post("/{task_id:int}/confirmation", opt={"action": Action.CONFIRM_WITH_FOUNDER})
    async def ask_founder(self, request: Request[Any, Any, Any], task_id: RowId, data: Form) -> Template | Redirect:
        """Send the founder a code for this visit, or go on to his signature."""
        if data.get("method") == "signature":
            return Redirect(f"/tasks/{task_id}/sign")
        try:
            confirmation_id = await confirming.ask_for_code(current_user(request).actor, task_id)
        except (Invalid, Conflict) as error:
            return await self._refused(request, task_id, error, {})
        return Redirect(f"/tasks/{task_id}?confirmation={confirmation_id}#complete")

    @get("/{task_id:int}/sign", opt={"action": Action.CONFIRM_WITH_FOUNDER})
    async def sign_page(self, request: Request[Any, Any, Any], task_id: RowId) -> Template:
        task = await confirming.confirmable_task(current_user(request).actor, task_id)
        return page(request, "casework/task_sign.html", task=task, errors={})

    @post(
        "/{task_id:int}/signature", opt={"action": Action.CONFIRM_WITH_FOUNDER}, request_max_body_size=MAX_REQUEST_BYTES
    )
    async def signature(self, request: Request[Any, Any, Any], task_id: RowId, data: Multipart) -> Template | Redirect:
        actor = current_user(request).actor
        upload = await _upload(data.get("signature_file"))  # without JavaScript: a PNG chosen as a file
        drawn: str | bytes = upload.data if upload else str(data.get("signature") or "")
        try:
            confirmation_id = await confirming.keep_signature(actor, task_id, drawn)
        except Invalid as error:
            task = await confirming.confirmable_task(actor, task_id)
            return page(request, "casework/task_sign.html", 400, task=task, errors=error.errors)
        return Redirect(f"/tasks/{task_id}?confirmation={confirmation_id}#complete")
