from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T13:24:40:804730"
VERSION = "1.38.0"
DESCRIPTION = ""


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="casework", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="DistrictSetting",
        tablename="casework_district_setting",
        column_name="on_offer_lapse",
        db_column_name="on_offer_lapse",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 12,
            "default": "queue",
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

    return manager
