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


class AuditEvent(Table, tablename="core_audit_event"):
    """A security event (failed sign-in, refusal, reveal, account change, export …), append-only.

    Each row carries the hash of the one before it (`core.audit`), so an edited or removed row
    shows when the chain is verified (`fuchi audit verify`). No code updates or deletes a row.
    """

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    at = Timestamptz(default=TimestamptzNow(), index=True)
    kind = Varchar(length=40, index=True, help_text="core.audit.AuditKind")
    # core knows no users table: a plain id, so an event outlives the account it names.
    actor_id = Integer(null=True, default=None, index=True, help_text="the user who acted, if any")
    target = Varchar(length=500, default="", help_text="what was acted on: user:12, enterprise:5, a path")
    detail = JSON(default={}, help_text="small facts about the event, never personal data")
    source = Varchar(length=100, default="", help_text="the client's address")
    prev_hash = Varchar(length=64, default="", help_text="hash of the previous event; empty for the first")
    hash = Varchar(length=64, default="", help_text="sha256 of prev_hash and this row's fields")
