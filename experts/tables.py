"""Tables of the expert pool: the experts and the conflicts of interest they declare."""

from __future__ import annotations

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from enterprises.tables import Enterprise, Founder


class Expert(Table, tablename="experts_expert"):
    id: Serial  # declared for type checkers; Piccolo adds the column itself
    user = ForeignKey(references=User, null=True, help_text="the expert's login, if he has one")
    name = Varchar(length=100)
    organisation = Varchar(length=200, default="")
    title = Varchar(length=100, default="")
    specialties = JSON(default=[], help_text="need categories he leads on (enterprises.classification.NeedCategory)")
    supporting_specialties = JSON(default=[], help_text="need categories he can support, not lead")
    industries = JSON(default=[], help_text="GB/T 4754 section letters he knows")
    districts = JSON(default=[], help_text="GB/T 2260 codes served; empty means city-wide")
    capacity = Integer(default=5, help_text="active cases he can carry at once")
    available = Boolean(default=True, help_text="False: not taking cases until further notice")
    away_until = Date(null=True, default=None, help_text="unavailable until this day")
    bio = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ExpertConflict(Table, tablename="experts_conflict"):
    """A declared conflict of interest: an enterprise or a founder the expert must not advise."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    expert = ForeignKey(references=Expert, null=False, index=True)
    enterprise = ForeignKey(references=Enterprise, null=True, index=True)
    founder = ForeignKey(references=Founder, null=True, index=True, help_text="all his enterprises")
    kind = Varchar(length=12, help_text="kin, equity or consulting (experts.matching.ConflictKind)")
    note = Text(default="")
    declared_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
