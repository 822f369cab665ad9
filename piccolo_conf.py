"""Piccolo's configuration: the engine for DATABASE_URL and one Piccolo app per package."""

from piccolo.conf.apps import AppRegistry

from core.config import settings
from core.db import make_engine

DB = make_engine(settings)

APP_REGISTRY = AppRegistry(
    apps=[
        "core.piccolo_app",
        "accounts.piccolo_app",
        "enterprises.piccolo_app",
        "experts.piccolo_app",
        "casework.piccolo_app",
    ]
)
