"""Who a request is from: the signed-in user, found by session or by API token; no web framework here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.query.methods.select import SelectRaw

from accounts.policy import Actor, Role
from accounts.tables import ApiToken, Notification, User


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: Role
    district: str
    unread: int = 0  # messages in his inbox not yet read; counted for pages only (the header shows it)
    session_generation: int = 0  # stored in his page session at sign-in; a bump ends every older session
    must_change_password: bool = False  # his password was reset: nothing but the change form until changed
    token_id: int | None = None  # the API token this request came with (sign-out through the API revokes it)

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, role=self.role, district=self.district or None)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_USER_COLUMNS = (
    User.id,
    User.username,
    User.display_name,
    User.role,
    User.district,
    User.session_generation,
    User.must_change_password,
)
# A token's use is written at most once a minute: enough to tell a live token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)
SESSION_USER = "user_id"
SESSION_GENERATION = "generation"
_UNREAD = SelectRaw(
    f"(SELECT count(*) FROM {Notification._meta.tablename} n"
    f' WHERE n."user" = {User._meta.tablename}.id AND n.read_at IS NULL) AS unread'
)


def current_user_from_row(row: dict[str, Any]) -> CurrentUser:
    """The user of a `User` row with at least its id, username, display name, role and district."""
    return CurrentUser(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        district=row["district"],
        session_generation=row.get("session_generation") or 0,
        must_change_password=bool(row.get("must_change_password")),
    )


def session_of(user: CurrentUser) -> dict[str, Any]:
    """What a page session holds of its user: his id and the generation of sessions it belongs to."""
    return {SESSION_USER: user.id, SESSION_GENERATION: user.session_generation}


async def user_from_session(session: dict[str, Any] | None) -> CurrentUser | None:
    user_id = (session or {}).get(SESSION_USER)
    generation = (session or {}).get(SESSION_GENERATION, 0)  # sessions signed in before generations: 0
    if not isinstance(user_id, int) or not isinstance(generation, int):
        return None
    # The header's unread count rides along as a subquery (index-only on the partial index of
    # unread notifications), and the generation is compared in the same WHERE: every page pays one
    # statement for who is asking, and a disabled user or a bumped generation ends the session.
    row = (
        await User.select(*_USER_COLUMNS, _UNREAD)
        .where(
            (User.id == user_id)
            & (User.is_active == True)  # noqa: E712
            & (User.session_generation == generation)
        )
        .first()
    )
    if row is None:
        return None
    return replace(current_user_from_row(row), unread=row["unread"])


async def user_from_token(token: str) -> CurrentUser | None:
    now = datetime.now(UTC)
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.last_used_at,
            ApiToken.user.id,
            ApiToken.user.username,
            ApiToken.user.display_name,
            ApiToken.user.role,
            ApiToken.user.district,
            ApiToken.user.must_change_password,
        )
        .where(
            (ApiToken.token_hash == token_digest(token))
            & (ApiToken.expires_at > now)
            & (ApiToken.user.is_active == True)  # noqa: E712
        )
        .first()
    )
    if row is None:
        return None
    last_used = row["last_used_at"]
    if last_used is None or now - last_used >= LAST_USED_PRECISION:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    user = current_user_from_row({key.removeprefix("user."): value for key, value in row.items() if "." in key})
    return replace(user, token_id=row["id"])
