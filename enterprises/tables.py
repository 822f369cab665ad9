"""Tables of the enterprise registry."""

from __future__ import annotations

from typing import Any

from piccolo.columns import (
    JSON,
    Boolean,
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
from enterprises.classification import (
    EnterpriseStatus,
    LegalForm,
    NeedCategory,
    RevenueBand,
    SnapshotSource,
    Stage,
    Urgency,
)


class Founder(Table, tablename="enterprises_founder"):
    """The person who started the enterprise; a founder may own several enterprises."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    name = Varchar(length=100)
    gender = Varchar(length=10, default="")
    birth_year = Integer(null=True, default=None)
    # The phone like the ID number: encrypted, found by a keyed hash of the normalised number
    # (11-digit mobile or 0AA-local), its last four for search within reach, its mask for display.
    phone_cipher = Text(default="", help_text="phone, normalised then encrypted (core.crypto)")
    phone_digest = Varchar(length=64, default="", index=True, help_text="keyed hash of the normalised phone")
    phone_last4 = Varchar(length=4, default="", index=True, help_text="for search by the last four digits")
    phone_masked = Varchar(length=20, default="", help_text="as lists show it: 138****5678, 023-****1234")
    worked_before = Varchar(length=200, default="", help_text="where he worked before returning")
    return_year = Integer(null=True, default=None)
    id_number_cipher = Text(default="", help_text="national ID number, encrypted (core.crypto)")
    id_number_digest = Varchar(length=64, default="", index=True, help_text="keyed hash, to find duplicates")
    id_number_last4 = Varchar(length=4, default="", help_text="for the masked display")
    registered_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Enterprise(Table, tablename="enterprises_enterprise"):
    id: Serial  # declared for type checkers; Piccolo adds the column itself
    name = Varchar(length=200, index=True)
    credit_code = Varchar(length=18, default="", index=True, help_text="统一社会信用代码, optional")
    credit_code_note = Text(default="", help_text="a note on a code failing its check character (a pilot code)")
    licence_check = Boolean(
        default=False, index=True, help_text="核对营业执照: a pilot credit code nobody has checked against the licence"
    )
    legal_form = Varchar(length=30, choices=LegalForm, default=LegalForm.INDIVIDUAL_BUSINESS)
    district = Varchar(length=6, index=True, help_text="GB/T 2260 code")
    town = Varchar(length=100, default="")
    village = Varchar(length=100, default="")
    park = Varchar(length=200, default="", help_text="entrepreneurship park (创业园区), if any")
    industry = Varchar(length=1, default="", help_text="GB/T 4754-2017 section letter")
    industry_division = Varchar(length=2, default="", help_text="GB/T 4754-2017 division code (01–97), '' if unknown")
    main_products = Varchar(length=200, default="")
    founded_on = Date(null=True, default=None)
    employees = Integer(null=True, default=None)
    migrant_employees = Integer(null=True, default=None, help_text="returning migrant workers employed")
    annual_revenue = Numeric(digits=(14, 2), null=True, default=None, help_text="CNY")
    stage = Varchar(length=20, choices=Stage, default=Stage.SURVIVAL)
    status = Varchar(length=20, choices=EnterpriseStatus, default=EnterpriseStatus.OPERATING)
    founder = ForeignKey(references=Founder, null=True)
    registered_by = ForeignKey(references=User, null=True, index=True)
    merged_into: ForeignKey[Any] = ForeignKey(
        references="self", null=True, help_text="set when merged into another record; hidden from lists"
    )
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    version = Integer(default=1, help_text="moves on with every change; an edit names the version it read")


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


class OutcomeSnapshot(Table, tablename="enterprises_outcome_snapshot"):
    """A dated measurement of how the enterprise is doing: at intake, or from a survey or visit task.

    `case_id` and `task_id` name casework rows as plain numbers: the registry never imports casework.
    """

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    enterprise = ForeignKey(references=Enterprise, null=False, index=True)
    measured_on = Date()
    employees = Integer(null=True, default=None)
    migrant_employees = Integer(null=True, default=None, help_text="returning migrant workers employed")
    annual_revenue = Numeric(digits=(14, 2), null=True, default=None, help_text="CNY, when known exactly")
    revenue_band = Varchar(
        length=20, choices=RevenueBand, null=True, default=None, help_text="annual revenue as a survey asks it"
    )
    status = Varchar(length=20, choices=EnterpriseStatus, default=EnterpriseStatus.OPERATING)
    loans_obtained = Boolean(null=True, default=None, help_text="whether it obtained loans; None: not asked")
    loan_amount = Numeric(digits=(14, 2), null=True, default=None, help_text="CNY")
    note = Text(default="")
    source = Varchar(length=20, choices=SnapshotSource, default=SnapshotSource.INTAKE)
    case_id = Integer(null=True, default=None, index=True, help_text="the casework_case it was recorded for")
    task_id = Integer(null=True, default=None, index=True, help_text="the casework_task whose completion wrote it")
    recorded_by = ForeignKey(references=User, null=True)
    created_at = Timestamptz(default=TimestamptzNow(), help_text="when it was recorded")


class EnterpriseChange(Table, tablename="enterprises_change"):
    """One change to an enterprise or its founder: who, when and what (personal data never in clear)."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    enterprise = ForeignKey(references=Enterprise, null=False, index=True)
    actor = ForeignKey(references=User, null=True)
    kind = Varchar(length=20, help_text="registered, updated, merged, imported")
    changes = JSON(default={}, help_text="field -> [before, after]; personal data masked")
    version = Integer(null=True, default=None, help_text="the enterprise's version this change made")
    created_at = Timestamptz(default=TimestamptzNow())


class PersonalDataAccess(Table, tablename="enterprises_personal_data_access"):
    """A reveal of a founder's full ID number or phone: written before the value is returned."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    founder = ForeignKey(references=Founder, null=False, index=True)
    actor = ForeignKey(references=User, null=False)
    fields = Varchar(length=50, help_text="which values were revealed")
    reason = Text()
    created_at = Timestamptz(default=TimestamptzNow())


class EnterpriseMerge(Table, tablename="enterprises_merge"):
    """A merge of a duplicate record into a survivor, kept so it can be read later."""

    id: Serial  # declared for type checkers; Piccolo adds the column itself

    survivor = ForeignKey(references=Enterprise, null=False, index=True)
    merged = ForeignKey(references=Enterprise, null=False)
    actor = ForeignKey(references=User, null=True)
    reason = Text(default="")
    snapshot = JSON(default={}, help_text="the merged record as it was, and what moved")
    created_at = Timestamptz(default=TimestamptzNow())
