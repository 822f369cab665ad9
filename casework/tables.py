"""Tables of casework: cases and their needs, assignments, the 一企一策 plan, attachments, broker
tasks, founders' confirmations, and the append-only event log that is the timeline."""

from __future__ import annotations

from typing import Any

from piccolo.columns import JSON, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from casework.workflow import CaseState, Priority
from enterprises.tables import Enterprise, Need
from experts.tables import Expert


class Case(Table, tablename="casework_case"):
    id: Serial  # declared for type checkers; Piccolo adds the column itself
    enterprise = ForeignKey(references=Enterprise, null=False, index=True)
    filed_by = ForeignKey(references=User, null=True, index=True)
    district = Varchar(length=6, index=True, help_text="the enterprise's district when filed")
    priority = Varchar(length=10, choices=Priority, default=Priority.NORMAL)
    state = Varchar(length=20, choices=CaseState, default=CaseState.DRAFT, index=True)
    version = Integer(default=1, help_text="optimistic lock: every write checks and bumps it")
    held_from = Varchar(length=20, default="", help_text="the state an on-hold case resumes to")
    resume_on = Date(null=True, default=None, help_text="when an on-hold case is expected to resume")
    open_question = Text(default="", help_text="the officer's question while the case is back with the broker")
    outcome = Varchar(length=20, default="", help_text="casework.workflow.Outcome, once closed")
    merged_into: ForeignKey[Any] = ForeignKey(references="self", null=True, help_text="the surviving duplicate")
    diagnosis = Text(default="", help_text="the lead expert's diagnosis (the plan's first part)")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    updated_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)


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
    kind = Varchar(length=30, help_text="filed, a workflow Transition, or a timeline kind (note, attachment …)")
    from_state = Varchar(length=20, default="")
    to_state = Varchar(length=20, default="")
    note = Text(default="")
    data = JSON(default={}, help_text="what the event refers to: ids, version numbers, an outcome; no personal data")
    created_at = Timestamptz(default=TimestamptzNow())


class Assignment(Table, tablename="casework_assignment"):
    """An expert offered a case, as lead or supporting; at most one accepted lead per case."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    case = ForeignKey(references=Case, null=False, index=True)
    expert = ForeignKey(references=Expert, null=False, index=True)
    expert_user = ForeignKey(references=User, null=True, index=True, help_text="the expert's login, for reach")
    role = Varchar(length=12, default="lead", help_text="lead or supporting")
    status = Varchar(
        length=12, default="offered", index=True, help_text="offered, accepted, declined, lapsed, withdrawn or released"
    )
    reason = Text(default="", help_text="why declined or released")
    offered_by = ForeignKey(references=User, null=True)
    offered_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)


class PlanVersion(Table, tablename="casework_plan_version"):
    """One submission of the 一企一策 plan: the diagnosis, problems and measures as submitted."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    case = ForeignKey(references=Case, null=False, index=True)
    number = Integer(help_text="1, 2, … per case")
    status = Varchar(length=12, default="submitted", help_text="submitted, returned, approved")
    content = JSON(default={}, help_text="diagnosis, problems and measures as submitted")
    submitted_by = ForeignKey(references=User, null=True)
    submitted_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(references=User, null=True)
    decided_at = Timestamptz(null=True, default=None)
    comments = Text(default="", help_text="the officer's comments when returned or approved")


class Problem(Table, tablename="casework_problem"):
    """A problem the diagnosis found; closed out (销号) only with the enterprise's confirmation."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    case = ForeignKey(references=Case, null=False, index=True)
    position = Integer(default=0)
    title = Varchar(length=200)
    description = Text(default="")
    closed_out_at = Timestamptz(null=True, default=None)
    closed_out_by = ForeignKey(references=User, null=True)
    confirmation = Integer(null=True, default=None, help_text="the casework_confirmation row that confirmed it")
    created_at = Timestamptz(default=TimestamptzNow())


class Measure(Table, tablename="casework_measure"):
    """What will be done about a problem, by whom and by when."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    problem = ForeignKey(references=Problem, null=False, index=True)
    case = ForeignKey(references=Case, null=False, index=True)
    position = Integer(default=0)
    description = Text()
    owner = Varchar(length=12, help_text="expert, broker, bureau, agency, enterprise")
    owner_name = Varchar(length=200, default="", help_text="the agency named in text, or a person")
    due_on = Date()
    status = Varchar(length=10, default="todo", help_text="todo, doing, done, dropped")
    drop_reason = Text(default="")
    evidence_note = Text(default="")
    evidence = Integer(null=True, default=None, help_text="a casework_attachment row")
    updated_at = Timestamptz(default=TimestamptzNow())


class Attachment(Table, tablename="casework_attachment"):
    """A file kept for a case, stored outside the web root under a random name."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    case = ForeignKey(references=Case, null=False, index=True)
    uploaded_by = ForeignKey(references=User, null=True)
    stored_name = Varchar(length=64, unique=True, help_text="random; the file's name on disk")
    original_name = Varchar(length=200, default="")
    content_type = Varchar(
        length=40, help_text="from the content, not the name: image/jpeg, image/png, application/pdf"
    )
    size = Integer()
    purpose = Varchar(length=20, default="document", help_text="document, photo, evidence, signature")
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class Confirmation(Table, tablename="casework_confirmation"):
    """The founder's confirmation at a visit: a one-time code sent to his phone, or a drawn signature."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    case = ForeignKey(references=Case, null=False, index=True)
    requested_by = ForeignKey(references=User, null=True)
    method = Varchar(length=10, help_text="code or signature")
    code_digest = Varchar(length=64, default="", help_text="keyed hash of the code; never the code")
    expires_at = Timestamptz(null=True, default=None)
    tries = Integer(default=0)
    confirmed_at = Timestamptz(null=True, default=None)
    signature = Integer(null=True, default=None, help_text="the casework_attachment holding the drawn signature")
    purpose = JSON(default={}, help_text="what it confirms: problem ids, a task id")
    created_at = Timestamptz(default=TimestamptzNow())


class TextMessage(Table, tablename="casework_text_message"):
    """A text message to a founder's phone (a confirmation code): the outbox and the record of what was sent.

    The phone and the text are encrypted (core.crypto): the text carries a one-time code.
    """

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    case = ForeignKey(references=Case, null=False, index=True)
    confirmation = ForeignKey(references=Confirmation, null=True, index=True)
    phone_cipher = Text(help_text="the founder's phone, encrypted")
    body_cipher = Text(help_text="the text, encrypted: it holds the code")
    status = Varchar(length=10, default="queued", help_text="queued, sending, sent, expired")
    gateway = Varchar(length=30, default="", help_text="the gateway that took it (casework.confirmations.gateway)")
    gateway_ref = Varchar(length=100, default="", help_text="the gateway's reference for it")
    attempts = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


class Task(Table, tablename="casework_task"):
    """Bureau work dispatched to a broker: a visit, a survey, a document to collect."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    district = Varchar(length=6, index=True)
    case = ForeignKey(references=Case, null=True, index=True)
    enterprise = ForeignKey(references=Enterprise, null=False, index=True)
    broker = ForeignKey(references=User, null=False, index=True)
    kind = Varchar(length=20, help_text="visit, survey, collect_document")
    instructions = Text(default="")
    due_on = Date(index=True)
    status = Varchar(length=10, default="open", index=True, help_text="open, done, cancelled")
    record = Text(default="", help_text="what the broker recorded on completing it")
    attachment = Integer(null=True, default=None, help_text="a casework_attachment row, if the task asked for one")
    confirmation = Integer(null=True, default=None, help_text="a casework_confirmation row, for a visit")
    created_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    done_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class FollowUp(Table, tablename="casework_follow_up"):
    """Something that falls due for a case: a deadline, a reminder, a visit, a survey, a task's due date.

    The database is the truth of what is due (`casework.followups`); RQ only runs it on time.
    `version` changes whenever the row is rescheduled, claimed or closed: a job carries the version
    it was queued for, so a job queued before a change finds nothing to do.
    """

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    case = ForeignKey(references=Case, null=False, index=True)
    district = Varchar(length=6, index=True)
    kind = Varchar(length=20, help_text="casework.followups.rules.FollowUpKind")
    key = Varchar(length=80, unique=True, help_text="what it follows, so the same follow-up is never opened twice")
    follows = Integer(null=True, default=None, index=True, help_text="the assignment, measure or task it follows")
    assignee = ForeignKey(references=User, null=True, help_text="the first person told when it falls due")
    state = Varchar(length=12, default="pending", index=True, help_text="pending, paused, done, escalated, cancelled")
    due_at = Timestamptz(index=True)
    step = Integer(default=0, help_text="how many times it has acted: its rung on the escalation ladder")
    version = Integer(default=1)
    data = JSON(default={}, help_text="months of a survey, the task it opened; no personal data")
    paused_at = Timestamptz(null=True, default=None)
    acted_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class DistrictSetting(Table, tablename="casework_district_setting"):
    """A district's follow-up settings; a district without a row uses `casework.followups.rules.DEFAULTS`."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    district = Varchar(length=6, unique=True)
    offer_working_days = Integer(default=3)
    offer_minutes = Integer(null=True, default=None, help_text="a short offer deadline in minutes (demo, training)")
    triage_working_days = Integer(default=2)
    plan_review_working_days = Integer(default=3)
    escalate_after_working_days = Integer(default=1)
    measure_remind_working_days = Integer(default=1)
    visit_every_days = Integer(default=30)
    task_working_days = Integer(default=5, help_text="the time a broker has for a visit or survey task")
    on_offer_lapse = Varchar(
        length=12, default="queue", help_text="next: offer to the next ranked expert; queue: back to the officers"
    )
    updated_by = ForeignKey(references=User, null=True)
    updated_at = Timestamptz(default=TimestamptzNow())
