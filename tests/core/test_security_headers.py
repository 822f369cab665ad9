"""Every response carries the security headers: pages, API, errors, static files; HSTS and Secure only over https."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest

import core.client
from core.config import settings
from core.security_headers import CONTENT_SECURITY_POLICY, DOCUMENTATION_POLICY, add_security_headers
from tests.conftest import PASSWORD

pytestmark = pytest.mark.anyio

ALWAYS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}


def assert_secured(response: httpx.Response, dynamic: bool = True) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (response.request.url, name)
    if dynamic:
        assert "no-store" in response.headers.get("cache-control", ""), response.request.url
    assert "strict-transport-security" not in response.headers  # plain http


async def test_it_secures_a_page_a_form_and_a_redirect(client: Any, personas: Any) -> None:
    assert_secured(await client.http.get("/login"))
    assert_secured(await client.http.get("/enterprises"))  # a redirect to sign in
    await client.login("alice")
    assert_secured(await client.http.get("/enterprises"))


async def test_it_secures_api_answers_and_errors(client: Any, personas: Any) -> None:
    unauthorised = await client.http.get("/api/v1/enterprises")
    assert unauthorised.status_code == 401
    assert_secured(unauthorised)
    headers = await client.api_token("alice")
    listed = await client.http.get("/api/v1/enterprises", headers=headers)
    assert listed.status_code == 200
    assert_secured(listed)
    assert_secured(await client.http.get("/api/v1/enterprises/999999", headers=headers))


async def test_it_secures_the_404_of_an_unknown_path_and_a_403(client: Any, personas: Any) -> None:
    unknown = await client.http.get("/no/such/page")
    assert unknown.status_code == 404
    assert_secured(unknown)
    assert_secured(await client.http.get("/api/v1/no/such/thing"))
    await client.login("alice")
    refused = await client.http.get("/admin/users")
    assert refused.status_code == 403
    assert_secured(refused)


async def test_it_secures_static_files_and_lets_them_be_cached(client: Any) -> None:
    css = await client.http.get("/static/fuchi.css")
    assert css.status_code == 200
    assert_secured(css, dynamic=False)
    assert "no-store" not in css.headers.get("cache-control", "")
    missing = await client.http.get("/static/no-such-file.js")
    assert missing.status_code == 404
    assert_secured(missing, dynamic=False)


async def test_it_keeps_the_api_reveal_out_of_every_cache(client: Any, personas: Any) -> None:
    headers = await client.api_token("olga")
    # The same header whether the founder is revealed or the enterprise is not there.
    response = await client.http.post(
        "/api/v1/enterprises/999999/founder/reveal", json={"reason": "回访核实"}, headers=headers
    )
    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"


async def test_it_keeps_a_routes_own_cache_control(client: Any, personas: Any) -> None:
    # Routes that chose "private, no-store" (downloads) keep it; one header, not two.
    message: dict[str, Any] = {
        "type": "http.response.start",
        "status": 200,
        "headers": [(b"cache-control", b"private, no-store"), (b"x-content-type-options", b"nosniff")],
    }
    await add_security_headers(message, {"type": "http", "path": "/x", "headers": []})  # type: ignore[arg-type]
    names = [name for name, _ in message["headers"]]
    assert names.count(b"cache-control") == 1 and names.count(b"x-content-type-options") == 1
    assert (b"cache-control", b"private, no-store") in message["headers"]


def _on(app: Any, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.0.0.2", 4711)), base_url=base_url)


async def test_it_sends_hsts_and_secure_cookies_only_over_https(app: Any) -> None:
    async with _on(app, "https://fuchi.example") as https, _on(app, "http://fuchi.example") as http:
        over_tls = await https.get("/login")
        plain = await http.get("/login")
    assert over_tls.headers["strict-transport-security"].startswith("max-age=31536000")
    assert all("; Secure" in cookie for cookie in over_tls.headers.get_list("set-cookie"))
    assert over_tls.headers.get_list("set-cookie"), "the sign-in form sets its CSRF cookie"
    assert "strict-transport-security" not in plain.headers
    assert not any("secure" in cookie.lower() for cookie in plain.headers.get_list("set-cookie"))


async def test_it_believes_x_forwarded_proto_from_a_trusted_proxy_only(
    app: Any, personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    async with _on(app, "http://fuchi.example") as proxy:
        untrusted = await proxy.get("/login", headers=forwarded)
        assert "strict-transport-security" not in untrusted.headers
        monkeypatch.setattr(core.client, "settings", dataclasses.replace(settings, trusted_proxies=("10.0.0.2",)))
        trusted = await proxy.get("/login", headers=forwarded)
        assert "strict-transport-security" in trusted.headers
        token = trusted.text.split('name="_csrf_token" value="')[1].split('"')[0]
        signed_in = await proxy.post(
            "/login",
            data={"_csrf_token": token, "username": "alice", "password": PASSWORD, "next": "/"},
            headers=forwarded,
        )
    session_cookie = [c for c in signed_in.headers.get_list("set-cookie") if c.startswith("fuchi_session=")]
    assert signed_in.status_code == 302 and session_cookie
    assert "; Secure" in session_cookie[0] and "HttpOnly" in session_cookie[0]


async def test_it_lets_only_the_api_documentation_page_load_its_renderer(client: Any) -> None:
    documentation = await client.http.get("/schema")
    assert documentation.status_code == 200
    assert documentation.headers["content-security-policy"] == DOCUMENTATION_POLICY
    assert "frame-ancestors 'none'" in DOCUMENTATION_POLICY
    schema = await client.http.get("/schema/openapi.json")
    assert schema.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
