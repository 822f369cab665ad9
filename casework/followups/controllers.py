"""Pages of follow-ups: what falls due across the cases one reaches, and a district's follow-up settings."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, PathParameter, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from casework.followups import reading, settings_service
from casework.followups.listing import due_options, kind_options
from casework.followups.settings_rules import FIELDS, label
from core.errors import Invalid
from core.pagination import PageRequest
from core.web import page

PageNumber = Annotated[int, QueryParameter(name="page", ge=1, le=100000)]
District = Annotated[str, PathParameter(min_length=1, max_length=20)]
Form = URLEncodedBody[dict[str, str]]


class FollowUpController(Controller):
    include_in_schema = False  # pages, not API
    path = "/follow-ups"

    @get("/", opt={"action": Action.VIEW_FOLLOW_UPS})
    async def list_follow_ups(
        self,
        request: Request[Any, Any, Any],
        due: FromQuery[str] = "",
        kind: FromQuery[str] = "",
        page_number: PageNumber = 1,
    ) -> Template:
        found = await reading.list_follow_ups(
            current_user(request).actor, reading.FollowUpFilter(due=due, kind=kind), PageRequest(page=page_number)
        )
        return page(
            request,
            "casework/followups/list.html",
            page=found,
            filters={"due": due or "upcoming", "kind": kind},
            due_options=due_options(),
            kind_options=kind_options(),
        )


class FollowUpSettingsController(Controller):
    include_in_schema = False  # pages, not API
    path = "/settings/follow-ups"

    @get("/", opt={"action": Action.VIEW_FOLLOW_UP_SETTINGS})
    async def districts(self, request: Request[Any, Any, Any]) -> Template | Redirect:
        """A district officer goes to his district's settings; the city chooses a district."""
        actor = current_user(request).actor
        reachable = settings_service.reachable_districts(actor)
        if len(reachable) == 1:
            return Redirect(f"/settings/follow-ups/{reachable[0]}")
        return page(
            request,
            "casework/followups/settings_index.html",
            districts=reachable,
            customised=await settings_service.customised_districts(),
        )

    async def _settings_page(
        self, request: Request[Any, Any, Any], district: str, status_code: int = 200, **extra: Any
    ) -> Template:
        found = await settings_service.district_settings(current_user(request).actor, district)
        if "values" in extra:
            found["values"] = extra.pop("values")
        return page(
            request,
            "casework/followups/settings.html",
            status_code=status_code,
            **found,
            fields=FIELDS,
            field_label=label,
            errors=extra.pop("errors", {}),
            **extra,
        )

    @get("/{district:str}", opt={"action": Action.VIEW_FOLLOW_UP_SETTINGS})
    async def show(self, request: Request[Any, Any, Any], district: District, saved: FromQuery[str] = "") -> Template:
        return await self._settings_page(request, district, saved=bool(saved))

    # Named by the reading action: another district's settings are not found (404) before the service
    # refuses an edit to those who may only read them (403, `Action.EDIT_FOLLOW_UP_SETTINGS`).
    @post("/{district:str}", opt={"action": Action.VIEW_FOLLOW_UP_SETTINGS})
    async def save(self, request: Request[Any, Any, Any], district: District, data: Form) -> Template | Redirect:
        kept = {name: str(data.get(name) or "") for name in FIELDS}
        try:
            await settings_service.save_district_settings(
                current_user(request).actor, district, kept, confirmed=data.get("confirmed") == "1"
            )
        except Invalid as error:
            return await self._settings_page(request, district, 400, values=kept, errors=error.errors)
        except settings_service.NeedsConfirmation as shorter:
            return await self._settings_page(request, district, 200, values=kept, shortened=shorter.fields)
        return Redirect(f"/settings/follow-ups/{district}?saved=1")
