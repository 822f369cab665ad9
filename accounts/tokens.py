"""API tokens: issuing, listing and revoking them (by their owner, by sign-out, by an account manager)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from accounts.identity import CurrentUser, token_digest
from accounts.tables import ApiToken
from core.audit import AuditKind, record_event
from core.errors import NotFound

# A week: a script runs for a week on one token; a lost one is useless after that (and revocable before).
TOKEN_LIFETIME = timedelta(days=7)
DEFAULT_NAME = "API"
NAME_LENGTH = 100

_LISTED = (ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.expires_at, ApiToken.last_used_at)


@dataclass(frozen=True)
class IssuedToken:
    id: int
    token: str
    name: str
    expires_at: datetime


def token_name(name: str | None) -> str:
    """The name a token is stored under: trimmed, NUL-free (PostgreSQL refuses NUL), never empty."""
    cleaned = (name or "").replace("\x00", "").strip()[:NAME_LENGTH]
    return cleaned or DEFAULT_NAME


async def issue_token(user: CurrentUser, name: str | None = None) -> IssuedToken:
    token = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + TOKEN_LIFETIME
    stored = token_name(name)
    rows = await ApiToken.insert(
        ApiToken(user=user.id, token_hash=token_digest(token), expires_at=expires_at, name=stored)
    ).returning(ApiToken.id)
    return IssuedToken(id=rows[0]["id"], token=token, name=stored, expires_at=expires_at)


async def list_tokens(user_id: int, page: int = 1, per_page: int = 100) -> tuple[list[dict[str, Any]], int]:
    """A page of the user's live tokens, newest first (expired ones are as good as gone)."""
    where = (ApiToken.user == user_id) & (ApiToken.expires_at > datetime.now(UTC))
    rows = await (
        ApiToken.select(*_LISTED)
        .where(where)
        .order_by(ApiToken.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return rows, await ApiToken.count().where(where)


async def revoke_own_token(user: CurrentUser, token_id: int, source: str = "") -> None:
    """The owner revokes one of his tokens; another's token is `NotFound`, as if it did not exist."""
    gone = await ApiToken.delete().where((ApiToken.id == token_id) & (ApiToken.user == user.id)).returning(ApiToken.id)
    if not gone:
        raise NotFound()
    await record_event(
        AuditKind.TOKEN_REVOKED,
        actor_id=user.id,
        target=f"user:{user.id}",
        detail={"token": token_id, "by": "owner"},
        source=source,
    )


async def revoke_token_used(user: CurrentUser, source: str = "") -> None:
    """Sign-out through the API: the token of this request stops working."""
    if user.token_id is None:
        return
    await ApiToken.delete().where(ApiToken.id == user.token_id)
    await record_event(
        AuditKind.TOKEN_REVOKED,
        actor_id=user.id,
        target=f"user:{user.id}",
        detail={"token": user.token_id, "by": "sign-out"},
        source=source,
    )


async def revoke_all_tokens(user_id: int) -> int:
    """End every token of a user (his account changed); returns how many there were. The caller audits."""
    gone = await ApiToken.delete().where(ApiToken.user == user_id).returning(ApiToken.id)
    return len(gone)
