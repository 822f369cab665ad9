"""The expert pool's pages: the list, an expert's page, the city's forms and conflicts, an expert's own profile."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, PathParameter, QueryParameter
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from core.api import MAX_INT4
from core.errors import Invalid, NotFound
from core.pagination import PageRequest
from core.web import page
from experts import services
from experts.profile_rules import CITY_FIELDS, CONFLICT_LABELS, LIST_FIELDS, MAX_CAPACITY, OWN_FIELDS, away_text

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=100000)]
ExpertId = Annotated[int, PathParameter(ge=1, le=MAX_INT4)]
ConflictId = Annotated[int, PathParameter(ge=1, le=MAX_INT4)]
Filter = FromQuery[str]

CONFLICT_KIND_OPTIONS = list(CONFLICT_LABELS.items())


def conflict_kind_label(kind: str) -> str:
    return CONFLICT_LABELS.get(kind, kind)


async def _form(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted form, list fields (checkboxes) as lists, the rest as text."""
    posted = await request.form()
    form: dict[str, Any] = {
        key: (posted.getall(key) if key in LIST_FIELDS else str(posted.get(key) or "")) for key in posted
    }
    form.setdefault("available", "no")  # an unticked checkbox sends nothing
    return form


def _as_form(expert: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {name: expert.get(name) for name in CITY_FIELDS}
    values["capacity"] = str(expert["capacity"])
    values["available"] = "yes" if expert["available"] else "no"
    values["away_until"] = away_text(expert["away_until"], services.today())
    values["username"] = expert.get("username") or ""
    return values


def _query(specialty: str, district: str, availability: str) -> str:
    parts = [
        f"{name}={value}"
        for name, value in (("specialty", specialty), ("district", district), ("availability", availability))
        if value
    ]
    return "/experts?" + "".join(f"{part}&" for part in parts)


class ExpertController(Controller):
    path = "/experts"
    include_in_schema = False  # pages, not part of the API

    @get("/", opt={"action": Action.VIEW_EXPERTS})
    async def list_experts(
        self,
        request: Request[Any, Any, Any],
        page_number: PageNumber = 1,
        specialty: Filter = "",
        district: Filter = "",
        availability: Filter = "",
    ) -> Template:
        chosen = services.ExpertFilter(specialty=specialty, district=district, availability=availability)
        found = await services.list_experts(PageRequest(page=page_number), chosen)
        return page(
            request,
            "experts/list.html",
            page=found,
            filters=chosen,
            pager_base=_query(specialty, district, availability),
            availability_options=services.AVAILABILITY_OPTIONS,
        )

    def _form_page(
        self,
        request: Request[Any, Any, Any],
        values: dict[str, Any],
        errors: dict[str, str],
        expert_id: int | None,
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "experts/form.html",
            status_code=status,
            values=values,
            errors=errors,
            expert_id=expert_id,
            max_capacity=MAX_CAPACITY,
        )

    @get("/new", opt={"action": Action.MANAGE_EXPERTS})
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return self._form_page(request, {"capacity": "5", "available": "yes"}, {}, None)

    @post("/new", opt={"action": Action.MANAGE_EXPERTS})
    async def create(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        form = await _form(request)
        try:
            expert_id = await services.create_expert(current_user(request).actor, form)
        except Invalid as error:
            return self._form_page(request, form, error.errors, None, 400)
        return Redirect(f"/experts/{expert_id}")

    @get("/{expert_id:int}", opt={"action": Action.VIEW_EXPERTS})
    async def show(self, request: Request[Any, Any, Any], expert_id: ExpertId) -> Template:
        return page(
            request,
            "experts/detail.html",
            expert=await services.get_expert(expert_id),
            conflict_kind_options=CONFLICT_KIND_OPTIONS,
            conflict_kind_label=conflict_kind_label,
            values={},
            errors={},
        )

    @get("/{expert_id:int}/edit", opt={"action": Action.MANAGE_EXPERTS})
    async def edit(self, request: Request[Any, Any, Any], expert_id: ExpertId) -> Template:
        expert = await services.get_expert(expert_id)
        return self._form_page(request, _as_form(expert), {}, expert_id)

    @post("/{expert_id:int}/edit", opt={"action": Action.MANAGE_EXPERTS})
    async def update(self, request: Request[Any, Any, Any], expert_id: ExpertId) -> Template | Redirect:
        form = await _form(request)
        try:
            await services.update_expert(current_user(request).actor, expert_id, form)
        except Invalid as error:
            return self._form_page(request, form, error.errors, expert_id, 400)
        return Redirect(f"/experts/{expert_id}")

    @post("/{expert_id:int}/conflicts", opt={"action": Action.MANAGE_EXPERTS})
    async def declare_conflict(self, request: Request[Any, Any, Any], expert_id: ExpertId) -> Template | Redirect:
        form = await _form(request)
        try:
            await services.declare_conflict(current_user(request).actor, expert_id, form)
        except Invalid as error:
            return page(
                request,
                "experts/detail.html",
                status_code=400,
                expert=await services.get_expert(expert_id),
                conflict_kind_options=CONFLICT_KIND_OPTIONS,
                conflict_kind_label=conflict_kind_label,
                values=form,
                errors=error.errors,
            )
        return Redirect(f"/experts/{expert_id}#conflicts")

    @get("/{expert_id:int}/conflicts/{conflict_id:int}/remove", opt={"action": Action.MANAGE_EXPERTS})
    async def confirm_removal(
        self, request: Request[Any, Any, Any], expert_id: ExpertId, conflict_id: ConflictId
    ) -> Template:
        expert = await services.get_expert(expert_id)
        conflict = next((c for c in expert["conflicts"] if c["id"] == conflict_id), None)
        if conflict is None:
            raise NotFound()
        return page(request, "experts/remove_conflict.html", expert=expert, conflict=conflict)

    @post("/{expert_id:int}/conflicts/{conflict_id:int}/remove", opt={"action": Action.MANAGE_EXPERTS})
    async def remove_conflict(
        self, request: Request[Any, Any, Any], expert_id: ExpertId, conflict_id: ConflictId
    ) -> Redirect:
        await services.remove_conflict(current_user(request).actor, expert_id, conflict_id)
        return Redirect(f"/experts/{expert_id}#conflicts")

    def _own_page(
        self,
        request: Request[Any, Any, Any],
        expert: dict[str, Any],
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
        saved: bool = False,
    ) -> Template:
        return page(
            request,
            "experts/me.html",
            status_code=status,
            expert=expert,
            values=values,
            errors=errors,
            saved=saved,
            max_capacity=MAX_CAPACITY,
        )

    @get("/me", opt={"action": Action.EDIT_OWN_EXPERT_PROFILE})
    async def own_profile(self, request: Request[Any, Any, Any], saved: Filter = "") -> Template:
        expert = await services.own_profile(current_user(request).actor)
        return self._own_page(request, expert, _as_form(expert), {}, saved=bool(saved))

    @post("/me", opt={"action": Action.EDIT_OWN_EXPERT_PROFILE})
    async def update_own_profile(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        actor = current_user(request).actor
        form = {name: value for name, value in (await _form(request)).items() if name in OWN_FIELDS}
        try:
            await services.update_own_profile(actor, form)
        except Invalid as error:
            return self._own_page(request, await services.own_profile(actor), form, error.errors, 400)
        return Redirect("/experts/me?saved=1")
