"""Tables of accounts: users, API tokens, login attempts and the in-app inbox."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.policy import Role


class User(Table, tablename="accounts_user"):
    id: Serial  # declared for type checkers; Piccolo adds the column itself
    username = Varchar(length=64, unique=True, index=True)
    display_name = Varchar(length=100)
    password_hash = Varchar(length=200)
    role = Varchar(length=20, choices=Role)
    district = Varchar(length=6, default="", help_text="GB/T 2260 code; brokers and district officers only")
    town = Varchar(length=100, default="", help_text="broker's town or township")
    certificate_no = Varchar(length=50, default="", help_text="broker's certificate number")
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    email = Varchar(length=254, default="", help_text="where notifications are e-mailed; set by the user himself")
    email_on = Boolean(default=False, help_text="whether notifications are e-mailed to `email`")
    email_locale = Varchar(length=5, default="", help_text="language of his e-mails; empty: the default (Chinese)")
    session_generation = Integer(
        default=0, help_text="kept in each page session at sign-in; bumped to end them all (disable, password, role)"
    )
    must_change_password = Boolean(default=False, help_text="his password was reset: he must choose a new one")


class ApiToken(Table, tablename="accounts_api_token"):
    """A bearer token for API clients; only its SHA-256 is stored."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    user = ForeignKey(references=User, null=False)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    name = Varchar(length=100, default="API", help_text="the owner's name for it, e.g. the script that uses it")
    last_used_at = Timestamptz(null=True, default=None, help_text="updated at most once a minute")


class LoginAttempt(Table, tablename="accounts_login_attempt"):
    id: Serial  # declared for type checkers; Piccolo adds the column itself
    username = Varchar(length=64, index=True, help_text="as typed, lower-cased")
    source = Varchar(length=64, index=True, help_text="the client's address (core.client.client_address)")
    succeeded = Boolean(default=False)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class Notification(Table, tablename="accounts_notification"):
    """A message in a user's in-app inbox."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    user = ForeignKey(references=User, null=False, index=True)
    kind = Varchar(length=50)
    subject = Varchar(length=200)
    body = Text(default="")
    link = Varchar(length=200, default="", help_text="the page the message is about, e.g. /cases/12")
    dedupe_key = Varchar(length=200, unique=True, help_text="one notification per event, however often its job runs")
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
