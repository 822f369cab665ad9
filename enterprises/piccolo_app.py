import os

from piccolo.conf.apps import AppConfig

from enterprises.exports.tables import ExportFile
from enterprises.imports.tables import ImportBatch, ImportRow
from enterprises.tables import (
    Enterprise,
    EnterpriseChange,
    EnterpriseMerge,
    Founder,
    Need,
    OutcomeSnapshot,
    PersonalDataAccess,
)

APP_CONFIG = AppConfig(
    app_name="enterprises",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Founder,
        Enterprise,
        Need,
        OutcomeSnapshot,
        EnterpriseChange,
        PersonalDataAccess,
        EnterpriseMerge,
        ImportBatch,
        ImportRow,
        ExportFile,
    ],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
