"""`fuchi user …`: the operator's account commands, run through the real `fuchi` entry point."""

from __future__ import annotations

import re
from typing import Any

import pytest
from piccolo.utils.sync import run_sync

from accounts.identity import CurrentUser
from accounts.passwords import verify_password
from accounts.policy import Role
from accounts.tables import ApiToken, User
from accounts.tokens import issue_token
from operations.cli import main


def user(username: str) -> dict[str, Any]:
    row = User.select().where(User.username == username).first().run_sync()
    assert row is not None
    return row


def test_it_lists_every_account(personas: Any, capsys: pytest.CaptureFixture[str]) -> None:
    User.update({User.is_active: False}).where(User.username == "bob").run_sync()
    main(["user", "list"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 7
    assert any(line.split("\t")[1:] == ["bob", "broker", "500118", "disabled"] for line in lines)


def test_it_disables_and_enables_an_account(personas: Any, capsys: pytest.CaptureFixture[str]) -> None:
    generation = user("alice")["session_generation"]
    main(["user", "disable", "alice"])
    assert not user("alice")["is_active"] and user("alice")["session_generation"] == generation + 1
    main(["user", "enable", "alice"])
    assert user("alice")["is_active"]
    assert "enabled alice" in capsys.readouterr().out


def test_it_sets_a_role_and_district(personas: Any) -> None:
    main(["user", "set-role", "eve", "--role", "district_officer", "--district", "500118"])
    assert (user("eve")["role"], user("eve")["district"]) == ("district_officer", "500118")
    with pytest.raises(SystemExit, match="district"):
        main(["user", "set-role", "eve", "--role", "broker"])


def test_it_prints_a_temporary_password_that_must_be_changed(personas: Any, capsys: pytest.CaptureFixture[str]) -> None:
    main(["user", "reset-password", "olga"])
    temporary = re.search(r": (\S+)$", capsys.readouterr().out.strip())
    assert temporary
    row = user("olga")
    assert row["must_change_password"] and verify_password(row["password_hash"], temporary.group(1))


def test_it_lists_and_revokes_an_accounts_tokens(personas: Any, capsys: pytest.CaptureFixture[str]) -> None:
    carl = CurrentUser(
        id=personas.ids["carl"], username="carl", display_name="Carl", role=Role.CITY_OFFICER, district=""
    )
    run_sync(issue_token(carl, "report script"))
    main(["user", "tokens", "carl"])
    assert "report script" in capsys.readouterr().out
    main(["user", "revoke-tokens", "carl"])
    assert "revoked 1 API tokens of carl" in capsys.readouterr().out
    assert ApiToken.count().run_sync() == 0


def test_it_refuses_to_disable_the_last_admin_or_an_unknown_user(personas: Any) -> None:
    with pytest.raises(SystemExit, match="last active administrator"):
        main(["user", "disable", "adam"])
    with pytest.raises(SystemExit, match="nobody"):
        main(["user", "disable", "nobody"])
    assert user("adam")["is_active"]
