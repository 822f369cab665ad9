import os

from piccolo.conf.apps import AppConfig

from accounts.mail.tables import MailMessage
from accounts.tables import ApiToken, LoginAttempt, Notification, User

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=os.path.join(os.path.dirname(__file__), "piccolo_migrations"),
    table_classes=[User, ApiToken, LoginAttempt, Notification, MailMessage],
    migration_dependencies=["core.piccolo_app"],
    commands=[],
)
