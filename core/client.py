"""Who is on the other end of a request: the client's address and whether it came over https.

Behind a TLS-terminating proxy the socket's peer is the proxy; its X-Forwarded-For and
X-Forwarded-Proto are believed only when the peer is one of `settings.trusted_proxies`,
otherwise any client could claim any address (and slip past per-address throttling).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from core.config import settings


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def _peer(scope: Mapping[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else ""


def _via_trusted_proxy(scope: Mapping[str, Any]) -> bool:
    return bool(settings.trusted_proxies) and _peer(scope) in settings.trusted_proxies


def client_address(scope: Mapping[str, Any]) -> str:
    """The client's IP address: the peer, or the nearest untrusted hop a trusted proxy reports."""
    if not _via_trusted_proxy(scope):
        return _peer(scope)
    hops = [hop.strip() for hop in _header(scope.get("headers", ()), b"x-forwarded-for").split(",") if hop.strip()]
    # Walk from the proxy back towards the client; the first hop that is not one of our proxies is the client.
    for hop in reversed(hops):
        if hop not in settings.trusted_proxies:
            return hop
    return _peer(scope)


def came_over_https(scope: Mapping[str, Any]) -> bool:
    """Whether the browser reached us over TLS, directly or through a trusted proxy."""
    if scope.get("scheme") == "https":
        return True
    if _via_trusted_proxy(scope):
        return _header(scope.get("headers", ()), b"x-forwarded-proto").split(",")[0].strip().lower() == "https"
    return False
