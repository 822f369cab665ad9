"""Who is asking (session or bearer token) and whether the route's policy lets him.

Every route handler names an `Action` in `opt={"action": ...}`; `authorize` is applied to the
whole app, so a route that forgets to name one is refused, not opened.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Redirect
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts.identity import CurrentUser, user_from_session, user_from_token
from accounts.policy import Action, may
from core.errors import NotAllowed
from core.web import handle_domain_error, is_api

# Framework routes that carry no `opt` of ours; everything else must name an Action.
FRAMEWORK_PATH_PREFIXES = ("/schema", "/static")


class CurrentUserMiddleware:
    """Puts the signed-in user (or None) in `scope["user"]`.

    The JSON API takes only bearer tokens: a session cookie there would make its POSTs
    forgeable from other sites (the API is outside CSRF protection).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            if scope["path"].startswith("/api/"):
                scope["user"] = await self._bearer_user(scope)
            else:
                scope["user"] = await user_from_session(scope.get("session"))  # type: ignore[arg-type]
        await self.app(scope, receive, send)

    async def _bearer_user(self, scope: Scope) -> CurrentUser | None:
        for name, value in scope["headers"]:
            if name == b"authorization":
                scheme, _, token = value.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer" and token.strip():
                    return await user_from_token(token.strip())
        return None


def route_action(handler: BaseRouteHandler) -> Action | None:
    action = handler.opt.get("action")
    return Action(action) if action is not None else None


async def authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """The app-wide guard: apply the policy to the action the route names."""
    action = route_action(handler)
    if action is None:
        if connection.url.path.startswith(FRAMEWORK_PATH_PREFIXES):
            return
        raise NotAllowed("This page has no access rule.")
    user: CurrentUser | None = connection.scope.get("user")
    if action is not Action.PUBLIC and user is None:
        raise NotAuthorizedException()
    if user is not None and user.must_change_password and not _open_before_password_change(action, handler):
        raise PasswordChangeRequired()
    if not may(user.actor if user else None, action):
        raise NotAllowed()


# A route marked `opt={..., BEFORE_PASSWORD_CHANGE: True}` (sign-out) stays open to a user whose
# password was reset; everything else waits until he has chosen a new one.
BEFORE_PASSWORD_CHANGE = "before_password_change"
CHANGE_PASSWORD_PAGE = "/account/password"


class PasswordChangeRequired(NotAllowed):
    """The user signed in with a temporary password: pages send him to the change form, the API refuses."""

    message = "Your password was reset: sign in on the web and choose a new one first."


def _open_before_password_change(action: Action, handler: BaseRouteHandler) -> bool:
    return action in {Action.PUBLIC, Action.CHANGE_OWN_PASSWORD} or bool(handler.opt.get(BEFORE_PASSWORD_CHANGE))


def handle_password_change_required(request: Request[Any, Any, Any], error: PasswordChangeRequired) -> Response[Any]:
    if is_api(request):
        return handle_domain_error(request, error)
    return Redirect(CHANGE_PASSWORD_PAGE)


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser:
    """The signed-in user of a route whose action requires one."""
    user: CurrentUser | None = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException()
    return user
