"""Tables of the enterprise registry."""

from __future__ import annotations

from piccolo.columns import (
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from accounts.tables import User
from enterprises.classification import EnterpriseStatus, LegalForm, NeedCategory, Stage, Urgency


class Founder(Table, tablename="enterprises_founder"):
    """The person who started the enterprise; a founder may own several enterprises."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    name = Varchar(length=100)
    gender = Varchar(length=10, default="")
    birth_year = Integer(null=True, default=None)
    phone = Varchar(length=20, default="", index=True, help_text="normalised: 11-digit mobile or 0AA-local")
    worked_before = Varchar(length=200, default="", help_text="where he worked before returning")
    return_year = Integer(null=True, default=None)
    registered_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Enterprise(Table, tablename="enterprises_enterprise"):
    id: Serial  # declared for type checkers; Piccolo adds the column itself
    name = Varchar(length=200, index=True)
    credit_code = Varchar(length=18, default="", index=True, help_text="统一社会信用代码, optional")
    credit_code_note = Text(default="", help_text="why a code failing its check character was accepted")
    legal_form = Varchar(length=30, choices=LegalForm, default=LegalForm.INDIVIDUAL_BUSINESS)
    district = Varchar(length=6, index=True, help_text="GB/T 2260 code")
    town = Varchar(length=100, default="")
    village = Varchar(length=100, default="")
    park = Varchar(length=200, default="", help_text="entrepreneurship park (创业园区), if any")
    industry = Varchar(length=1, default="", help_text="GB/T 4754-2017 section letter")
    main_products = Varchar(length=200, default="")
    founded_on = Date(null=True, default=None)
    employees = Integer(null=True, default=None)
    migrant_employees = Integer(null=True, default=None, help_text="returning migrant workers employed")
    annual_revenue = Numeric(digits=(14, 2), null=True, default=None, help_text="CNY")
    stage = Varchar(length=20, choices=Stage, default=Stage.SURVIVAL)
    status = Varchar(length=20, choices=EnterpriseStatus, default=EnterpriseStatus.OPERATING)
    founder = ForeignKey(references=Founder, null=True)
    registered_by = ForeignKey(references=User, null=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Need(Table, tablename="enterprises_need"):
    """What an enterprise needs help with, as a broker filed it."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    enterprise = ForeignKey(references=Enterprise, null=False, index=True)
    category = Varchar(length=20, choices=NeedCategory)
    description = Text()
    urgency = Varchar(length=10, choices=Urgency, default=Urgency.NORMAL)
    amount_sought = Numeric(digits=(14, 2), null=True, default=None, help_text="CNY, money needs only")
    filed_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
