from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Numeric
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T06:42:51:855608"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="enterprises", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="OutcomeSnapshot",
        tablename="enterprises_outcome_snapshot",
        column_name="case_id",
        db_column_name="case_id",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="OutcomeSnapshot",
        tablename="enterprises_outcome_snapshot",
        column_name="loan_amount",
        db_column_name="loan_amount",
        column_class_name="Numeric",
        column_class=Numeric,
        params={
            "default": None,
            "digits": (14, 2),
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="OutcomeSnapshot",
        tablename="enterprises_outcome_snapshot",
        column_name="loans_obtained",
        db_column_name="loans_obtained",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="OutcomeSnapshot",
        tablename="enterprises_outcome_snapshot",
        column_name="note",
        db_column_name="note",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="OutcomeSnapshot",
        tablename="enterprises_outcome_snapshot",
        column_name="revenue_band",
        db_column_name="revenue_band",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum(
                "RevenueBand",
                {
                    "NONE": "none",
                    "UNDER_100K": "under_100k",
                    "FROM_100K_TO_500K": "100k_500k",
                    "FROM_500K_TO_1M": "500k_1m",
                    "FROM_1M_TO_5M": "1m_5m",
                    "OVER_5M": "over_5m",
                },
            ),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="OutcomeSnapshot",
        tablename="enterprises_outcome_snapshot",
        column_name="task_id",
        db_column_name="task_id",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="OutcomeSnapshot",
        tablename="enterprises_outcome_snapshot",
        column_name="source",
        db_column_name="source",
        params={
            "choices": Enum(
                "SnapshotSource",
                {
                    "INTAKE": "intake",
                    "FOLLOW_UP": "follow_up",
                    "SURVEY": "survey",
                    "IMPORT": "import",
                    "SURVEY_3M": "survey_3m",
                    "SURVEY_6M": "survey_6m",
                    "SURVEY_12M": "survey_12m",
                    "VISIT": "visit",
                    "OFFICER": "officer",
                },
            )
        },
        old_params={
            "choices": Enum(
                "SnapshotSource",
                {
                    "INTAKE": "intake",
                    "FOLLOW_UP": "follow_up",
                    "SURVEY": "survey",
                    "IMPORT": "import",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
