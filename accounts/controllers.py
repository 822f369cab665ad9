"""Pages of accounts: sign in and out, home, language, inbox, user administration."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urlparse

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template

from accounts import lifecycle, services
from accounts.guards import BEFORE_PASSWORD_CHANGE, current_user
from accounts.identity import session_of
from accounts.policy import Action, Role
from core.client import client_address
from core.config import SUPPORTED_LOCALES
from core.districts import DISTRICTS
from core.errors import Invalid, TooManyAttempts
from core.i18n import LOCALE_COOKIE, gettext
from core.pagination import Page, PageRequest
from core.sessions import rotate_session_id
from core.web import page, request_locale

PUBLIC = {"action": Action.PUBLIC}
SIGNED_IN = {"action": Action.SIGNED_IN}


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the login form cannot bounce a user to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or urlparse(target).netloc:
        return "/"
    return target


HOME_OF_ROLE = {
    Role.BROKER: "/cases/mine",
    Role.EXPERT: "/workspace",  # his offers to answer first, then the cases he leads
    Role.DISTRICT_OFFICER: "/cases/queue",
    Role.CITY_OFFICER: "/cases/queue",
    Role.ADMIN: "/admin/users",
}


class AccountController(Controller):
    include_in_schema = False  # pages, not API

    @get("/login", opt=PUBLIC, name="login")
    async def login_form(
        self,
        request: Request[Any, Any, Any],
        next_: Annotated[str | None, QueryParameter(name="next")] = None,
    ) -> Template:
        return page(request, "accounts/login.html", values={"next": _safe_next(next_)}, errors={})

    @post("/login", opt=PUBLIC)
    async def login(self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]]) -> Template | Redirect:
        values = {"username": data.get("username", ""), "next": _safe_next(data.get("next"))}
        try:
            source = client_address(request.scope)
            user = await services.authenticate(data.get("username", ""), data.get("password", ""), source)
        except Invalid as error:
            return page(request, "accounts/login.html", status_code=400, values=values, errors=error.errors)
        except TooManyAttempts as error:
            # The form stays, the wait in place of the password's error: the user tries again after it.
            wait = gettext(request_locale(request), error.message, **error.params)
            refused = page(request, "accounts/login.html", status_code=429, values=values, errors={"password": wait})
            refused.headers["Retry-After"] = str(error.retry_after or 1)
            return refused
        rotate_session_id(request)
        request.set_session(session_of(user))
        return Redirect(_safe_next(data.get("next")) if data.get("next", "/") != "/" else HOME_OF_ROLE[user.role])

    @post("/logout", opt={**SIGNED_IN, BEFORE_PASSWORD_CHANGE: True})
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return Redirect("/login")

    @get("/", opt=SIGNED_IN)
    async def home(self, request: Request[Any, Any, Any]) -> Redirect:
        return Redirect(HOME_OF_ROLE[current_user(request).role])

    @get("/lang/{code:str}", opt=PUBLIC)
    async def switch_language(self, request: Request[Any, Any, Any], code: FromPath[str]) -> Redirect:
        referer = request.headers.get("referer", "/")
        target = _safe_next(urlparse(referer).path + (f"?{urlparse(referer).query}" if urlparse(referer).query else ""))
        response = Redirect(target)
        if code in SUPPORTED_LOCALES:
            response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        return response

    @get("/notifications", opt=SIGNED_IN)
    async def inbox(
        self,
        request: Request[Any, Any, Any],
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
    ) -> Template:
        paging = PageRequest(page=page_number)
        user = current_user(request)
        rows, total = await services.inbox(user, paging.page, paging.per_page)
        # Opening the inbox reads what it shows; the page still marks which of them were new.
        read = await services.mark_read(user, [row["id"] for row in rows if row["read_at"] is None])
        return page(
            request,
            "accounts/inbox.html",
            page=Page(items=rows, request=paging, total=total),
            user=replace(user, unread=max(0, user.unread - read)),
        )

    @post("/notifications/read-all", opt=SIGNED_IN)
    async def mark_all_read(self, request: Request[Any, Any, Any]) -> Redirect:
        await services.mark_all_read(current_user(request))
        return Redirect("/notifications")


class UserAdminController(Controller):
    include_in_schema = False  # pages, not API
    path = "/admin/users"
    opt = {"action": Action.MANAGE_USERS}

    async def _page(
        self,
        request: Request[Any, Any, Any],
        page_number: int,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        paging = PageRequest(page=page_number)
        rows, total = await lifecycle.list_accounts(paging.page, paging.per_page)
        return page(
            request,
            "accounts/users.html",
            status_code=status_code,
            page=Page(items=rows, request=paging, total=total),
            values=values,
            errors=errors,
            roles=list(Role),
            districts=DISTRICTS,
        )

    @get("/", opt={"action": Action.MANAGE_ACCOUNTS})  # city officers find the brokers they manage here
    async def users(
        self,
        request: Request[Any, Any, Any],
        page_number: Annotated[int, QueryParameter(name="page", ge=1)] = 1,
        created: FromQuery[str] = "",
    ) -> Template:
        return await self._page(request, page_number, {}, {})

    @post("/")
    async def create(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]]
    ) -> Template | Redirect:
        new_user = services.NewUser(
            username=data.get("username", ""),
            display_name=data.get("display_name", ""),
            password=data.get("password", ""),
            role=data.get("role", ""),
            district=data.get("district", ""),
        )
        try:
            await services.create_user(new_user)
        except Invalid as error:
            values = {k: v for k, v in data.items() if k != "password"}
            return await self._page(request, 1, values, error.errors, status_code=400)
        return Redirect("/admin/users?created=1")
