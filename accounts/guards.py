"""Who is asking (session or bearer token) and whether the route's policy lets him.

Every route handler names an `Action` in `opt={"action": ...}`; `authorize` is applied to the
whole app, so a route that forgets to name one is refused, not opened.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from accounts.policy import Action, Actor, Role, may
from accounts.tables import ApiToken, User
from core.errors import NotAllowed

# Framework routes that carry no `opt` of ours; everything else must name an Action.
FRAMEWORK_PATH_PREFIXES = ("/schema", "/static")


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: Role
    district: str

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, role=self.role, district=self.district or None)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_USER_COLUMNS = (User.id, User.username, User.display_name, User.role, User.district)


def _current_user(row: dict[str, Any] | None) -> CurrentUser | None:
    if row is None:
        return None
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        district=row["district"],
    )


async def user_from_session(session: dict[str, Any] | None) -> CurrentUser | None:
    user_id = (session or {}).get("user_id")
    if not isinstance(user_id, int):
        return None
    row = await User.select(*_USER_COLUMNS).where((User.id == user_id) & (User.is_active == True)).first()  # noqa: E712
    return _current_user(row)


async def user_from_token(token: str) -> CurrentUser | None:
    row = (
        await ApiToken.select(
            ApiToken.user.id,
            ApiToken.user.username,
            ApiToken.user.display_name,
            ApiToken.user.role,
            ApiToken.user.district,
        )
        .where(
            (ApiToken.token_hash == token_digest(token))
            & (ApiToken.expires_at > datetime.now(UTC))
            & (ApiToken.user.is_active == True)  # noqa: E712
        )
        .first()
    )
    if row is None:
        return None
    return _current_user({key.removeprefix("user."): value for key, value in row.items()})


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
