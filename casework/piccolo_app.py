import os

from piccolo.conf.apps import AppConfig

from casework.tables import (
    Assignment,
    Attachment,
    Case,
    CaseEvent,
    CaseNeed,
    Confirmation,
    DistrictSetting,
    FollowUp,
    Measure,
    PlanVersion,
    Problem,
    Task,
    TextMessage,
)

APP_CONFIG = AppConfig(
    app_name="casework",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[
        Case,
        CaseNeed,
        CaseEvent,
        Assignment,
        PlanVersion,
        Problem,
        Measure,
        Attachment,
        Confirmation,
        Task,
        TextMessage,
        FollowUp,
        DistrictSetting,
    ],
    migration_dependencies=["enterprises.piccolo_app", "accounts.piccolo_app", "experts.piccolo_app"],
    commands=[],
)
