from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T16:51:18:530995"
VERSION = "1.38.0"
DESCRIPTION = "Flag pilot credit codes for a check against the business licence"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="enterprises", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Enterprise",
        tablename="enterprises_enterprise",
        column_name="licence_check",
        db_column_name="licence_check",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
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

    return manager
