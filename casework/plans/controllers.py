"""Pages of the 一企一策 plan: writing and reading it, its progress, two versions compared, the print view."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action, Actor
from casework.plans import progress, reading, writing
from casework.plans.rules import MeasureStatus, Owner
from core.api import MAX_INT4, RowId
from core.errors import Invalid
from core.web import page

VersionNumber = Annotated[int | None, QueryParameter(ge=1, le=MAX_INT4)]
AddedId = Annotated[int | None, QueryParameter(ge=1, le=MAX_INT4)]
Form = URLEncodedBody[dict[str, Any]]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
# Evidence is one photo or document; the service refuses one too large with a message, so the
# request may be somewhat larger than the file limit before Litestar refuses it bare.
MAX_EVIDENCE_REQUEST = 16 * 1024 * 1024

LABELS: dict[str, Any] = {
    "owner_options": [(o.value, o.label) for o in Owner],
    "owner_labels": {o.value: o.label for o in Owner},
    "status_labels": {s.value: s.label for s in MeasureStatus},
}


def fields(data: Mapping[str, Any]) -> dict[str, str]:
    """A form's text fields as single strings (the last value where a field came more than once)."""
    found = {}
    for name, value in data.items():
        last = (value[-1] if value else "") if isinstance(value, list) else value
        if not isinstance(last, UploadFile):
            found[name] = str(last)
    return found


def listed(data: Mapping[str, Any], name: str) -> list[str]:
    """A field that may come several times (checkboxes)."""
    value = data.get(name, [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def version_of(form: Mapping[str, str]) -> int | None:
    """The case version the page was read at, so a change made since refuses the form (409)."""
    text = form.get("version", "").strip()
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_INT4 else None


Change = Callable[[Actor, dict[str, str]], Awaitable[Any]]
# Where the page opens after a change: an anchor, or (for a change that adds a row) the query and
# anchor that name the row it returned, so the page shows the notice beside it.
Landing = str | Callable[[Any], str]


async def plan_page(
    request: Request[Any, Any, Any],
    case_id: int,
    status_code: int = 200,
    errors: Mapping[str, str] | None = None,
    data: Mapping[str, Any] | None = None,
    notice: str = "",
    noticed: int | None = None,
) -> Template:
    """The plan's page; after bad input, with the form as typed (`data`) and the errors beside it.

    `notice`: what was just done, shown beside the problem or measure `noticed` where it names one.
    """
    file = await reading.plan_file(current_user(request).actor, case_id)
    data = data or {}
    values = fields(data)
    return page(
        request,
        "casework/plan.html",
        status_code,
        **file,
        **LABELS,
        errors=dict(errors or {}),
        values=values,
        form=values.get("form", ""),
        chosen=listed(data, "problems") if "problems" in data else [],
        notice=notice,
        noticed=noticed,
    )


class PlanController(Controller):
    path = "/cases/{case_id:int}/plan"
    include_in_schema = False  # pages, not API
    opt = {"action": Action.WRITE_PLAN}

    async def _apply(
        self, request: Request[Any, Any, Any], case_id: int, data: Mapping[str, Any], change: Change, landing: Landing
    ) -> Template | Redirect:
        """Make one change; on bad input the page again, as typed, with the errors beside the form."""
        form = fields(data)
        try:
            done = await change(current_user(request).actor, form)
        except Invalid as error:
            return await plan_page(request, case_id, 400, error.errors, data)
        return Redirect(f"/cases/{case_id}/plan" + (landing(done) if callable(landing) else f"#{landing}"))

    @get("/", opt={"action": Action.VIEW_CASES})
    async def show(
        self,
        request: Request[Any, Any, Any],
        case_id: RowId,
        closed: Annotated[int, QueryParameter(ge=0, le=999)] = 0,
        added_problem: AddedId = None,
        added_measure: AddedId = None,
    ) -> Template:
        if added_problem is not None:
            return await plan_page(request, case_id, notice="problem-added", noticed=added_problem)
        if added_measure is not None:
            return await plan_page(request, case_id, notice="measure-added", noticed=added_measure)
        return await plan_page(request, case_id, notice="closed" if closed else "")

    @post("/diagnosis")
    async def diagnosis(self, request: Request[Any, Any, Any], case_id: RowId, data: Form) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> None:
            await writing.write_diagnosis(actor, case_id, form.get("diagnosis", ""), version_of(form))

        return await self._apply(request, case_id, data, change, "diagnosis")

    @post("/problems")
    async def add_problem(self, request: Request[Any, Any, Any], case_id: RowId, data: Form) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> int:
            return await writing.add_problem(actor, case_id, form, version_of(form))

        return await self._apply(request, case_id, data, change, lambda new: f"?added_problem={new}#problem-{new}")

    @post("/problems/{problem_id:int}")
    async def edit_problem(
        self, request: Request[Any, Any, Any], case_id: RowId, problem_id: RowId, data: Form
    ) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> None:
            await writing.edit_problem(actor, case_id, problem_id, form, version_of(form))

        return await self._apply(request, case_id, data, change, f"problem-{problem_id}")

    @post("/problems/{problem_id:int}/remove")
    async def remove_problem(
        self, request: Request[Any, Any, Any], case_id: RowId, problem_id: RowId, data: Form
    ) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> None:
            await writing.remove_problem(actor, case_id, problem_id, version_of(form))

        return await self._apply(request, case_id, data, change, "problems")

    @post("/problems/{problem_id:int}/move")
    async def move_problem(
        self, request: Request[Any, Any, Any], case_id: RowId, problem_id: RowId, data: Form
    ) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> None:
            await writing.move_problem(actor, case_id, problem_id, form.get("direction", ""), version_of(form))

        return await self._apply(request, case_id, data, change, f"problem-{problem_id}")

    @post("/problems/{problem_id:int}/measures")
    async def add_measure(
        self, request: Request[Any, Any, Any], case_id: RowId, problem_id: RowId, data: Form
    ) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> int:
            return await writing.add_measure(actor, case_id, problem_id, form, version_of(form))

        return await self._apply(request, case_id, data, change, lambda new: f"?added_measure={new}#measure-{new}")

    @post("/measures/{measure_id:int}")
    async def edit_measure(
        self, request: Request[Any, Any, Any], case_id: RowId, measure_id: RowId, data: Form
    ) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> None:
            await writing.edit_measure(actor, case_id, measure_id, form, version_of(form))

        return await self._apply(request, case_id, data, change, f"measure-{measure_id}")

    @post("/measures/{measure_id:int}/remove")
    async def remove_measure(
        self, request: Request[Any, Any, Any], case_id: RowId, measure_id: RowId, data: Form
    ) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> None:
            await writing.remove_measure(actor, case_id, measure_id, version_of(form))

        return await self._apply(request, case_id, data, change, "problems")

    @post("/measures/{measure_id:int}/move")
    async def move_measure(
        self, request: Request[Any, Any, Any], case_id: RowId, measure_id: RowId, data: Form
    ) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> None:
            await writing.move_measure(actor, case_id, measure_id, form.get("direction", ""), version_of(form))

        return await self._apply(request, case_id, data, change, f"measure-{measure_id}")

    @post("/measures/{measure_id:int}/status")
    async def measure_status(
        self, request: Request[Any, Any, Any], case_id: RowId, measure_id: RowId, data: Form
    ) -> Template | Redirect:
        async def change(actor: Actor, form: dict[str, str]) -> None:
            await progress.record_progress(
                actor,
                case_id,
                measure_id,
                form.get("status", ""),
                form.get("drop_reason", ""),
                expected_status=form.get("expected_status") or None,
            )

        return await self._apply(request, case_id, data, change, f"measure-{measure_id}")

    @post("/measures/{measure_id:int}/evidence", request_max_body_size=MAX_EVIDENCE_REQUEST)
    async def measure_evidence(
        self, request: Request[Any, Any, Any], case_id: RowId, measure_id: RowId, data: Multipart
    ) -> Template | Redirect:
        upload = data.get("file")

        async def change(actor: Actor, form: dict[str, str]) -> None:
            chosen = None
            if isinstance(upload, UploadFile) and upload.filename:
                chosen = (upload.filename, await upload.read())
            await progress.add_evidence(actor, case_id, measure_id, form.get("evidence_note", ""), chosen)

        return await self._apply(request, case_id, data, change, f"measure-{measure_id}")

    @get("/compare", opt={"action": Action.VIEW_CASES})
    async def compare(
        self, request: Request[Any, Any, Any], case_id: RowId, a: VersionNumber = None, b: VersionNumber = None
    ) -> Template:
        found = await reading.compare_versions(current_user(request).actor, case_id, a, b)
        return page(request, "casework/plan_compare.html", **found, **LABELS)

    @get("/print", opt={"action": Action.VIEW_CASES})
    async def print_view(
        self, request: Request[Any, Any, Any], case_id: RowId, version: VersionNumber = None
    ) -> Template:
        found = await reading.print_file(current_user(request).actor, case_id, version)
        return page(request, "casework/plan_print.html", **found, **LABELS)
