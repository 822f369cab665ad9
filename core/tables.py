"""Tables of the glue: server-side sessions and the outbox of background jobs."""

from __future__ import annotations

from piccolo.columns import JSON, Bytea, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Session(Table, tablename="core_session"):
    """Server-side session data, kept in the database so pages work while Redis is down."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    key = Varchar(length=128, unique=True, index=True)
    data = Bytea()
    expires_at = Timestamptz(null=True, default=None, index=True)


class OutboxJob(Table, tablename="core_outbox_job"):
    """A background job the database promises to run.

    Written in the same transaction as the change that implies it; RQ is only the engine, so a
    lost Redis or a killed worker loses nothing: the sweep queues again whatever is not done.
    """

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    job_id = Varchar(length=200, unique=True, help_text="RQ job id; deterministic, so work is queued once")
    func = Varchar(length=200, help_text="dotted path of the job function")
    args = JSON(default=[], help_text="ids and primitives only, never personal data")
    kind = Varchar(length=10, default="light", help_text="light or heavy: the queue it runs on (core.jobs.JobKind)")
    timeout_seconds = Integer(default=300, help_text="how long one run may take before RQ stops it")
    created_at = Timestamptz(default=TimestamptzNow())
    enqueued_at = Timestamptz(null=True, default=None)
    enqueue_count = Integer(default=0)
    done_at = Timestamptz(null=True, default=None, index=True)
