"""Account services: sign-in, tokens, creating users, the inbox."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from accounts import passwords
from accounts.identity import CurrentUser
from accounts.policy import ROLES_WITH_DISTRICT, Role
from accounts.signin import BAD_CREDENTIALS as BAD_CREDENTIALS  # its old home
from accounts.signin import authenticate as authenticate
from accounts.tables import Notification, User
from accounts.tokens import TOKEN_LIFETIME as TOKEN_LIFETIME  # their old home
from accounts.tokens import IssuedToken as IssuedToken
from accounts.tokens import issue_token as issue_token
from core.db import write_transaction
from core.districts import is_district
from core.errors import Invalid
from core.jobs import dispatch, promise_job


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    password: str
    role: str
    district: str = ""


def validate_new_user(data: NewUser) -> dict[str, str]:
    """Field -> message id for everything wrong with `data`."""
    errors: dict[str, str] = {}
    username = data.username.strip().lower()
    if not username or not username.replace("_", "").replace("-", "").isalnum() or not username.isascii():
        errors["username"] = "Use letters, digits, '-' or '_' for the username."
    if not data.display_name.strip():
        errors["display_name"] = "This field is required."
    if (problem := passwords.password_problem(data.password)) is not None:
        errors["password"] = problem
    if data.role not in Role.__members__.values():
        errors["role"] = "Choose a role."
    elif Role(data.role) in ROLES_WITH_DISTRICT and not is_district(data.district):
        errors["district"] = "Choose a district."
    return errors


async def create_user(data: NewUser) -> int:
    """Create an account and promise its welcome notification; returns the new user's id."""
    if errors := validate_new_user(data):
        raise Invalid(errors)
    username = data.username.strip().lower()
    password_hash = await asyncio.to_thread(passwords.hash_password, data.password)
    role = Role(data.role)
    async with write_transaction():
        if await User.exists().where(User.username == username):
            raise Invalid({"username": "This username is taken."})
        rows = await User.insert(
            User(
                username=username,
                display_name=data.display_name.strip(),
                password_hash=password_hash,
                role=role,
                district=data.district if role in ROLES_WITH_DISTRICT else "",
            )
        ).returning(User.id)
        user_id: int = rows[0]["id"]
        job_id = f"welcome-{user_id}"
        await promise_job("accounts.jobs.send_welcome_notification", [user_id], job_id, timeout_seconds=30)
    await dispatch([job_id])
    return user_id


async def list_users(page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
    rows = await (
        User.select(User.id, User.username, User.display_name, User.role, User.district, User.created_at)
        .order_by(User.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return rows, await User.count()


def _number_of(link: str) -> str:
    """The number at the end of a message's link (`/cases/12` -> "12"): the `{number}` of its subject."""
    last = link.rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdigit() else ""


async def inbox(user: CurrentUser, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
    """A page of the user's messages, newest first, each with the `number` its subject names."""
    where = Notification.user == user.id
    rows = await (
        Notification.select()
        .where(where)
        .order_by(Notification.created_at, ascending=False)
        .order_by(Notification.id, ascending=False)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return [{**row, "number": _number_of(row["link"])} for row in rows], await Notification.count().where(where)


async def mark_read(user: CurrentUser, notification_ids: list[int]) -> int:
    """Mark the user's messages shown to him as read; returns how many were unread."""
    if not notification_ids:
        return 0
    read = (
        await Notification.update({Notification.read_at: datetime.now(UTC)})
        .where(
            (Notification.user == user.id) & Notification.id.is_in(notification_ids) & Notification.read_at.is_null()
        )
        .returning(Notification.id)
    )
    return len(read)


async def mark_all_read(user: CurrentUser) -> int:
    """Mark every unread message of the user as read; returns how many there were."""
    read = (
        await Notification.update({Notification.read_at: datetime.now(UTC)})
        .where((Notification.user == user.id) & Notification.read_at.is_null())
        .returning(Notification.id)
    )
    return len(read)
