import os

from piccolo.conf.apps import AppConfig

from experts.tables import Expert

APP_CONFIG = AppConfig(
    app_name="experts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Expert],
    migration_dependencies=["accounts.piccolo_app"],
    commands=[],
)
