"""What every page and API response shares: templates, translation in templates, error mapping."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping
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
from core.config import ROOT
from core.districts import DISTRICTS, district_name
from core.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound, TooManyAttempts
from core.i18n import LOCALE_COOKIE, choose_locale, gettext, local_date, local_time
from core.money import format_yuan

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
    engine.engine.filters["localtime"] = local_time
    engine.engine.filters["localdate"] = local_date  # a day derived from a timestamp, never its UTC day
    engine.engine.filters["yuan"] = format_yuan  # money on every page: ¥1,256,000.00
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


# How an error page finds who is signed in when no route took the request (an unknown address):
# the session and user middleware never ran then. `accounts` hands it over at assembly (app.py).
PageUserLoader = Callable[[Request[Any, Any, Any]], Awaitable[Any]]
_page_user_loaders: list[PageUserLoader] = []


def register_page_user_loader(loader: PageUserLoader) -> None:
    _page_user_loaders[:] = [loader]


class _UnroutedErrorPage(Template):
    """An error page that loads the signed-in user when it is sent, so it keeps his menu.

    Exception handlers are synchronous; the ASGI response this returns is not, so the one query
    that finds the user runs there.
    """

    def to_asgi_response(self, app: Any, request: Request[Any, Any, Any], **kwargs: Any) -> Any:
        page_response = self

        async def send_page(scope: Any, receive: Any, send: Any) -> None:
            try:
                user = await _page_user_loaders[0](request)
            except Exception:  # an error page must still be shown, with the menu or without it
                log.exception("could not find the user of an error page on %s", request.url.path)
                user = None
            scope["user"] = user
            if isinstance(page_response.context, dict):
                page_response.context["user"] = user
            await Template.to_asgi_response(page_response, app, request, **kwargs)(scope, receive, send)

        return send_page


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
    if "user" not in request.scope and _page_user_loaders:
        return _UnroutedErrorPage(
            template_name="error.html",
            context={"user": None, "locale": locale, "message": text, "errors": translated},
            status_code=status,
        )
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


# Litestar's own words for a parameter it could not read ("Expected `int` >= 1"), as message ids.
# Matched in lower case: Litestar's phrases are patterns here, not message ids of ours.
_BOUND = re.compile(r"expected `(?:int|float)` (?P<op>>=|>|<=|<) (?P<limit>-?[0-9.]+)")
_NOT_A_NUMBER = re.compile(r"expected `(?:int|float)`")
_BOUND_MESSAGES = {
    ">=": "Enter a number no smaller than {limit}.",
    ">": "Enter a number larger than {limit}.",
    "<=": "Enter a number no larger than {limit}.",
    "<": "Enter a number smaller than {limit}.",
}
# Query parameters every list page shares, named in words; others are named by their key.
PARAMETER_LABELS = {"page": "Page number", "per_page": "Rows per page"}


def _validation_reason(reason: str) -> tuple[str, dict[str, object]]:
    """Litestar's English reason as a message id and its parameters (never shown as it is)."""
    bound = _BOUND.match(reason.lower())
    if bound:
        return _BOUND_MESSAGES[bound["op"]], {"limit": bound["limit"]}
    if _NOT_A_NUMBER.match(reason.lower()):
        return "Enter a whole number.", {}
    return "This value is not valid.", {}


def _parameter_name(request: Request[Any, Any, Any], key: str) -> str:
    """The name the caller sent (`page`), not the handler's argument it fills (`page_number`)."""
    handler = request.scope.get("route_handler")
    parameter = getattr(getattr(handler, "parsed_fn_signature", None), "parameters", {}).get(key)
    definition = getattr(parameter, "kwarg_definition", None)
    alias = getattr(definition, "query", None) or getattr(definition, "name", None)
    return alias if isinstance(alias, str) and alias else key


def _validation_errors(request: Request[Any, Any, Any], error: ValidationException) -> dict[str, str]:
    """Each parameter Litestar refused -> why, in the user's language (its English never leaks)."""
    locale = request_locale(request)
    detail = error.extra if isinstance(error.extra, list) else []
    found: dict[str, str] = {}
    for item in detail:
        if not isinstance(item, dict):
            continue
        key = _parameter_name(request, str(item.get("key", "")))
        message, params = _validation_reason(str(item.get("message", "")))
        reason = gettext(locale, message, **params)
        name = gettext(locale, PARAMETER_LABELS[key]) if key in PARAMETER_LABELS else key
        found[key] = gettext(locale, "{field}: {reason}", field=name, reason=reason) if name else reason
    return found


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
        return _error_response(
            request, HTTP_400_BAD_REQUEST, "The request is not valid.", errors=_validation_errors(request, error)
        )
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
