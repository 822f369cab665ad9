"""Tables of the expert pool."""

from __future__ import annotations

from piccolo.columns import JSON, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User


class Expert(Table, tablename="experts_expert"):
    id: Serial  # declared for type checkers; Piccolo adds the column itself
    user = ForeignKey(references=User, null=True, help_text="the expert's login, if he has one")
    name = Varchar(length=100)
    organisation = Varchar(length=200, default="")
    title = Varchar(length=100, default="")
    specialties = JSON(default=[], help_text="need categories (enterprises.classification.NeedCategory)")
    districts = JSON(default=[], help_text="GB/T 2260 codes served; empty means city-wide")
    capacity = Integer(default=5, help_text="active cases he can carry at once")
    away_until = Date(null=True, default=None, help_text="unavailable until this day")
    created_at = Timestamptz(default=TimestamptzNow())
