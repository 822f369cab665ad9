"""Signing in and out by page and by token."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
import pytest

from accounts.signin import forget_old_login_attempts
from accounts.tables import LoginAttempt
from accounts.throttle import ACCOUNT, PAIR, SOURCE, WINDOW
from core.audit import AuditKind
from core.tables import AuditEvent, Session
from tests.conftest import PASSWORD, Client

pytestmark = pytest.mark.anyio

ZH_BAD_CREDENTIALS = "用户名或密码错误"
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"  # alice's own client, which has not been failing

ClientAt = Callable[[str], Client]


@pytest.fixture
async def client_at(app: Any) -> AsyncIterator[ClientAt]:
    """A factory of clients connecting from a given address (each with its own cookie jar)."""
    opened: list[httpx.AsyncClient] = []

    def make(address: str) -> Client:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        opened.append(httpx.AsyncClient(transport=transport, base_url="http://testserver"))
        return Client(opened[-1])

    yield make
    for http in opened:
        await http.aclose()


async def time_passes(seconds: int) -> None:
    """Move every recorded attempt `seconds` into the past: as if everyone had waited, without sleeping."""
    for row in await LoginAttempt.select(LoginAttempt.id, LoginAttempt.at):
        await LoginAttempt.update({LoginAttempt.at: row["at"] - timedelta(seconds=seconds)}).where(
            LoginAttempt.id == row["id"]
        )


async def fail(client: Client, username: str, failures: int) -> None:
    """Sign in with a wrong password until `failures` were checked, waiting out each delay (without sleeping)."""
    checked = 0
    while checked < failures:
        answer = await client.login(username, "wrong-password")
        if answer.status_code == 429:
            await time_passes(int(answer.headers["retry-after"]))
        else:
            assert answer.status_code == 400
            checked += 1


async def audited(kind: AuditKind) -> list[dict[str, Any]]:
    return await AuditEvent.select(AuditEvent.target, AuditEvent.source).where(AuditEvent.kind == kind.value)


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


async def test_it_slows_a_client_guessing_a_password_but_not_its_owner(
    client: Any, personas: Any, client_at: ClientAt
) -> None:
    await fail(client, "alice", PAIR.after + 2)  # delays of 1 s and 2 s waited out: now 4 s
    slowed = await client.login("alice")  # this client is failing: even the right password waits
    assert slowed.status_code == 429
    assert re.search(r"请 [1-4] 秒后再试", slowed.text)
    assert 1 <= int(slowed.headers["retry-after"]) <= 4
    assert 'value="alice"' in slowed.text  # the form stays
    owner = client_at(OWNER)
    assert (await owner.login("alice")).status_code == 302  # no lock: the owner elsewhere signs in


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


async def test_it_slows_one_client_spraying_many_usernames(client_at: ClientAt, personas: Any) -> None:
    attacker, owner = client_at(ATTACKER), client_at(OWNER)
    names = ["alice", "adam", "olga", *(f"user{i:02}" for i in range(37))]  # known and unknown names alike
    answers = [(await attacker.login(name, "Winter2026!")).status_code for name in names]
    assert answers[: SOURCE.after] == [400] * SOURCE.after
    # Each further guess doubles the wait (1 s, 2 s, 4 s …): a slow test machine may let a few
    # through as a wait runs out, never more than the doubling allows in the seconds the run takes.
    guesses = answers.count(400)
    assert SOURCE.after <= guesses <= SOURCE.after + 5  # 1+2+4+8+16+32 s: a minute of run
    assert answers.count(429) == len(names) - guesses
    assert await LoginAttempt.count().where(LoginAttempt.source == ATTACKER) == guesses

    # The owner, whose name was among them, signs in from his own client at once, by page and by API.
    assert (await owner.login("alice")).status_code == 302
    assert await owner.api_token("alice")  # 201

    # Waiting out each delay buys one more guess, and a wait twice as long after it.
    await time_passes(int(SOURCE.cap.total_seconds()))  # whatever the spray earned, it has been waited out
    waits = []
    for name in ("user90", "user91", "user92", "user93"):
        guess = await attacker.http.post("/api/v1/auth/token", json={"username": name, "password": "Spring2026!"})
        assert guess.status_code == 422  # checked, and wrong
        refused = await attacker.http.post("/api/v1/auth/token", json={"username": name, "password": "Spring2026!"})
        assert refused.status_code == 429
        waits.append(int(refused.headers["retry-after"]))
        await time_passes(waits[-1])
    # Doubling (a whole second may be spent between the guess and the refusal on a busy machine).
    assert all(2 * earlier - 1 <= later <= 2 * earlier + 2 for earlier, later in pairwise(waits))

    # After the window the slate is clean: delays, never a lock.
    await time_passes(int(WINDOW.total_seconds()))
    assert (await attacker.login("user99", "Summer2026!")).status_code == 400


async def test_it_keeps_an_account_under_a_distributed_attack_reachable(client_at: ClientAt, personas: Any) -> None:
    sources = [f"192.0.2.{n}" for n in range(1, 2 * ACCOUNT.after + 1)]
    for source in sources:  # each address guesses once: below every measure of its own
        assert (await client_at(source).login("alice", "Autumn2026!")).status_code == 400
    # An address that has failed on alice waits before its next guess, but only a little: the account-wide cap.
    slowed = await client_at(sources[0]).http.post(
        "/api/v1/auth/token", json={"username": "alice", "password": "Spring2026!"}
    )
    assert slowed.status_code == 429
    assert 1 <= int(slowed.headers["retry-after"]) <= ACCOUNT.cap.total_seconds()
    assert "秒后再试" in slowed.json()["detail"]
    # The owner from his own client is not slowed at all.
    assert (await client_at(OWNER).login("alice")).status_code == 302


async def test_it_clears_a_clients_failures_on_an_account_when_it_signs_in(client: Any, personas: Any) -> None:
    for _ in range(PAIR.after - 1):
        assert (await client.login("alice", "wrong-password")).status_code == 400
    assert (await client.login("alice")).status_code == 302
    for _ in range(PAIR.after - 1):  # a typo after signing in starts afresh
        assert (await client.login("alice", "wrong-password")).status_code == 400


async def test_it_audits_each_failure_and_each_refusal(client_at: ClientAt, personas: Any) -> None:
    attacker = client_at(ATTACKER)
    answers = [(await attacker.login("Alice ", "wrong-password")).status_code for _ in range(PAIR.after + 2)]
    failed, throttled = await audited(AuditKind.SIGN_IN_FAILED), await audited(AuditKind.SIGN_IN_THROTTLED)
    assert len(failed) == answers.count(400) >= PAIR.after
    assert len(throttled) == answers.count(429) >= 1
    assert {(row["target"], row["source"]) for row in failed + throttled} == {("user:Alice ", ATTACKER)}
    await client_at(OWNER).login("alice")
    assert len(await audited(AuditKind.SIGN_IN_FAILED)) == len(failed)  # a success is not a failure


async def test_it_forgets_attempts_older_than_the_window(client_at: ClientAt, personas: Any) -> None:
    for _ in range(2):
        await client_at(ATTACKER).login("alice", "wrong-password")
    await time_passes(int(WINDOW.total_seconds()) + 1)
    await client_at(ATTACKER).login("bob", "wrong-password")
    assert await forget_old_login_attempts(datetime.now(UTC)) == 2
    assert await forget_old_login_attempts(datetime.now(UTC)) == 0  # twice: nothing more to do
    assert await LoginAttempt.count() == 1
