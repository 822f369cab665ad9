"""Who is asking (session or bearer token) and whether the route's policy lets him.

Every route handler names an `Action` in `opt={"action": ...}`; `authorize` is applied to the
whole app, so a route that forgets to name one is refused, not opened.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts.identity import CurrentUser, user_from_session, user_from_token
from accounts.policy import Action, may
from core.errors import NotAllowed

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
    if not may(user.actor if user else None, action):
        raise NotAllowed()


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> CurrentUser:
    """The signed-in user of a route whose action requires one."""
    user: CurrentUser | None = connection.scope.get("user")
    if user is None:
        raise NotAuthorizedException()
    return user
