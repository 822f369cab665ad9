"""Server-side sessions kept in the database, with the session id rotated at login."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import Store
from litestar.types import Empty, Message, ScopeSession

from core.tables import Session

SESSION_COOKIE = "fuchi_session"
SESSION_MAX_AGE = int(timedelta(hours=8).total_seconds())
_ROTATED_ID = "fuchi.rotated_session_id"
_REPLACED_ID = "fuchi.replaced_session_id"
_LOADED = "fuchi.loaded_session"


class DatabaseSessionStore(Store):
    """A Litestar store on the `core_session` table."""

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        expires_at = _expiry(expires_in)
        await Session.insert(Session(key=key, data=data, expires_at=expires_at)).on_conflict(
            target=Session.key, action="DO UPDATE", values=[Session.data, Session.expires_at]
        )

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        row = await Session.select(Session.data, Session.expires_at).where(Session.key == key).first()
        if row is None:
            return None
        if row["expires_at"] is not None and row["expires_at"] <= datetime.now(UTC):
            await self.delete(key)
            return None
        # Extending the expiry is a write; do it only once half the lifetime has passed, not on every page.
        if renew_for is not None and row["expires_at"] is not None:
            seconds = renew_for.total_seconds() if isinstance(renew_for, timedelta) else renew_for
            if row["expires_at"] - datetime.now(UTC) < timedelta(seconds=seconds / 2):
                await Session.update({Session.expires_at: _expiry(renew_for)}).where(Session.key == key)
        return bytes(row["data"])

    async def delete(self, key: str) -> None:
        await Session.delete().where(Session.key == key)

    async def delete_all(self) -> None:
        await Session.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await Session.select(Session.expires_at).where(Session.key == key).first()
        if row is None or row["expires_at"] is None:
            return None
        return int((row["expires_at"] - datetime.now(UTC)).total_seconds())


def _expiry(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def delete_expired_sessions(now: datetime) -> int:
    """Remove sessions past their expiry; returns how many."""
    gone = await Session.delete().where(Session.expires_at < now).returning(Session.id)
    return len(gone)


def rotate_session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Give the session a fresh id when the response is sent, and drop the old one.

    Called at login, so that an id planted before login (session fixation) is worthless after it.
    """
    connection.scope[_REPLACED_ID] = connection.cookies.get(SESSION_COOKIE)  # type: ignore[literal-required]
    connection.scope[_ROTATED_ID] = secrets.token_hex(32)  # type: ignore[literal-required]


class RotatingSessionBackend(ServerSideSessionBackend):
    """Rotates the id at login, and writes the session only when its content changed."""

    async def load_from_connection(self, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.scope[_LOADED] = dict(data)  # type: ignore[literal-required]
        return data

    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        rotated: str | None = connection.scope.get(_ROTATED_ID)  # type: ignore[assignment]
        return rotated or super().get_session_id(connection)

    async def store_in_message(
        self, scope_session: ScopeSession, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        unchanged = (
            scope_session
            and connection.scope.get(_ROTATED_ID) is None
            and scope_session == connection.scope.get(_LOADED)
            and connection.cookies.get(self.config.key)
        )
        if unchanged:
            return  # the stored session and the browser's cookie are already right
        if (
            scope_session is Empty or not scope_session
        ):  # signed out, or an anonymous visitor: keep no row, leave no cookie
            await self._forget(message, connection)
            return
        await super().store_in_message(scope_session, message, connection)
        replaced: str | None = connection.scope.get(_REPLACED_ID)  # type: ignore[assignment]
        if replaced and message["type"] == "http.response.start":
            await self.delete(replaced, store=self.config.get_store_from_app(connection.scope["app"]))

    async def _forget(self, message: Message, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        """Delete the stored session and expire the browser's cookie, if it has one.

        Litestar would store an empty session under a fresh id for every anonymous page (a row per
        `GET /login`), and expire a sign-out cookie by `expires` alone, keeping its Max-Age.
        """
        session_id = connection.cookies.get(self.config.key)
        if not session_id:
            return
        await self.delete(session_id, store=self.config.get_store_from_app(connection.scope["app"]))
        gone = Cookie(
            key=self.config.key,
            value="",
            path=self.config.path,
            max_age=0,
            expires=0,
            secure=self.config.secure,
            httponly=self.config.httponly,
            samesite=self.config.samesite,
        )
        MutableScopeHeaders.from_message(message).add("Set-Cookie", gone.to_header(header=""))


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def session_config(secure_cookie: bool) -> RotatingSessionConfig:
    return RotatingSessionConfig(
        key=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        store="sessions",
        httponly=True,
        secure=secure_cookie,
        samesite="lax",
        renew_on_access=False,  # an 8-hour working day from sign-in, then sign in again
        exclude=["/static", "/health", "/api/", "/schema"],
    )
