"""Who a request is from: the signed-in user, found by session or by API token; no web framework here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
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

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.id, role=self.role, district=self.district or None)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_USER_COLUMNS = (User.id, User.username, User.display_name, User.role, User.district)
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
    )


async def user_from_session(session: dict[str, Any] | None) -> CurrentUser | None:
    user_id = (session or {}).get("user_id")
    if not isinstance(user_id, int):
        return None
    # The header's unread count rides along as a subquery (index-only on the partial index of
    # unread notifications): every page pays one statement for who is asking, not two.
    row = (
        await User.select(*_USER_COLUMNS, _UNREAD)
        .where((User.id == user_id) & (User.is_active == True))  # noqa: E712
        .first()
    )
    if row is None:
        return None
    return replace(current_user_from_row(row), unread=row["unread"])


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
    return current_user_from_row({key.removeprefix("user."): value for key, value in row.items()})
