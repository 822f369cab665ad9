"""How far an import is, told to its progress bar through Redis: the import's transaction hides its own writes.

The dry run needs none of this: it commits a chunk at a time and counts its rows in the batch.
"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError

from core.jobs import redis_connection

log = logging.getLogger(__name__)

APPLY_PROGRESS_EVERY = 100
PROGRESS_TTL_SECONDS = 24 * 3600


def progress_key(batch_id: int) -> str:
    return f"fuchi:import:{batch_id}:applied"


class ApplyProgress:
    """Tells Redis how many rows the import has written so far.

    One connection for the whole import, and a write at most every `APPLY_PROGRESS_EVERY` rows.
    """

    def __init__(self, batch_id: int) -> None:
        self.key = progress_key(batch_id)
        self.batch_id = batch_id
        self.reported = -APPLY_PROGRESS_EVERY
        self.connection: Redis | None = None

    def __call__(self, done: int, final: bool = False) -> None:
        if not final and done - self.reported < APPLY_PROGRESS_EVERY:
            return
        self.reported = done
        try:
            self.connection = self.connection or redis_connection()
            self.connection.set(self.key, done, ex=PROGRESS_TTL_SECONDS)
        except RedisError as exc:
            log.warning("import batch %s: progress not shown, no Redis (%s)", self.batch_id, type(exc).__name__)


def applied_so_far(batch_id: int) -> int:
    """The rows the import has written so far, as last told; 0 when Redis cannot say."""
    try:
        value = redis_connection().get(progress_key(batch_id))
    except RedisError:
        return 0  # the bar stands still while Redis is down; the import itself does not need it
    return int(value) if value else 0
