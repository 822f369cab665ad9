import os

from piccolo.conf.apps import AppConfig

from casework.tables import Case, CaseEvent, CaseNeed

APP_CONFIG = AppConfig(
    app_name="casework",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[Case, CaseNeed, CaseEvent],
    migration_dependencies=["enterprises.piccolo_app", "accounts.piccolo_app"],
    commands=[],
)
