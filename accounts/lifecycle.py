"""An account's life: disabled and enabled, given a role, a password reset or changed by its owner.

Each change bumps the user's `session_generation` (his page sessions carry the one they began
with, so every older session stops at its next request) and deletes his API tokens, in the
transaction that makes the change and writes its audit event. Who may do what to whom is
`accounts.account_rules`; the pages, the API and the `fuchi user` commands all call these.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from accounts import passwords
from accounts.account_rules import (
    AccountAction,
    AccountHolder,
    assignable_roles,
    available_account_actions,
    check_account_action,
)
from accounts.identity import CurrentUser
from accounts.policy import ROLES_WITH_DISTRICT, Actor, Role
from accounts.tables import ApiToken, User
from accounts.tokens import list_tokens, revoke_all_tokens
from core.audit import AuditKind, record_event
from core.db import engine, write_transaction
from core.districts import is_district
from core.errors import Invalid, NotFound

WRONG_PASSWORD = "The current password is wrong."
SAME_PASSWORD = "Choose a password different from the current one."
TEMPORARY_PASSWORD_BYTES = 12  # 16 characters of URL-safe base64: read out or pasted once

_SHOWN = (
    User.id,
    User.username,
    User.display_name,
    User.role,
    User.district,
    User.town,
    User.is_active,
    User.must_change_password,
    User.created_at,
)


def _holder(row: dict[str, Any]) -> AccountHolder:
    return AccountHolder(user_id=row["id"], role=Role(row["role"]), is_active=bool(row["is_active"]))


def _acting(actor: Actor | None) -> AccountHolder | None:
    return None if actor is None else AccountHolder(user_id=actor.user_id, role=actor.role)


async def _target(user_id: int) -> dict[str, Any]:
    row = await User.select(*_SHOWN).where(User.id == user_id).first()
    if row is None:
        raise NotFound()
    return row


async def _active_admins() -> int:
    """Enabled administrators; on PostgreSQL their rows stay locked to the commit, so that two
    administrators disabling each other at once cannot both pass the last-administrator rule."""
    active = (User.role == Role.ADMIN) & (User.is_active == True)  # noqa: E712
    if isinstance(engine(), PostgresEngine):
        return len(await User.select(User.id).where(active).lock_rows())
    count: int = await User.count().where(active)
    return count  # SQLite: the IMMEDIATE transaction already serialises writers


@dataclass(frozen=True)
class AccountFile:
    """What the user's admin page shows: the account, his live tokens, and what the viewer may do."""

    user: dict[str, Any]
    tokens: list[dict[str, Any]]
    token_total: int
    actions: frozenset[AccountAction]
    roles: list[Role]


async def account_file(actor: Actor | None, user_id: int) -> AccountFile:
    row = await _target(user_id)
    active_admins = await User.count().where((User.role == Role.ADMIN) & (User.is_active == True))  # noqa: E712
    check_account_action(_acting(actor), _holder(row), AccountAction.VIEW, active_admins)
    tokens, total = await list_tokens(user_id)
    actions = available_account_actions(_acting(actor), _holder(row), active_admins)
    return AccountFile(
        user=row, tokens=tokens, token_total=total, actions=actions, roles=assignable_roles(_acting(actor))
    )


async def _change(
    actor: Actor | None,
    user_id: int,
    action: AccountAction,
    values: dict[Any, Any],
    detail: dict[str, Any],
    source: str,
    new_role: Role | None = None,
) -> None:
    """Check the rule, write `values`, end his sessions and tokens, audit: one transaction."""
    async with write_transaction():
        target = await _target(user_id)
        check_account_action(_acting(actor), _holder(target), action, await _active_admins(), new_role)
        await User.update({**values, User.session_generation: User.session_generation + 1}).where(User.id == user_id)
        revoked = await revoke_all_tokens(user_id)
        await record_event(
            AuditKind.ACCOUNT_CHANGED,
            actor_id=actor.user_id if actor else None,
            target=f"user:{user_id}",
            detail={"change": action.value, **detail, "tokens_revoked": revoked},
            source=source,
        )


async def disable_user(actor: Actor | None, user_id: int, source: str = "") -> None:
    await _change(actor, user_id, AccountAction.DISABLE, {User.is_active: False}, {}, source)


async def enable_user(actor: Actor | None, user_id: int, source: str = "") -> None:
    await _change(actor, user_id, AccountAction.ENABLE, {User.is_active: True}, {}, source)


def _role_and_district(role: str, district: str) -> tuple[Role, str]:
    if role not in Role.__members__.values():
        raise Invalid({"role": "Choose a role."})
    chosen = Role(role)
    if chosen in ROLES_WITH_DISTRICT and not is_district(district):
        raise Invalid({"district": "Choose a district."})
    return chosen, district if chosen in ROLES_WITH_DISTRICT else ""


async def change_role(actor: Actor | None, user_id: int, role: str, district: str, source: str = "") -> None:
    """Give the user a role (and the district it needs): his sessions restart with it."""
    new_role, new_district = _role_and_district(role, district)
    await _change(
        actor,
        user_id,
        AccountAction.CHANGE_ROLE,
        {User.role: new_role.value, User.district: new_district},
        {"role": new_role.value, "district": new_district},
        source,
        new_role=new_role,
    )


async def reset_password(actor: Actor | None, user_id: int, source: str = "") -> str:
    """Give the user a temporary password, returned once to be handed over; he must change it at sign-in."""
    temporary = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    password_hash = await asyncio.to_thread(passwords.hash_password, temporary)
    values = {User.password_hash: password_hash, User.must_change_password: True}
    await _change(actor, user_id, AccountAction.RESET_PASSWORD, values, {}, source)
    return temporary


async def change_own_password(user: CurrentUser, current: str, new: str, source: str = "") -> int:
    """The user's new password; ends his other sessions and all his tokens. Returns the generation
    the caller's own session moves to, so that it alone lives on."""
    errors: dict[str, str] = {}
    if (problem := passwords.password_problem(new)) is not None:
        errors["new_password"] = problem
    elif new == current:
        errors["new_password"] = SAME_PASSWORD
    row = await User.select(User.password_hash).where(User.id == user.id).first()
    ok = await asyncio.to_thread(passwords.verify_password, row["password_hash"] if row else None, current)
    if not ok:
        errors = {"current_password": WRONG_PASSWORD, **errors}
    if errors:
        raise Invalid(errors)
    password_hash = await asyncio.to_thread(passwords.hash_password, new)
    async with write_transaction():
        rows = (
            await User.update(
                {
                    User.password_hash: password_hash,
                    User.must_change_password: False,
                    User.session_generation: User.session_generation + 1,
                }
            )
            .where((User.id == user.id) & (User.is_active == True))  # noqa: E712
            .returning(User.session_generation)
        )
        if not rows:
            raise NotFound()
        revoked = await revoke_all_tokens(user.id)
        await record_event(
            AuditKind.ACCOUNT_CHANGED,
            actor_id=user.id,
            target=f"user:{user.id}",
            detail={"change": "own_password", "tokens_revoked": revoked},
            source=source,
        )
    generation: int = rows[0]["session_generation"]
    return generation


async def revoke_user_token(actor: Actor | None, user_id: int, token_id: int, source: str = "") -> None:
    """An account manager revokes one token of a user he may manage (see `account_rules`)."""
    async with write_transaction():
        target = await _target(user_id)
        check_account_action(_acting(actor), _holder(target), AccountAction.REVOKE_TOKENS, await _active_admins())
        gone = (
            await ApiToken.delete().where((ApiToken.id == token_id) & (ApiToken.user == user_id)).returning(ApiToken.id)
        )
        if not gone:
            raise NotFound()
        await record_event(
            AuditKind.TOKEN_REVOKED,
            actor_id=actor.user_id if actor else None,
            target=f"user:{user_id}",
            detail={"token": token_id, "by": "manager"},
            source=source,
        )


async def revoke_user_tokens(actor: Actor | None, user_id: int, source: str = "") -> int:
    """Revoke every token of a user (the operator's `fuchi user revoke-tokens`); returns how many."""
    async with write_transaction():
        target = await _target(user_id)
        check_account_action(_acting(actor), _holder(target), AccountAction.REVOKE_TOKENS, await _active_admins())
        revoked = await revoke_all_tokens(user_id)
        await record_event(
            AuditKind.TOKEN_REVOKED,
            actor_id=actor.user_id if actor else None,
            target=f"user:{user_id}",
            detail={"tokens": revoked, "by": "manager"},
            source=source,
        )
    return revoked


async def user_id_of(username: str) -> int:
    """The id of the account with this username (as typed at the command line)."""
    row = await User.select(User.id).where(User.username == username.strip().lower()).first()
    if row is None:
        raise NotFound("No user is called {username}.", username=username)
    user_id: int = row["id"]
    return user_id


async def list_accounts(page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
    rows = await User.select(*_SHOWN).order_by(User.id).limit(per_page).offset((page - 1) * per_page)
    return rows, await User.count()
