"""Signing in and out by page and by token."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from core.tables import Session
from tests.conftest import PASSWORD

pytestmark = pytest.mark.anyio

ZH_BAD_CREDENTIALS = "用户名或密码错误"


async def test_it_signs_a_broker_in_to_his_cases(client: Any, personas: Any) -> None:
    response = await client.login("alice")
    assert response.status_code == 302
    assert response.headers["location"] == "/cases/mine"
    assert (await client.http.get("/cases/mine")).status_code == 200


async def test_it_says_the_same_for_an_unknown_user_and_a_wrong_password(client: Any, personas: Any) -> None:
    wrong_password = await client.login("alice", "not-her-password")
    unknown_user = await client.login("nobody", PASSWORD)
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert ZH_BAD_CREDENTIALS in wrong_password.text
    assert ZH_BAD_CREDENTIALS in unknown_user.text
    assert 'value="alice"' in wrong_password.text  # the username typed is kept


async def test_it_rotates_the_session_id_at_sign_in(client: Any, personas: Any) -> None:
    await client.login("bob")
    before = client.http.cookies.get("fuchi_session")
    await client.login("alice")  # a session id known before sign-in is worthless after it
    after = client.http.cookies.get("fuchi_session")
    assert before and after and before != after
    assert not await Session.exists().where(Session.key == before)
    assert await Session.exists().where(Session.key == after)


async def test_it_refuses_a_form_without_its_csrf_token(client: Any, personas: Any) -> None:
    response = await client.http.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "表单已过期" in response.text


async def test_it_throttles_repeated_failures(client: Any, personas: Any) -> None:
    for _ in range(5):
        assert (await client.login("alice", "wrong-password")).status_code == 400
    locked = await client.login("alice")  # even the right password, while locked
    assert locked.status_code == 429
    assert "分钟" in locked.text


async def test_it_sends_the_signed_out_to_the_login_page(client: Any, personas: Any) -> None:
    response = await client.http.get("/cases/mine?state=submitted")
    assert response.status_code == 302
    assert response.headers["location"] == "/login?next=%2Fcases%2Fmine%3Fstate%3Dsubmitted"


async def test_it_forgets_the_session_at_sign_out(client: Any, personas: Any) -> None:
    await client.login("alice")
    token = await client.csrf("/cases/mine")
    await client.http.post("/logout", data={"_csrf_token": token})
    assert (await client.http.get("/cases/mine")).status_code == 302


async def test_it_treats_an_expired_session_as_signed_out(client: Any, personas: Any) -> None:
    await client.login("alice")
    await Session.update({Session.expires_at: datetime(2000, 1, 1, tzinfo=UTC)}, force=True)
    response = await client.http.get("/cases/mine")
    assert response.status_code == 302


async def test_it_issues_a_bearer_token_for_the_api(client: Any, personas: Any) -> None:
    headers = await client.api_token("olga")
    assert (await client.http.get("/api/v1/cases", headers=headers)).status_code == 200
    assert (await client.http.get("/api/v1/cases")).status_code == 401
    bad = await client.http.post("/api/v1/auth/token", json={"username": "olga", "password": "nope-nope"})
    assert bad.status_code == 422
    assert ZH_BAD_CREDENTIALS in bad.json()["detail"]


async def test_it_ignores_a_session_cookie_on_the_api(client: Any, personas: Any) -> None:
    """The API is outside CSRF protection, so only a bearer token may authenticate there."""
    await client.login("olga")
    assert (await client.http.get("/api/v1/cases")).status_code == 401


async def test_it_shows_pages_in_english_when_chosen(client: Any, personas: Any) -> None:
    assert "登录" in (await client.http.get("/login")).text
    await client.http.get("/lang/en")
    assert "Sign in" in (await client.http.get("/login")).text
