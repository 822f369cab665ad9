import os

from piccolo.conf.apps import AppConfig

from experts.tables import Expert, ExpertConflict

APP_CONFIG = AppConfig(
    app_name="experts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Expert, ExpertConflict],
    migration_dependencies=["accounts.piccolo_app", "enterprises.piccolo_app"],
    commands=[],
)
