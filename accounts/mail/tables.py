"""The e-mail copies of inbox messages: one per notification, with its sending state."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.mail.rules import MailStatus
from accounts.tables import Notification, User


class MailMessage(Table, tablename="accounts_mail_message"):
    """One e-mail, rendered when promised; sent by `accounts.mail.jobs.send_mail`."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    notification = ForeignKey(references=Notification, null=False, unique=True, help_text="one mail per message")
    user = ForeignKey(references=User, null=False, index=True)
    to_address = Varchar(length=254)
    subject = Varchar(length=300)
    body = Text(default="")
    language = Varchar(length=5)
    status = Varchar(length=10, choices=MailStatus, default=MailStatus.QUEUED, index=True)
    attempts = Integer(default=0, help_text="tries since it was last queued")
    resends = Integer(default=0, help_text="times an administrator queued it again; names its next job")
    last_error = Varchar(length=200, default="", help_text="the SMTP error's kind and code, never its text")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
