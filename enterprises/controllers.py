"""Pages of the enterprise registry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action, may
from core.api import RowId
from core.errors import Invalid
from core.i18n import gettext
from core.pagination import PageRequest
from core.web import page, request_locale
from enterprises import services
from enterprises.duplicates.quota import TooManyChecks
from enterprises.duplicates.service import PossibleDuplicates
from enterprises.exports import service as export_service
from enterprises.exports.rules import ExportFormat
from enterprises.heavy_work import TooMuchHeavyWork
from enterprises.history import carried_forward
from enterprises.listing import EnterpriseFilter, count_enterprises, list_enterprises

Form = URLEncodedBody[dict[str, str]]
LICENCE_CHECKS = EnterpriseFilter(licence_check="1")


def _page_number(values: Mapping[str, Any]) -> int:
    raw = str(values.get("page") or "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 100000 else 1


def _edit_values(enterprise: dict[str, Any]) -> dict[str, str]:
    """The record as form values; the founder's phone and ID stay empty (masked values are not input)."""
    values = {key: "" if value is None else str(value) for key, value in enterprise.items()}
    values["founder_phone"] = values["founder_id_number"] = ""
    values["industry"] = values.get("industry_division") or values.get("industry", "")  # the form lists divisions
    return values


async def enterprise_page(
    request: Request[Any, Any, Any], enterprise_id: int, status_code: int = 200, **extra: Any
) -> Template:
    """An enterprise's page; `extra` overrides parts of it (the need form's values and errors, a reveal)."""
    file = await services.enterprise_file(current_user(request).actor, enterprise_id)
    return page(request, "enterprises/detail.html", status_code=status_code, **(file | extra))


class EnterpriseController(Controller):
    include_in_schema = False  # pages, not API
    path = "/enterprises"

    async def _list(
        self, request: Request[Any, Any, Any], values: Mapping[str, Any], status_code: int = 200, **extra: Any
    ) -> Template:
        filters = EnterpriseFilter.from_values(values)
        request_page = PageRequest(page=_page_number(values))
        actor = current_user(request).actor
        found = await list_enterprises(actor, filters, request_page)
        # Officers are shown how many pilot credit codes wait for them to check against the licence.
        checks = await count_enterprises(actor, LICENCE_CHECKS) if may(actor, Action.CLEAR_LICENCE_CHECK) else 0
        return page(
            request,
            "enterprises/list.html",
            status_code=status_code,
            page=found,
            filters=filters,
            licence_checks=checks,
            **extra,
        )

    @get("/", opt={"action": Action.VIEW_ENTERPRISES})
    async def list_enterprises(self, request: Request[Any, Any, Any]) -> Template:
        # A phone typed into the search travels in the body (POST below), never in the URL.
        return await self._list(request, {k: v for k, v in request.query_params.items() if k != "phone"})

    @post("/", opt={"action": Action.VIEW_ENTERPRISES}, status_code=200)
    async def search(self, request: Request[Any, Any, Any], data: Form) -> Template:
        return await self._list(request, data)

    @post("/export", opt={"action": Action.EXPORT_ENTERPRISES}, status_code=200)
    async def export(self, request: Request[Any, Any, Any], data: Form) -> Response[bytes] | Redirect | Template:
        kind = data.get("format", "xlsx")
        if kind not in ExportFormat.__members__.values():
            raise Invalid({"format": "Choose CSV or XLSX."})
        locale = request_locale(request)
        filters = EnterpriseFilter.from_values(data)
        try:
            started = await export_service.start_export(
                current_user(request).actor, filters, ExportFormat(kind), locale
            )
        except TooMuchHeavyWork as refused:
            # The list again, its search as it was, with why no export was started.
            message = gettext(locale, refused.message, **refused.params)
            return await self._list(request, data, status_code=429, export_error=message)
        if started.file is None:
            return Redirect(f"/enterprises/exports/{started.export_id}")
        return Response(
            started.file.content,
            media_type=started.file.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{started.file.filename}"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    @get("/new", opt={"action": Action.REGISTER_ENTERPRISE})
    async def new_enterprise(self, request: Request[Any, Any, Any]) -> Template:
        user = current_user(request)
        values = {
            "district": user.district,
            "legal_form": "individual_business",
            "stage": "survival",
            "status": "operating",
        }
        return page(request, "enterprises/new.html", values=values, errors={})

    @post("/new", opt={"action": Action.REGISTER_ENTERPRISE})
    async def register(self, request: Request[Any, Any, Any], data: Form) -> Template | Redirect:
        try:
            enterprise_id = await services.register_enterprise(current_user(request).actor, data)
        except Invalid as error:
            return page(request, "enterprises/new.html", status_code=400, values=data, errors=error.errors)
        except PossibleDuplicates as held:
            return page(
                request, "enterprises/new.html", status_code=409, values=data, errors={}, duplicates=held.duplicates
            )
        except TooManyChecks as refused:  # the form is kept: he waits a minute and registers it as typed
            return page(
                request, "enterprises/new.html", status_code=429, values=data, errors={}, refused=refused.message
            )
        return Redirect(f"/enterprises/{enterprise_id}?registered=1")

    @get("/{enterprise_id:int}", opt={"action": Action.VIEW_ENTERPRISES})
    async def show(
        self, request: Request[Any, Any, Any], enterprise_id: RowId, registered: FromQuery[str] = ""
    ) -> Template:
        return await enterprise_page(request, enterprise_id, registered=bool(registered))

    @post("/{enterprise_id:int}/reveal", opt={"action": Action.REVEAL_PERSONAL_DATA})
    async def reveal(self, request: Request[Any, Any, Any], enterprise_id: RowId, data: Form) -> Template:
        actor = current_user(request).actor
        try:
            revealed = await services.reveal_personal_data(actor, enterprise_id, data.get("reason", ""))
        except Invalid as error:
            return await enterprise_page(request, enterprise_id, 400, reveal_errors=error.errors)
        response = await enterprise_page(request, enterprise_id, revealed=revealed)
        response.headers["Cache-Control"] = "no-store"  # the full values must not linger in caches
        return response

    @get("/{enterprise_id:int}/edit", opt={"action": Action.UPDATE_ENTERPRISE})
    async def edit_form(self, request: Request[Any, Any, Any], enterprise_id: RowId) -> Template:
        enterprise = await services.get_enterprise(current_user(request).actor, enterprise_id)
        return page(
            request, "enterprises/edit.html", enterprise_id=enterprise_id, values=_edit_values(enterprise), errors={}
        )

    @post("/{enterprise_id:int}/edit", opt={"action": Action.UPDATE_ENTERPRISE})
    async def edit(self, request: Request[Any, Any, Any], enterprise_id: RowId, data: Form) -> Template | Redirect:
        raw = data.get("version", "")
        # A form without its version (a page from before versions) is treated as stale: shown what changed.
        version = int(raw) if raw.isdigit() and len(raw) < 10 else 0
        try:
            await services.update_enterprise(current_user(request).actor, enterprise_id, data, version)
        except Invalid as error:
            return self._edit_again(request, enterprise_id, data, 400, errors=error.errors)
        except services.StaleEnterprise as stale:
            # The user's values kept, under what changed meanwhile (brought into the fields he did not
            # touch); saving again applies them to the version he has now seen.
            values, clashes = carried_forward(data, stale.changed_meanwhile)
            values["version"] = str(stale.current_version)
            return self._edit_again(request, enterprise_id, values, 409, errors=clashes, stale=stale)
        return Redirect(f"/enterprises/{enterprise_id}")

    @post("/{enterprise_id:int}/licence-check", opt={"action": Action.CLEAR_LICENCE_CHECK})
    async def clear_licence_check(
        self, request: Request[Any, Any, Any], enterprise_id: RowId, data: Form
    ) -> Template | Redirect:
        raw = data.get("version", "")
        version = int(raw) if raw.isdigit() and len(raw) < 10 else None
        confirmed = data.get("confirmed") == "1"
        try:
            await services.clear_licence_check(current_user(request).actor, enterprise_id, version, confirmed)
        except Invalid as error:
            return await enterprise_page(request, enterprise_id, 400, licence_errors=error.errors)
        except services.StaleEnterprise as stale:
            message = gettext(request_locale(request), stale.message, **stale.params)
            return await enterprise_page(request, enterprise_id, 409, licence_stale=message)
        return Redirect(f"/enterprises/{enterprise_id}")

    def _edit_again(
        self,
        request: Request[Any, Any, Any],
        enterprise_id: int,
        values: Mapping[str, str],
        status_code: int,
        **extra: Any,
    ) -> Template:
        return page(
            request,
            "enterprises/edit.html",
            status_code=status_code,
            enterprise_id=enterprise_id,
            values=values,
            errors=extra.pop("errors", {}),
            **extra,
        )
