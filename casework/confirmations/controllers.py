"""Pages of the founder's confirmation at a visit, on the plan: send a code and type it in, or let him sign.

The broker chooses problems on the plan's page, then either sends a code to the founder's phone
(the code page follows) or hands him the phone to sign (the signature page); either way the
problems are closed out as soon as the confirmation is given.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import QueryParameter
from litestar.response import Redirect, Template

from accounts.guards import current_user
from accounts.policy import Action
from casework.confirmations.service import confirmation_file, request_code
from casework.plans.closing import close_out, close_out_with_code, close_out_with_signature
from casework.plans.controllers import Form, Multipart, fields, listed, plan_page
from casework.plans.reading import signing_file
from core.api import RowId
from core.errors import Invalid
from core.web import page

# A drawn signature is a small PNG; a photo of one sent through the file field may be larger.
MAX_SIGNATURE_REQUEST = 16 * 1024 * 1024


def _closed(case_id: int, problems: list[int]) -> Redirect:
    return Redirect(f"/cases/{case_id}/plan?closed={len(problems)}#problems")


class ConfirmationController(Controller):
    path = "/cases/{case_id:int}/plan"
    include_in_schema = False  # pages, not API
    opt = {"action": Action.CONFIRM_WITH_FOUNDER}

    @post("/confirmations")
    async def ask(self, request: Request[Any, Any, Any], case_id: RowId, data: Form) -> Template | Redirect:
        """Send a code for the chosen problems, or go on to the founder's signature."""
        problems = listed(data, "problems")
        if fields(data).get("method") == "signature":
            return Redirect(f"/cases/{case_id}/plan/sign?{urlencode([('problems', p) for p in problems])}")
        try:
            confirmation_id = await request_code(current_user(request).actor, case_id, {"problems": problems})
        except Invalid as error:
            return await plan_page(request, case_id, 400, error.errors, data)
        return Redirect(f"/cases/{case_id}/plan/confirmations/{confirmation_id}")

    async def _code_page(
        self,
        request: Request[Any, Any, Any],
        case_id: int,
        confirmation_id: int,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
    ) -> Template:
        found = await confirmation_file(current_user(request).actor, case_id, confirmation_id)
        return page(
            request, "casework/plan_confirm.html", status_code, **found, errors=errors or {}, values=values or {}
        )

    @get("/confirmations/{confirmation_id:int}")
    async def code_page(self, request: Request[Any, Any, Any], case_id: RowId, confirmation_id: RowId) -> Template:
        return await self._code_page(request, case_id, confirmation_id)

    @post("/confirmations/{confirmation_id:int}/code")
    async def code(
        self, request: Request[Any, Any, Any], case_id: RowId, confirmation_id: RowId, data: Form
    ) -> Template | Redirect:
        form = fields(data)
        try:
            closed = await close_out_with_code(
                current_user(request).actor, case_id, confirmation_id, form.get("code", "")
            )
        except Invalid as error:
            return await self._code_page(request, case_id, confirmation_id, 400, error.errors, form)
        return _closed(case_id, closed)

    @get("/sign")
    async def sign_page(
        self,
        request: Request[Any, Any, Any],
        case_id: RowId,
        problems: Annotated[list[str] | None, QueryParameter()] = None,
    ) -> Template:
        try:
            found = await signing_file(current_user(request).actor, case_id, problems or [])
        except Invalid as error:
            return await plan_page(request, case_id, 400, error.errors, {"problems": problems or []})
        return page(request, "casework/plan_sign.html", **found, errors={})

    @post("/signature", request_max_body_size=MAX_SIGNATURE_REQUEST)
    async def signature(self, request: Request[Any, Any, Any], case_id: RowId, data: Multipart) -> Template | Redirect:
        actor = current_user(request).actor
        problems = listed(data, "problems")
        upload = data.get("signature_file")
        drawn: str | bytes = fields(data).get("signature", "")
        if isinstance(upload, UploadFile) and upload.filename:
            drawn = await upload.read()
        try:
            closed = await close_out_with_signature(actor, case_id, problems, drawn)
        except Invalid as error:
            found = await signing_file(actor, case_id, problems)
            return page(request, "casework/plan_sign.html", 400, **found, errors=error.errors)
        return _closed(case_id, closed)

    @post("/close-out")
    async def finish_close_out(
        self, request: Request[Any, Any, Any], case_id: RowId, data: Form
    ) -> Template | Redirect:
        """Finish a close-out with a confirmation the founder already gave."""
        form = fields(data)
        confirmation = form.get("confirmation", "")
        try:
            closed = await close_out(
                current_user(request).actor,
                case_id,
                listed(data, "problems"),
                int(confirmation) if confirmation.isdigit() and int(confirmation) < 2**31 else 0,
            )
        except Invalid as error:
            return await plan_page(request, case_id, 400, error.errors, data)
        return _closed(case_id, closed)
