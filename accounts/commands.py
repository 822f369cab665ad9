"""`fuchi user list | disable | enable | set-role | reset-password | tokens | revoke-tokens`.

The operator at the command line acts as no user (audited with no actor) and through the same
service calls as the pages; only the last-administrator rule binds him.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from accounts import lifecycle, tokens
from accounts.policy import Role
from core.config import settings
from core.errors import DomainError, Invalid
from core.i18n import gettext

T = TypeVar("T")
LIST_PAGE = 1000  # users per page of `fuchi user list`, read until done


def add_commands(commands: Any) -> None:
    user = commands.add_parser("user", help="account lifecycle: list, disable, enable, set roles, reset passwords")
    actions = user.add_subparsers(dest="user_command", required=True)
    actions.add_parser("list", help="every account: id, username, role, district, status")
    for name, text in (
        ("disable", "disable an account: ends its sessions and API tokens"),
        ("enable", "enable a disabled account again"),
        ("reset-password", "give a temporary password (printed once) that must be changed at sign-in"),
        ("tokens", "list the account's live API tokens"),
        ("revoke-tokens", "revoke every API token of the account"),
    ):
        actions.add_parser(name, help=text).add_argument("username")
    set_role = actions.add_parser("set-role", help="change an account's role (and district): ends its sessions")
    set_role.add_argument("username")
    set_role.add_argument("--role", required=True, choices=[role.value for role in Role])
    set_role.add_argument("--district", default="", help="GB/T 2260 code, for brokers and district officers")


def run(args: argparse.Namespace) -> bool:
    if args.command != "user":
        return False
    if args.user_command == "list":
        _list_users()
    elif args.user_command == "tokens":
        _list_tokens(args.username)
    else:
        print(_act(args))
    return True


def _run(work: Callable[[], Awaitable[T]]) -> T:
    """Run a service call; a refusal ends the command with its message, in English, and status 1."""
    try:
        return asyncio.run(_call(work))
    except Invalid as error:
        sys.exit("; ".join(f"{field}: {gettext('en', message)}" for field, message in error.errors.items()))
    except DomainError as error:
        sys.exit(gettext("en", error.message, **error.params))


async def _call(work: Callable[[], Awaitable[T]]) -> T:
    return await work()


def _act(args: argparse.Namespace) -> str:
    username: str = args.username

    async def act() -> str:
        user_id = await lifecycle.user_id_of(username)
        if args.user_command == "disable":
            await lifecycle.disable_user(None, user_id, source="cli")
            return f"disabled {username}: his sessions and API tokens have ended"
        if args.user_command == "enable":
            await lifecycle.enable_user(None, user_id, source="cli")
            return f"enabled {username}"
        if args.user_command == "set-role":
            await lifecycle.change_role(None, user_id, args.role, args.district, source="cli")
            return f"{username} is now {args.role}" + (f" of {args.district}" if args.district else "")
        if args.user_command == "reset-password":
            temporary = await lifecycle.reset_password(None, user_id, source="cli")
            return f"temporary password for {username} (shown once; he must change it at sign-in): {temporary}"
        revoked = await lifecycle.revoke_user_tokens(None, user_id, source="cli")
        return f"revoked {revoked} API tokens of {username}"

    return _run(act)


def _list_users() -> None:
    async def read() -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        page = 1
        while True:
            batch, total = await lifecycle.list_accounts(page, LIST_PAGE)
            rows.extend(batch)
            if len(rows) >= total or not batch:
                return rows
            page += 1

    for row in _run(read):
        status = "active" if row["is_active"] else "disabled"
        if row["must_change_password"]:
            status += ", must change password"
        print(f"{row['id']}\t{row['username']}\t{row['role']}\t{row['district'] or '-'}\t{status}")


def _list_tokens(username: str) -> None:
    async def read() -> list[dict[str, Any]]:
        rows, _ = await tokens.list_tokens(await lifecycle.user_id_of(username), 1, LIST_PAGE)
        return rows

    for row in _run(read):
        used = (
            row["last_used_at"].astimezone(settings.display_timezone).strftime("%Y-%m-%d %H:%M")
            if row["last_used_at"]
            else "never used"
        )
        expires = row["expires_at"].astimezone(settings.display_timezone).strftime("%Y-%m-%d %H:%M")
        print(f"{row['id']}\t{row['name']}\texpires {expires}\t{used}")
