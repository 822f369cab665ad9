"""How many duplicate checks one user may make: each is audited, and the audit trail is the count.

A duplicate check tells whether a phone or ID number belongs to a registered founder, city-wide:
unbounded, it is an oracle of personal data. Each check is written to the audit trail (how many
matched, never what was typed) and a user who made `duplicate_checks_per_minute` of them in the
last minute is refused until the minute has passed. The count is read from the audit table, so
the limit holds with Redis down and across every worker process.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from accounts.policy import Actor
from core.audit import AuditKind, count_events, hold_the_chain, record_event
from core.config import settings
from core.db import write_transaction
from core.errors import TooManyAttempts

WINDOW = timedelta(minutes=1)
TOO_MANY_CHECKS = "Too many duplicate checks in a minute. Wait a minute and try again."
TARGET = "enterprise:duplicate-check"


class TooManyChecks(TooManyAttempts):
    """The user made his minute's duplicate checks; refused with 429."""

    message = TOO_MANY_CHECKS


async def _checks_in_last_minute(actor: Actor) -> int:
    return await count_events(AuditKind.DUPLICATE_CHECK, actor.user_id, datetime.now(UTC) - WINDOW)


async def within_quota(actor: Actor, check: Callable[[], Awaitable[list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """Run `check` for `actor` if he has checks left this minute, and audit it; else `TooManyChecks`."""
    allowed = settings.limits.duplicate_checks_per_minute
    if await _checks_in_last_minute(actor) >= allowed:  # refused before any lookup is made
        raise TooManyChecks()
    found = await check()
    async with write_transaction():
        await hold_the_chain()  # before counting: concurrent checks of one user are counted one after another
        if await _checks_in_last_minute(actor) >= allowed:
            raise TooManyChecks()  # another request of his took the last one meanwhile
        await record_event(
            AuditKind.DUPLICATE_CHECK, actor_id=actor.user_id, target=TARGET, detail={"matched": len(found)}
        )
    return found
