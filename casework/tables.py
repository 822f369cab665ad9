"""Tables of casework: cases, the needs they cover, and the append-only event log."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from casework.workflow import CaseState, Priority
from enterprises.tables import Enterprise, Need


class Case(Table, tablename="casework_case"):
    id: Serial  # declared for type checkers; Piccolo adds the column itself
    enterprise = ForeignKey(references=Enterprise, null=False, index=True)
    filed_by = ForeignKey(references=User, null=True, index=True)
    district = Varchar(length=6, index=True, help_text="the enterprise's district when filed")
    priority = Varchar(length=10, choices=Priority, default=Priority.NORMAL)
    state = Varchar(length=20, choices=CaseState, default=CaseState.DRAFT, index=True)
    version = Integer(default=1, help_text="optimistic lock: every write checks and bumps it")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class CaseNeed(Table, tablename="casework_case_need"):
    """A need that a case covers."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    case = ForeignKey(references=Case, null=False, index=True)
    need = ForeignKey(references=Need, null=False, unique=True)


class CaseEvent(Table, tablename="casework_case_event"):
    """One entry of a case's timeline and audit trail; rows are only ever added."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    case = ForeignKey(references=Case, null=False, index=True)
    actor = ForeignKey(references=User, null=True)
    kind = Varchar(length=30, help_text="filed, or a workflow Transition")
    from_state = Varchar(length=20, default="")
    to_state = Varchar(length=20, default="")
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
