"""Signing in with a username and password, slowed per client and per account (`accounts.throttle`)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from accounts import passwords, throttle
from accounts.identity import CurrentUser, current_user_from_row
from accounts.tables import LoginAttempt, User
from core.audit import AuditKind, record_event
from core.db import write_transaction
from core.errors import Invalid, TooManyAttempts

BAD_CREDENTIALS = "Wrong username or password."
TRY_AGAIN_IN = "Too many failed sign-ins. Try again in {seconds} seconds."
NAME_LENGTH = 64  # LoginAttempt.username, LoginAttempt.source


def _clean(text: str) -> str:
    return text.replace("\x00", "")  # PostgreSQL refuses NUL in text


def _times(rows: list[dict[str, Any]]) -> list[datetime]:
    return [row["at"] for row in rows]


async def _wait(name: str, source: str, now: datetime) -> timedelta:
    """How long an attempt on `name` from `source` must wait now, from the failures of the last window."""
    recent = LoginAttempt.at > now - throttle.WINDOW
    failed = LoginAttempt.succeeded == False  # noqa: E712
    by_source = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(recent & failed & (LoginAttempt.source == source))
        .order_by(LoginAttempt.at, ascending=False)
        .limit(throttle.ENOUGH)
    )
    on_account = (
        await LoginAttempt.select(LoginAttempt.at)
        .where(recent & failed & (LoginAttempt.username == name))
        .order_by(LoginAttempt.at, ascending=False)
        .limit(throttle.ENOUGH)
    )
    # Successes too: a client's sign-in clears its own failures on the account.
    by_source_on_account = (
        await LoginAttempt.select(LoginAttempt.at, LoginAttempt.succeeded)
        .where(recent & (LoginAttempt.username == name) & (LoginAttempt.source == source))
        .order_by(LoginAttempt.at, ascending=False)
        .limit(throttle.ENOUGH)
    )
    return throttle.retry_after(
        by_source=_times(by_source),
        by_source_on_account=throttle.failures_since_success([(r["at"], r["succeeded"]) for r in by_source_on_account]),
        on_account=_times(on_account),
        now=now,
    )


async def authenticate(username: str, password: str, source: str) -> CurrentUser:
    """The user with these credentials, signing in from the client address `source`.

    `Invalid` with one message for an unknown name and a wrong password; `TooManyAttempts` (with
    `seconds`) while this client must wait, before any password is checked. Both are audited.
    """
    name = _clean(username).strip().lower()[:NAME_LENGTH]
    source = _clean(source)[:NAME_LENGTH]
    target = f"user:{_clean(username)[:NAME_LENGTH]}"  # the name as typed: which names a sprayer tried
    now = datetime.now(UTC)
    if (wait := await _wait(name, source, now)) > throttle.ZERO:
        seconds = throttle.whole_seconds(wait)
        await record_event(
            AuditKind.SIGN_IN_THROTTLED, actor_id=None, target=target, detail={"seconds": seconds}, source=source
        )
        raise TooManyAttempts(TRY_AGAIN_IN, seconds=seconds)
    row = await User.select().where((User.username == name) & (User.is_active == True)).first()  # noqa: E712
    # Argon2 is deliberately slow: keep it off the event loop.
    ok = await asyncio.to_thread(passwords.verify_password, row["password_hash"] if row else None, password)
    if ok and row is not None:
        await LoginAttempt.insert(LoginAttempt(username=name, source=source, succeeded=True, at=now))
        return current_user_from_row(row)
    async with write_transaction():  # the failure counts and is audited, or neither
        # Stamped when the check ended: a delay runs from the answer the client saw.
        await LoginAttempt.insert(LoginAttempt(username=name, source=source, succeeded=False, at=datetime.now(UTC)))
        await record_event(AuditKind.SIGN_IN_FAILED, actor_id=None, target=target, source=source)
    raise Invalid({"password": BAD_CREDENTIALS}, BAD_CREDENTIALS)


async def forget_old_login_attempts(now: datetime) -> int:
    """Delete attempts older than the throttle's window (the audit trail keeps the failures); returns how many."""
    gone = await LoginAttempt.delete().where(LoginAttempt.at < now - throttle.WINDOW).returning(LoginAttempt.id)
    return len(gone)
