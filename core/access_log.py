"""One line per request: method, route, status and time — never the query string, never an id.

The route is logged as its template (`/enterprises/{enterprise_id:int}`), so no id or other value
typed into a URL reaches the log; a path that matched no route has its long numbers masked.
Phones are searched only through request bodies; leaving query strings out keeps URLs clean
should that ever change.
"""

from __future__ import annotations

import logging
import re
import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("fuchi.access")

# A number this long in a path that matched no route could be a phone or an ID number.
_LONG_NUMBER = re.compile(r"[0-9]{6,}")


def logged_path(scope: Scope) -> str:
    """The route's template when the request was routed, else the path with long numbers masked."""
    template = scope.get("path_template")
    return str(template) if template else _LONG_NUMBER.sub("…", str(scope.get("path", "")))


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.1f ms", scope.get("method", ""), logged_path(scope), status, elapsed_ms)


async def log_unrouted(error: Exception, scope: Scope) -> None:
    """An `after_exception` hook: the line for a request that matched no route (404, 405).

    Route middleware never sees such a request, so it is logged here, without a time.
    """
    if scope["type"] == ScopeType.HTTP and not scope.get("path_template"):
        status = getattr(error, "status_code", 500)
        log.info("%s %s %s -", scope.get("method", ""), logged_path(scope), status)
