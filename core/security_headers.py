"""The security headers every response carries, set in one place for pages, API, errors and static files.

It is a `before_send` hook of the app, so it also sees what no route middleware does: the 404 of an
unknown path, a 405, an error answered by the app's own exception handler.
"""

from __future__ import annotations

from litestar.types import Message, Scope

from core.client import came_over_https

# Only the app's own files run and style pages: no inline script or style="" (an injected
# attribute or <script> does nothing), no framing (clickjacking), no <base> or plugin tricks.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The API's documentation page (Litestar's Scalar renderer) is third-party script from its CDN
# with an inline start-up script; it shows no personal data and is still never framed.
DOCUMENTATION_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://cdn.jsdelivr.net; "
    "font-src 'self' data: https://cdn.jsdelivr.net; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"  # a year: browsers then refuse plain http to us

_ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
)
STATIC_PREFIX = "/static/"


def _policy_for(path: str) -> bytes:
    if path.startswith("/schema") and not path.endswith((".json", ".yaml", ".yml")):
        return DOCUMENTATION_POLICY.encode()
    return CONTENT_SECURITY_POLICY.encode()


def _secure_cookie(value: bytes) -> bytes:
    """A Set-Cookie value with the Secure attribute, added once."""
    attributes = [part.strip().lower() for part in value.split(b";")[1:]]
    return value if b"secure" in attributes else value + b"; Secure"


async def add_security_headers(message: Message, scope: Scope) -> None:
    """Add the security headers to a response's start, keeping any a route set itself.

    Over https (directly or through a trusted proxy) it also adds HSTS and makes every cookie
    Secure; over plain http a Secure cookie would never come back, so cookies stay as they are.
    """
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers") or [])
    present = {name.lower() for name, _ in headers}
    path = str(scope.get("path", ""))
    wanted = [*_ALWAYS, (b"content-security-policy", _policy_for(path))]
    if not path.startswith(STATIC_PREFIX):
        # Pages and API answers carry personal data (reveals above all): no cache, shared or private,
        # keeps them. Static files keep their own caching.
        wanted.append((b"cache-control", b"no-store"))
    over_https = came_over_https(scope)
    if over_https:
        wanted.append((b"strict-transport-security", HSTS.encode()))
        headers = [(name, _secure_cookie(value) if name.lower() == b"set-cookie" else value) for name, value in headers]
    headers.extend((name, value) for name, value in wanted if name not in present)
    message["headers"] = headers
