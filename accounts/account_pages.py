"""Pages of an account's life: one's own account (password, tokens) and a user's admin page."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from accounts import lifecycle, tokens
from accounts.guards import current_user
from accounts.identity import session_of
from accounts.policy import Action
from core.api import RowId
from core.client import client_address
from core.errors import Invalid
from core.sessions import rotate_session_id
from core.web import page

PASSWORDS_DIFFER = "The two new passwords differ."


def _source(request: Request[Any, Any, Any]) -> str:
    return client_address(request.scope)


class OwnAccountController(Controller):
    include_in_schema = False  # pages, not API
    path = "/account"

    @get("/", opt={"action": Action.MANAGE_OWN_TOKENS})
    async def account(self, request: Request[Any, Any, Any], changed: FromQuery[str] = "") -> Template:
        user = current_user(request)
        rows, total = await tokens.list_tokens(user.id)
        return page(request, "accounts/account.html", tokens=rows, token_total=total, changed=bool(changed))

    @post("/tokens/{token_id:int}/revoke", opt={"action": Action.MANAGE_OWN_TOKENS})
    async def revoke_token(self, request: Request[Any, Any, Any], token_id: RowId) -> Redirect:
        await tokens.revoke_own_token(current_user(request), token_id, _source(request))
        return Redirect("/account")

    @get("/password", opt={"action": Action.CHANGE_OWN_PASSWORD})
    async def password_form(self, request: Request[Any, Any, Any]) -> Template:
        return page(request, "accounts/password.html", errors={})

    @post("/password", opt={"action": Action.CHANGE_OWN_PASSWORD})
    async def change_password(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        user = current_user(request)
        new = data.get("new_password", "")
        try:
            if new != data.get("new_password_again", ""):
                raise Invalid({"new_password_again": PASSWORDS_DIFFER})
            generation = await lifecycle.change_own_password(
                user, data.get("current_password", ""), new, _source(request)
            )
        except Invalid as error:
            return page(request, "accounts/password.html", status_code=400, errors=error.errors)
        # This session lives on under the new generation (and a fresh id); every other one ends.
        rotate_session_id(request)
        request.set_session(session_of(replace(user, session_generation=generation)))
        return Redirect("/account?changed=1")


class AccountAdminController(Controller):
    """A user's page for account managers: his state, role and tokens, and what may be done to him."""

    include_in_schema = False  # pages, not API
    path = "/admin/users/{user_id:int}"
    opt = {"action": Action.MANAGE_ACCOUNTS}

    async def _page(
        self,
        request: Request[Any, Any, Any],
        user_id: int,
        template: str = "accounts/user.html",
        status_code: int = 200,
        **context: Any,
    ) -> Template:
        file = await lifecycle.account_file(current_user(request).actor, user_id)
        context = {"values": {}, "errors": {}, **context}
        role_choices = [(role.value, role.label) for role in file.roles]
        return page(request, template, status_code=status_code, file=file, role_choices=role_choices, **context)

    @get("/")
    async def account(self, request: Request[Any, Any, Any], user_id: RowId, done: FromQuery[str] = "") -> Template:
        return await self._page(request, user_id, done=done)

    @get("/disable")
    async def confirm_disable(self, request: Request[Any, Any, Any], user_id: RowId) -> Template:
        return await self._page(request, user_id, "accounts/user_disable.html")

    @post("/disable")
    async def disable(self, request: Request[Any, Any, Any], user_id: RowId) -> Redirect:
        await lifecycle.disable_user(current_user(request).actor, user_id, _source(request))
        return Redirect(f"/admin/users/{user_id}?done=disabled")

    @post("/enable")
    async def enable(self, request: Request[Any, Any, Any], user_id: RowId) -> Redirect:
        await lifecycle.enable_user(current_user(request).actor, user_id, _source(request))
        return Redirect(f"/admin/users/{user_id}?done=enabled")

    @post("/role")
    async def change_role(
        self, request: Request[Any, Any, Any], user_id: RowId, data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        role, district = data.get("role", ""), data.get("district", "")
        try:
            await lifecycle.change_role(current_user(request).actor, user_id, role, district, _source(request))
        except Invalid as error:
            values = {"role": role, "district": district}
            return await self._page(request, user_id, status_code=400, values=values, errors=error.errors)
        return Redirect(f"/admin/users/{user_id}?done=role")

    @post("/reset-password")
    async def reset_password(self, request: Request[Any, Any, Any], user_id: RowId) -> Template:
        temporary = await lifecycle.reset_password(current_user(request).actor, user_id, _source(request))
        # Shown once, in this response only: never in a redirect's URL, never cached.
        response = await self._page(request, user_id, "accounts/user_password_reset.html", temporary=temporary)
        response.headers["Cache-Control"] = "no-store"
        return response

    @post("/tokens/{token_id:int}/revoke")
    async def revoke_token(self, request: Request[Any, Any, Any], user_id: RowId, token_id: RowId) -> Redirect:
        await lifecycle.revoke_user_token(current_user(request).actor, user_id, token_id, _source(request))
        return Redirect(f"/admin/users/{user_id}?done=token")
