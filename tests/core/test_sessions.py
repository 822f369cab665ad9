"""Sessions: no row for anonymous visitors, sign-out expires the cookie, a CSRF token is good for one session."""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.csrf import CSRF_COOKIE
from core.sessions import SESSION_COOKIE
from core.tables import Session

pytestmark = pytest.mark.anyio


def cookie_header(response: Any, name: str) -> str:
    found = [value for value in response.headers.get_list("set-cookie") if value.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return str(found[0])


async def test_it_keeps_no_session_row_for_anonymous_visitors(client: Any, new_client: Any) -> None:
    for _ in range(100):  # one browser coming back (it keeps its CSRF cookie) …
        assert (await client.http.get("/login")).status_code == 200
    for _ in range(100):  # … and a hundred fresh ones
        fresh = new_client()
        assert (await fresh.http.get("/login")).status_code == 200
        await fresh.http.get("/enterprises")  # a redirect to sign in
    assert await Session.count() == 0
    assert SESSION_COOKIE not in client.http.cookies


async def test_it_keeps_no_row_for_a_failed_sign_in(client: Any, personas: Any) -> None:
    failed = await client.login("alice", "not the password")
    assert failed.status_code == 400
    assert await Session.count() == 0


async def test_it_keeps_one_row_per_signed_in_session_and_writes_it_once(client: Any, personas: Any) -> None:
    await client.login("alice")
    assert await Session.count() == 1
    before = await Session.select(Session.key, Session.data, Session.expires_at).first()
    for path in ("/enterprises", "/notifications", "/login"):
        assert (await client.http.get(path)).status_code == 200
    assert await Session.select(Session.key, Session.data, Session.expires_at).first() == before


async def test_it_expires_the_session_cookie_at_sign_out(client: Any, personas: Any) -> None:
    await client.login("alice")
    signed_out = await client.post_form("/logout", {}, csrf_from="/enterprises")
    assert signed_out.status_code in (302, 303)
    expired = cookie_header(signed_out, SESSION_COOKIE)
    assert "Max-Age=0" in expired and "28800" not in expired
    assert await Session.count() == 0
    assert SESSION_COOKIE not in client.http.cookies
    assert (await client.http.get("/enterprises")).status_code in (302, 303)  # signed out for real


async def test_it_expires_a_cookie_whose_session_is_gone(client: Any, personas: Any) -> None:
    await client.login("alice")
    await Session.delete(force=True)  # ended elsewhere (expired, or the user was disabled)
    page = await client.http.get("/login")
    assert "Max-Age=0" in cookie_header(page, SESSION_COOKIE)
    # The sign-in form of that page is bound to this browser, not to the dead session: it works.
    assert (await client.login("alice")).status_code in (302, 303)


def _token(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


async def test_it_refuses_a_csrf_token_of_another_session(client: Any, new_client: Any, personas: Any) -> None:
    await client.login("alice")
    alices_token = _token((await client.http.get("/enterprises")).text)
    bob = new_client()
    await bob.login("bob")
    # Even with Alice's CSRF cookie planted in his browser: the token names her session, not his.
    bob.http.cookies.set(CSRF_COOKIE, client.http.cookies.get(CSRF_COOKIE) or "")
    forged = await bob.http.post("/logout", data={"_csrf_token": alices_token})
    assert forged.status_code == 403
    assert (await bob.http.get("/enterprises")).status_code == 200  # still signed in
    forged_by_header = await bob.http.post("/logout", headers={"X-CSRFToken": alices_token})
    assert forged_by_header.status_code == 403
    # The refusal page's own sign-out button carries Bob's token, and works.
    own = await bob.http.post("/logout", data={"_csrf_token": _token(forged.text)})
    assert own.status_code in (302, 303)


async def test_it_refuses_a_token_from_before_sign_in_and_one_from_a_signed_out_session(
    client: Any, personas: Any
) -> None:
    before = await client.csrf("/login")
    await client.login("alice")
    stale = await client.http.post("/logout", data={"_csrf_token": before})
    assert stale.status_code == 403
    during = await client.csrf("/enterprises")
    await client.post_form("/logout", {}, csrf_from="/enterprises")
    await client.login("alice")
    assert (await client.http.post("/logout", data={"_csrf_token": during})).status_code == 403


async def test_it_refuses_a_post_without_token_or_cookie(client: Any, new_client: Any, personas: Any) -> None:
    token = await client.csrf("/login")
    stranger = new_client()  # no CSRF cookie at all
    answer = await stranger.http.post("/login", data={"_csrf_token": token, "username": "alice", "password": "x"})
    assert answer.status_code == 403
    assert (await client.http.post("/login", data={"username": "alice", "password": "x"})).status_code == 403
