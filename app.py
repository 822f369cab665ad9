"""The one place the Litestar app is assembled."""

from __future__ import annotations

import gc
from typing import Any

import asyncpg
from litestar import Litestar, Request
from litestar.logging import LoggingConfig
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from piccolo.engine.postgres import PostgresEngine

from accounts import presentation as account_presentation
from accounts.account_pages import AccountAdminController, OwnAccountController
from accounts.api import AuthApi, NotificationApi
from accounts.controllers import AccountController, UserAdminController
from accounts.guards import (
    CurrentUserMiddleware,
    PasswordChangeRequired,
    authorize,
    handle_password_change_required,
)
from accounts.identity import CurrentUser, user_from_session
from accounts.mail import controllers as mail_controllers
from casework import presentation as casework_presentation
from casework import routes as casework_routes
from casework.enterprise_reach import enterprises_of_assigned_cases
from casework.expert_load import count_active_loads
from casework.filing import file_needs_in_transaction
from casework.need_cases import cases_of_needs
from casework.services import move_cases_of_merged_enterprise
from core import bounds  # bounds every {id:int} path parameter: import before any route is built
from core.access_log import AccessLogMiddleware, log_unrouted
from core.config import ROOT
from core.csrf import CSRF_COOKIE, SessionBoundCSRFMiddleware
from core.db import engine
from core.security_headers import add_security_headers
from core.sessions import DatabaseSessionStore, session_config
from core.web import EXCEPTION_HANDLERS, make_template_config, register_page_user_loader
from enterprises import presentation as enterprise_presentation
from enterprises.access_filter import register_extra_reach
from enterprises.api import EnterpriseApi
from enterprises.controllers import EnterpriseController
from enterprises.duplicates.api import DuplicateApi
from enterprises.duplicates.controllers import DuplicateController
from enterprises.duplicates.merge_service import register_mover
from enterprises.exports.controllers import ExportController
from enterprises.imports.api import ImportApi
from enterprises.imports.controllers import ImportController
from enterprises.imports.need_filing import register_need_filer
from enterprises.services import register_need_cases
from experts.api import ExpertApi
from experts.controllers import ExpertController
from experts.imports.controllers import ExpertImportController
from experts.services import register_load_counter
from operations.audit_page import AuditController
from operations.health import health
from operations.jobs_page import JobsController

__all__ = ["CSRF_COOKIE", "app", "create_app"]


async def open_database_pool() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        try:
            await db.start_connection_pool(min_size=1, max_size=10)
        except (OSError, asyncpg.PostgresError) as exc:
            raise SystemExit(f"DATABASE_URL: cannot connect to PostgreSQL ({exc}).") from exc


async def close_database_pool() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()


async def settle_heap() -> None:
    """Freeze what startup made, so the collector's full passes stop rescanning it on every request.

    A request that builds thousands of objects (ranking 5,000 experts) triggers full collections;
    over a grown heap each paused it by ~100 ms (`make bench`, expert-matches p95). The objects made
    at startup live as long as the process (CPython's gc.freeze, meant for exactly this).
    """
    gc.collect()
    gc.freeze()


def error_page_user(sessions: ServerSideSessionConfig) -> Any:
    """Who is signed in, for an error page no route took (the session middleware did not run)."""
    backend = ServerSideSessionBackend(config=sessions)  # the plain backend: reading rotates nothing

    async def load(request: Request[Any, Any, Any]) -> CurrentUser | None:
        return await user_from_session(await backend.load_from_connection(request))

    return load


def create_app(freeze_startup_heap: bool = False) -> Litestar:
    """Build the web app; tests build their own so that each gets a fresh one (and leave the
    collector alone: a full collection per app would slow thousands of tests)."""
    sessions = session_config(secure_cookie=False)  # Secure is added per request, over https (core.security_headers)
    # Enterprises cannot import casework; casework hands the merge its way of moving cases.
    register_mover("cases", move_cases_of_merged_enterprise)
    register_need_cases(cases_of_needs)
    register_need_filer(file_needs_in_transaction)  # an import files its sheet's needs as cases
    register_extra_reach("assigned_cases", enterprises_of_assigned_cases)  # experts read their cases' enterprises
    register_load_counter(count_active_loads)  # the pool shows and checks capacity against casework's assignments
    register_page_user_loader(error_page_user(sessions))  # an unknown address's page keeps the user's menu
    return Litestar(
        route_handlers=[
            health,
            JobsController,
            AuditController,
            AccountController,
            UserAdminController,
            OwnAccountController,
            AccountAdminController,
            *mail_controllers.PAGES,
            EnterpriseController,
            DuplicateController,
            ImportController,
            ExportController,
            *casework_routes.PAGES,
            ExpertController,
            ExpertImportController,
            AuthApi,
            NotificationApi,
            EnterpriseApi,
            DuplicateApi,
            ImportApi,
            *casework_routes.API,
            ExpertApi,
            create_static_files_router(path="/static", directories=[ROOT / "static"], opt={"action": "public"}),
        ],
        middleware=[
            DefineMiddleware(AccessLogMiddleware),
            sessions.middleware,
            DefineMiddleware(CurrentUserMiddleware),
            DefineMiddleware(SessionBoundCSRFMiddleware),  # after the session: a token is good for one session
        ],
        before_send=[add_security_headers],  # every response, unrouted 404s and static files included
        guards=[authorize],
        stores={"sessions": DatabaseSessionStore()},
        template_config=make_template_config(
            {
                **account_presentation.TEMPLATE_CALLABLES,
                **enterprise_presentation.TEMPLATE_CALLABLES,
                **casework_presentation.TEMPLATE_CALLABLES,
            },
            {**enterprise_presentation.TEMPLATE_GLOBALS, **casework_presentation.TEMPLATE_GLOBALS},
        ),
        exception_handlers={
            **EXCEPTION_HANDLERS,
            **bounds.EXCEPTION_HANDLERS,
            PasswordChangeRequired: handle_password_change_required,
        },
        after_exception=[log_unrouted],
        on_startup=[open_database_pool, *([settle_heap] if freeze_startup_heap else [])],
        on_shutdown=[close_database_pool],
        openapi_config=OpenAPIConfig(
            title="Fuchi API",
            version="1",
            description="Case management for returning migrant-worker entrepreneurs (扶持).",
            path="/schema",
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(type="http", scheme="bearer", description="POST /api/v1/auth/token")
                }
            ),
        ),
        logging_config=LoggingConfig(log_exceptions="never"),  # core.web logs the unexpected ones,
    )


app = create_app(freeze_startup_heap=True)
