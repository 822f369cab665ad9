"""What every page and API response shares: templates, translation in templates, error mapping."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.background_tasks import BackgroundTask
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_429_TOO_MANY_REQUESTS,
    HTTP_500_INTERNAL_SERVER_ERROR,
)
from litestar.template.config import TemplateConfig
from litestar.types import ExceptionHandlersMap

from core.audit import AuditKind, record_event
from core.client import client_address
from core.config import ROOT, settings
from core.districts import DISTRICTS, district_name
from core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound, TooManyAttempts
from core.i18n import LOCALE_COOKIE, choose_locale, gettext

log = logging.getLogger("fuchi.web")

API_PREFIX = "/api/"


def request_locale(request: Request[Any, Any, Any]) -> str:
    return choose_locale(request.cookies.get(LOCALE_COOKIE))


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith(API_PREFIX)


def _translate(ctx: Mapping[str, Any], message: str, **params: object) -> str:
    return gettext(request_locale(ctx["request"]), message, **params)


def _district(ctx: Mapping[str, Any], code: str) -> str:
    return district_name(code, request_locale(ctx["request"]))


def _district_options(ctx: Mapping[str, Any]) -> list[tuple[str, str]]:
    locale = request_locale(ctx["request"])
    return [(d.code, district_name(d.code, locale)) for d in DISTRICTS]


def _localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Show a stored UTC time in the bureau's time zone."""
    if value is None:
        return ""
    return value.astimezone(settings.display_timezone).strftime(fmt)


# A template callable receives the template's context (which holds the request) first.
TemplateCallable = Callable[..., Any]


def _engine_callback(
    engine: JinjaTemplateEngine, callables: Mapping[str, TemplateCallable], extra_globals: Mapping[str, Any]
) -> None:
    engine.register_template_callable("_", _translate)  # type: ignore[arg-type]
    engine.register_template_callable("district_name", _district)
    engine.register_template_callable("district_options", _district_options)
    for name, function in callables.items():
        engine.register_template_callable(name, function)
    engine.engine.filters["localtime"] = _localtime
    engine.engine.globals["locale_cookie"] = LOCALE_COOKIE
    engine.engine.globals.update(extra_globals)


def make_template_config(
    callables: Mapping[str, TemplateCallable], extra_globals: Mapping[str, Any]
) -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja templates with translation and district helpers, plus each domain's callables and globals.

    The domains hand theirs over through `app.py`: the ground floor knows none of them.
    """
    return TemplateConfig(
        directory=ROOT / "templates",
        engine=JinjaTemplateEngine,
        engine_callback=lambda engine: _engine_callback(engine, callables, extra_globals),
    )


def page(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    """Render a page with what every template needs: the user and the locale."""
    return Template(
        template_name=template,
        context={"user": request.scope.get("user"), "locale": request_locale(request), **context},
        status_code=status_code,
    )


_STATUS_OF: list[tuple[type[DomainError], int]] = [
    (NotFound, HTTP_404_NOT_FOUND),
    (NotAllowed, HTTP_403_FORBIDDEN),
    (Conflict, HTTP_409_CONFLICT),
    (Invalid, HTTP_422_UNPROCESSABLE_ENTITY),
    (TooManyAttempts, HTTP_429_TOO_MANY_REQUESTS),
]


def _status_of(error: DomainError) -> int:
    return next((status for kind, status in _STATUS_OF if isinstance(error, kind)), HTTP_400_BAD_REQUEST)


def _error_response(
    request: Request[Any, Any, Any],
    status: int,
    message: str,
    params: Mapping[str, object] | None = None,
    errors: Mapping[str, str] | None = None,
) -> Response[Any]:
    locale = request_locale(request)
    text = gettext(locale, message, **(params or {}))
    translated = {field: gettext(locale, msg) for field, msg in (errors or {}).items()}
    if is_api(request):
        body: dict[str, Any] = {"status_code": status, "detail": text}
        if translated:
            body["errors"] = translated
        return Response(body, status_code=status, media_type=MediaType.JSON)
    return page(request, "error.html", status_code=status, message=text, errors=translated)


# Refusals of these paths say nothing about reach (a stale bookmark of a stylesheet): not audited.
UNAUDITED_PREFIXES = ("/static/", "/favicon.ico", "/robots.txt")
# A number this long in a path is no row id but could be a phone or an ID number typed into the URL.
_PERSONAL_LOOKING = re.compile(r"[0-9]{11,}[0-9Xx]?")


async def _record_refusal(actor_id: int, target: str, detail: dict[str, Any], source: str) -> None:
    try:
        await record_event(AuditKind.REFUSED, actor_id=actor_id, target=target, detail=detail, source=source)
    except Exception:  # the answer is already sent: a lost audit line is logged, not raised into the void
        log.exception("could not record a refusal of %s", target)


def _audit_refusal(request: Request[Any, Any, Any], response: Response[Any], status: int) -> Response[Any]:
    """Record a signed-in user's 403 or 404 (an object out of reach), after the answer is sent.

    Anonymous refusals are left out: they name nobody, and a crawler's 404s would drown the trail.
    """
    user_id = getattr(request.scope.get("user"), "id", None)
    path = _PERSONAL_LOOKING.sub("…", request.url.path)
    if user_id is None or path.startswith(UNAUDITED_PREFIXES):
        return response
    detail = {"method": request.method, "status": status}
    response.background = BackgroundTask(_record_refusal, user_id, path, detail, client_address(request.scope))
    return response


def handle_domain_error(request: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    errors = error.errors if isinstance(error, Invalid) else None
    status = _status_of(error)
    response = _error_response(request, status, error.message, error.params, errors)
    if isinstance(error, TooManyAttempts) and error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    if status in (HTTP_403_FORBIDDEN, HTTP_404_NOT_FOUND):
        return _audit_refusal(request, response, status)
    return response


def handle_http_error(request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    if isinstance(error, NotAuthorizedException):
        if is_api(request):
            response = _error_response(request, 401, "Sign in first: send a bearer token.")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""), safe="")
        return Redirect(f"/login?next={target}")
    if isinstance(error, NotFoundException):
        return _audit_refusal(request, _error_response(request, HTTP_404_NOT_FOUND, "Not found."), HTTP_404_NOT_FOUND)
    if isinstance(error, PermissionDeniedException) and "CSRF" in str(error.detail):
        return _error_response(request, HTTP_403_FORBIDDEN, "Your form has expired. Reload the page and try again.")
    if isinstance(error, ValidationException):
        detail = error.extra if isinstance(error.extra, list) else []
        fields = {str(item.get("key", "")): str(item.get("message", "")) for item in detail if isinstance(item, dict)}
        return _error_response(request, HTTP_400_BAD_REQUEST, "The request is not valid.", errors=fields)
    status = error.status_code
    if status >= 500:
        log.error("HTTP %s on %s: %s", status, request.url.path, error.detail)
    return _error_response(request, status, str(error.detail) if is_api(request) else "Something went wrong.")


def handle_unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    log.exception("Unhandled error on %s", request.url.path, exc_info=error)
    return _error_response(request, HTTP_500_INTERNAL_SERVER_ERROR, "Something went wrong.")


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_error,
    Exception: handle_unexpected,
}
