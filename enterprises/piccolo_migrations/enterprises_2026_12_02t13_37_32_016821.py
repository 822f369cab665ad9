from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T13:37:32:016821"
VERSION = "1.38.0"
DESCRIPTION = "Import batches name the kind of their rows (enterprises, experts)"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="enterprises", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ImportBatch",
        tablename="enterprises_import_batch",
        column_name="kind",
        db_column_name="kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "enterprises",
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
