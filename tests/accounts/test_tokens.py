"""API tokens: named, short-lived, listed, revocable by their owner, by sign-out and by an admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from accounts.tables import ApiToken
from accounts.tokens import TOKEN_LIFETIME
from core.tables import AuditEvent

pytestmark = pytest.mark.anyio


async def issue(client: Any, username: str, name: str | None = None) -> tuple[dict[str, str], dict[str, Any]]:
    body: dict[str, Any] = {"username": username, "password": "correct-horse-battery"}
    if name is not None:
        body["name"] = name
    response = await client.http.post("/api/v1/auth/token", json=body)
    assert response.status_code == 201, response.text
    issued = response.json()
    return {"Authorization": f"Bearer {issued['access_token']}"}, issued


async def last_used() -> Any:
    row = await ApiToken.select(ApiToken.last_used_at).first()
    assert row is not None
    return row["last_used_at"]


async def test_it_issues_a_named_token_for_a_week(client: Any, personas: Any) -> None:
    _, named = await issue(client, "alice", "nightly export")
    _, plain = await issue(client, "alice")
    assert (named["name"], plain["name"]) == ("nightly export", "API")
    expires = datetime.fromisoformat(named["expires_at"])
    assert abs(expires - (datetime.now(UTC) + TOKEN_LIFETIME)) < timedelta(minutes=1)
    too_long = await client.http.post(
        "/api/v1/auth/token", json={"username": "alice", "password": "correct-horse-battery", "name": "x" * 101}
    )
    assert too_long.status_code == 400


async def test_it_lists_his_own_live_tokens_only(client: Any, personas: Any) -> None:
    headers, _ = await issue(client, "alice", "laptop")
    await issue(client, "alice", "script")
    await issue(client, "bob", "bob's")
    expired_headers, expired = await issue(client, "alice", "old")
    await ApiToken.update({ApiToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        ApiToken.id == expired["id"]
    )
    listed = (await client.http.get("/api/v1/auth/tokens", headers=headers)).json()
    assert [(t["name"], t["current"]) for t in listed["items"]] == [("script", False), ("laptop", True)]
    assert listed["total"] == 2
    assert (await client.http.get("/api/v1/auth/tokens", headers=expired_headers)).status_code == 401


async def test_it_lets_the_owner_revoke_a_token_and_no_one_elses(client: Any, personas: Any) -> None:
    headers, _ = await issue(client, "alice")
    other_headers, other = await issue(client, "alice", "other")
    _, bobs = await issue(client, "bob")
    assert (await client.http.delete(f"/api/v1/auth/tokens/{bobs['id']}", headers=headers)).status_code == 404
    assert (await client.http.delete(f"/api/v1/auth/tokens/{other['id']}", headers=headers)).status_code == 204
    assert (await client.http.get("/api/v1/auth/tokens", headers=other_headers)).status_code == 401
    assert (await client.http.get("/api/v1/auth/tokens", headers=headers)).status_code == 200
    events = await AuditEvent.select(AuditEvent.target).where(AuditEvent.kind == "token_revoked")
    assert events == [{"target": f"user:{personas.ids['alice']}"}]


async def test_it_revokes_the_token_used_to_sign_out(client: Any, personas: Any) -> None:
    headers, _ = await issue(client, "olga")
    kept, _ = await issue(client, "olga")
    assert (await client.http.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.http.get("/api/v1/cases", headers=headers)).status_code == 401
    assert (await client.http.post("/api/v1/auth/logout", headers=headers)).status_code == 401
    assert (await client.http.get("/api/v1/cases", headers=kept)).status_code == 200


async def test_it_notes_a_tokens_use_at_most_once_a_minute(client: Any, personas: Any) -> None:
    headers, issued = await issue(client, "alice")
    assert await last_used() is None
    await client.http.get("/api/v1/auth/tokens", headers=headers)
    first = await last_used()
    await client.http.get("/api/v1/auth/tokens", headers=headers)
    assert await last_used() == first
    long_ago = datetime.now(UTC) - timedelta(minutes=2)
    await ApiToken.update({ApiToken.last_used_at: long_ago}).where(ApiToken.id == issued["id"])
    await client.http.get("/api/v1/auth/tokens", headers=headers)
    assert await last_used() > long_ago + timedelta(minutes=1)


async def test_it_shows_and_revokes_his_tokens_on_his_account_page(client: Any, personas: Any) -> None:
    headers, issued = await issue(client, "eve", "my script")
    await client.login("eve")
    page = await client.http.get("/account")
    assert page.status_code == 200 and "my script" in page.text
    revoked = await client.post_form(f"/account/tokens/{issued['id']}/revoke", {}, csrf_from="/account")
    assert revoked.status_code == 302
    assert (await client.http.get("/api/v1/auth/tokens", headers=headers)).status_code == 401
    assert "my script" not in (await client.http.get("/account")).text


async def test_it_lets_an_admin_revoke_a_users_token(client: Any, personas: Any) -> None:
    headers, issued = await issue(client, "bob", "phone")
    await client.login("adam")
    page = await client.http.get(f"/admin/users/{personas.ids['bob']}")
    assert "phone" in page.text
    path = f"/admin/users/{personas.ids['bob']}/tokens/{issued['id']}/revoke"
    assert (await client.post_form(path, {}, csrf_from="/account")).status_code == 302
    assert (await client.http.get("/api/v1/cases", headers=headers)).status_code == 401
    # a token of another user named under this one's page is not found
    _, alices = await issue(client, "alice")
    other = f"/admin/users/{personas.ids['bob']}/tokens/{alices['id']}/revoke"
    assert (await client.post_form(other, {}, csrf_from="/account")).status_code == 404
