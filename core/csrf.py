"""Cross-site request forgery protection with the form token bound to the session.

Litestar's own CSRF middleware is a double-submit cookie: any token it issued passes with its
cookie, whoever it was issued to, so a token taken from one session (or a cookie planted in a
browser) works in another. Here the token is an HMAC of the session id (of a random per-browser
cookie before sign-in), so a token is good for one session only, and it changes at sign-in with
the session id. No session row is needed for it: anonymous visitors get none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from core.config import settings
from core.sessions import SESSION_COOKIE

CSRF_COOKIE = "fuchi_csrf"
CSRF_FIELD = "_csrf_token"
CSRF_HEADER = "x-csrftoken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# The JSON API takes bearer tokens only (no cookie, nothing to forge); health and schema change nothing.
EXCLUDED_PREFIXES = ("/api/", "/health", "/schema", "/static")


def _key() -> bytes:
    # A key for this purpose only, derived from SECRET_KEY, so a token reveals nothing usable elsewhere.
    return hmac.new(settings.secret_key.encode(), b"fuchi csrf tokens", hashlib.sha256).digest()


def csrf_token_for(binding: str) -> str:
    """The form token of one session (or, before sign-in, of one browser's CSRF cookie)."""
    return hmac.new(_key(), binding.encode(), hashlib.sha256).hexdigest()


def _cookies(scope: Scope) -> dict[str, str]:
    jar: dict[str, str] = {}
    for name, value in scope["headers"]:
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                key, _, item = part.strip().partition("=")
                jar.setdefault(key, item)
    return jar


def binding_of(cookies: dict[str, str], live_session: bool) -> str | None:
    """What the token is bound to: the session id once signed in, else the browser's CSRF cookie.

    A session cookie whose session is gone (signed out elsewhere, expired) does not count: the
    session middleware expires it with this very response.
    """
    session_id = cookies.get(SESSION_COOKIE, "")
    if live_session and session_id:
        return f"session:{session_id}"
    visitor = cookies.get(CSRF_COOKIE, "")
    return f"visitor:{visitor}" if visitor else None


class SessionBoundCSRFMiddleware:
    """Refuses an unsafe request whose token is not the one of its own session; gives pages the token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith(EXCLUDED_PREFIXES):
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        binding = binding_of(cookies, live_session=bool(scope.get("session")))
        state = ScopeState.from_scope(scope)
        if scope["method"] in SAFE_METHODS:
            new_visitor = None
            if not cookies.get(CSRF_COOKIE):
                # Issued on every page until the browser has one: the sign-in form needs a binding
                # before there is a session, and a session's forms keep working after sign-out.
                new_visitor = secrets.token_hex(32)
                binding = binding or f"visitor:{new_visitor}"
            state.csrf_token = csrf_token_for(binding or "")
            await self.app(scope, receive, _with_cookie(send, new_visitor) if new_visitor else send)
            return
        sent = await _sent_token(scope, receive)
        expected = csrf_token_for(binding) if binding else None
        # A form shown again (with its errors), or the refusal page's sign-out button, posts with the
        # session's own token: only this request's sender can read this response.
        state.csrf_token = expected or ""
        if expected is None or sent is None or not hmac.compare_digest(sent.encode(), expected.encode()):
            raise PermissionDeniedException("CSRF token verification failed")
        await self.app(scope, receive, send)


async def _sent_token(scope: Scope, receive: Receive) -> str | None:
    for name, value in scope["headers"]:
        if name == CSRF_HEADER.encode():
            return value.decode("latin-1")
    request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
    content_type, _ = request.content_type
    if content_type not in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
        return None
    form = await request.form()  # cached in the scope: the handler reads the same form
    token = form.get(CSRF_FIELD)
    return token if isinstance(token, str) else None


def _with_cookie(send: Send, visitor: str) -> Send:
    async def send_with_cookie(message: Message) -> None:
        if message["type"] == "http.response.start":
            # Readable by no script (nothing reads it), sent on same-site navigation only; Secure
            # over https is added with the other cookies' in core.security_headers.
            cookie = Cookie(key=CSRF_COOKIE, value=visitor, path="/", httponly=True, samesite="lax")
            MutableScopeHeaders.from_message(message).add("set-cookie", cookie.to_header(header=""))
        await send(message)

    return send_with_cookie
