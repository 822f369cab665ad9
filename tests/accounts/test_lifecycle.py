"""An account's life through the pages: disabled, enabled, given a role, a password reset or changed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from accounts.policy import Role
from accounts.tables import ApiToken, User
from core.tables import AuditEvent
from tests.conftest import DISTRICT_A, PASSWORD

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "a-brand-new-secret-42"


def temporary_password(page: str) -> str:
    match = re.search(r'<code class="secret">([^<]+)</code>', page)
    assert match, "no temporary password on the page"
    return match.group(1)


async def act(client: Any, action: str, user_id: int, data: dict[str, str] | None = None) -> Any:
    return await client.post_form(f"/admin/users/{user_id}/{action}", data or {}, csrf_from=f"/admin/users/{user_id}")


# Who may act on whom through the pages; the rules themselves are tabled in test_lifecycle_rules.
# (actor, target) -> may he manage the target at all; "self" is the actor's own account.
MANAGES = {
    ("adam", "alice"): True,
    ("adam", "olga"): True,
    ("adam", "eve"): True,
    ("adam", "carl"): True,
    ("adam", "self"): False,
    ("carl", "alice"): True,
    ("carl", "olga"): True,
    ("carl", "eve"): False,
    ("carl", "adam"): False,
    ("carl", "self"): False,
    ("olga", "alice"): False,
    ("olga", "self"): False,
    ("alice", "bob"): False,
    ("alice", "self"): False,
}
SAME_ROLE = {"alice": ("broker", DISTRICT_A), "olga": ("district_officer", DISTRICT_A), "eve": ("expert", "")}


ACTIONS = ["view", "disable", "enable", "role", "reset-password", "revoke-token"]
CASES = [(actor, target, action) for actor, target in MANAGES for action in ACTIONS]


# A disabled user cannot sign in to enable himself: that row is not a case.
@pytest.mark.parametrize(("actor", "target", "action"), [c for c in CASES if c[1:] != ("self", "enable")], ids=str)
async def test_it_lets_each_actor_do_exactly_his_account_actions(
    client: Any, personas: Any, actor: str, target: str, action: str
) -> None:
    target_name = actor if target == "self" else target
    target_id = personas.ids[target_name]
    token = (await client.api_token(target_name))["Authorization"].removeprefix("Bearer ")
    token_id = (await ApiToken.select(ApiToken.id).output(as_list=True))[0]
    if action == "enable":
        await User.update({User.is_active: False}).where(User.id == target_id)
    await client.login(actor)
    allowed = MANAGES[(actor, target)] or (target == "self" and actor == "adam" and action in {"view", "revoke-token"})
    if action == "view":
        response = await client.http.get(f"/admin/users/{target_id}")
    elif action == "revoke-token":
        response = await client.post_form(
            f"/admin/users/{target_id}/tokens/{token_id}/revoke", {}, csrf_from="/account"
        )
    else:
        role, district = SAME_ROLE.get(target_name, (None, ""))
        data = {"role": role or ("admin" if target_name == "adam" else "city_officer"), "district": district}
        response = await client.post_form(f"/admin/users/{target_id}/{action}", data, csrf_from="/account")
    assert response.status_code in ({200, 302} if allowed else {403}), response.text[:300]
    assert (await ApiToken.exists().where(ApiToken.id == token_id)) is not (allowed and action != "view")
    assert token


async def test_it_ends_a_disabled_users_session_and_token_at_his_next_request(
    client: Any, new_client: Any, personas: Any
) -> None:
    alice = new_client()
    await alice.login("alice")
    token = await alice.api_token("alice")
    assert (await alice.http.get("/cases/mine")).status_code == 200
    await client.login("adam")
    confirm = await client.http.get(f"/admin/users/{personas.ids['alice']}/disable")
    assert confirm.status_code == 200 and 'action="/admin/users/' in confirm.text
    assert (await act(client, "disable", personas.ids["alice"])).status_code == 302
    assert (await alice.http.get("/cases/mine")).status_code == 302  # to the sign-in page
    assert (await alice.http.get("/api/v1/cases", headers=token)).status_code == 401
    assert (await alice.login("alice")).status_code == 400
    assert "已停用" in (await client.http.get(f"/admin/users/{personas.ids['alice']}")).text
    assert (await act(client, "enable", personas.ids["alice"])).status_code == 302
    assert (await alice.login("alice")).status_code == 302


async def test_it_forces_a_change_after_a_password_reset_that_works_once(
    client: Any, new_client: Any, personas: Any
) -> None:
    alice = new_client()
    await alice.login("alice")
    await client.login("adam")
    shown = await act(client, "reset-password", personas.ids["alice"])
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    temporary = temporary_password(shown.text)
    assert temporary not in (await client.http.get(f"/admin/users/{personas.ids['alice']}")).text
    assert (await alice.http.get("/cases/mine")).status_code == 302  # the reset ended her session
    assert (await alice.login("alice", PASSWORD)).status_code == 400
    assert (await alice.login("alice", temporary)).status_code == 302
    forced = await alice.http.get("/cases/mine")
    assert forced.status_code == 302 and forced.headers["location"] == "/account/password"
    token = await alice.api_token("alice", temporary)
    refused = await alice.http.get("/api/v1/cases", headers=token)
    assert refused.status_code == 403 and "重置" in refused.json()["detail"]
    changed = await alice.post_form(
        "/account/password",
        {"current_password": temporary, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert (await alice.http.get("/cases/mine")).status_code == 200
    assert (await alice.http.get("/api/v1/cases", headers=token)).status_code == 401  # tokens ended too
    again = new_client()
    assert (await again.login("alice", temporary)).status_code == 400  # the temporary password worked once
    assert (await again.login("alice", NEW_PASSWORD)).status_code == 302


async def test_it_ends_his_other_sessions_but_keeps_this_one_when_he_changes_his_password(
    new_client: Any, personas: Any
) -> None:
    here, elsewhere = new_client(), new_client()
    await here.login("olga")
    await elsewhere.login("olga")
    token = await elsewhere.api_token("olga")
    wrong = await here.post_form(
        "/account/password",
        {"current_password": "not-my-password", "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.text
    short = await here.post_form(
        "/account/password", {"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"}
    )
    assert short.status_code == 400
    changed = await here.post_form(
        "/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_again": NEW_PASSWORD},
    )
    assert changed.status_code == 302 and changed.headers["location"] == "/account?changed=1"
    assert (await here.http.get("/cases/queue")).status_code == 200
    assert (await elsewhere.http.get("/cases/queue")).status_code == 302
    assert (await elsewhere.http.get("/api/v1/cases", headers=token)).status_code == 401


async def test_it_changes_a_role_and_district_and_restarts_his_sessions(
    client: Any, new_client: Any, personas: Any
) -> None:
    alice = new_client()
    await alice.login("alice")
    await client.login("carl")
    to_admin = await act(client, "role", personas.ids["alice"], {"role": "admin", "district": ""})
    assert to_admin.status_code == 403  # a city officer gives only broker and district officer roles
    no_district = await act(client, "role", personas.ids["alice"], {"role": "district_officer", "district": ""})
    assert no_district.status_code == 400
    done = await act(client, "role", personas.ids["alice"], {"role": "district_officer", "district": DISTRICT_A})
    assert done.status_code == 302
    row = await User.select(User.role, User.district).where(User.id == personas.ids["alice"]).first()
    assert row == {"role": "district_officer", "district": DISTRICT_A}
    assert (await alice.http.get("/cases/mine")).status_code == 302
    await alice.login("alice")
    assert (await alice.http.get("/cases/queue")).status_code == 200


async def test_it_keeps_the_last_active_admin(client: Any, personas: Any) -> None:
    second = personas.add("ada", Role.ADMIN)
    await client.login("adam")
    assert (await act(client, "disable", personas.ids["adam"])).status_code == 403  # not himself
    assert (await act(client, "disable", second)).status_code == 302
    assert (await User.count().where(User.is_active == True)) == 7  # noqa: E712


async def test_it_audits_every_account_change_without_passwords(client: Any, personas: Any) -> None:
    await client.login("adam")
    alice = personas.ids["alice"]
    shown = await act(client, "reset-password", alice)
    await act(client, "disable", alice)
    await act(client, "enable", alice)
    await act(client, "role", alice, {"role": "broker", "district": DISTRICT_A})
    rows = await AuditEvent.select().where(AuditEvent.kind == "account_changed").output(load_json=True)
    assert [(r["detail"]["change"], r["target"], r["actor_id"]) for r in rows] == [
        (change, f"user:{alice}", personas.ids["adam"])
        for change in ("reset_password", "disable", "enable", "change_role")
    ]
    assert all(temporary_password(shown.text) not in str(r) for r in rows)


async def test_it_lists_users_for_city_officers_without_the_creation_form(client: Any, personas: Any) -> None:
    await client.login("carl")
    page = await client.http.get("/admin/users")
    assert page.status_code == 200
    assert f'href="/admin/users/{personas.ids["alice"]}"' in page.text
    assert 'action="/admin/users"' not in page.text
    await client.login("olga")
    assert (await client.http.get("/admin/users")).status_code == 403
