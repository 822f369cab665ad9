"""What templates ask of accounts: the policy (`may`) and how roles read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from accounts.policy import Action, Role, may
from core.web import TemplateCallable


def _may(ctx: Mapping[str, Any], action: str) -> bool:
    """Whether the signed-in user may do `action`: templates ask the policy, they do not test roles."""
    user = ctx["request"].scope.get("user")
    return user is not None and may(user.actor, Action(action))


def _role_options(ctx: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role]


def _role_label(ctx: Mapping[str, Any], role: str) -> str:
    return Role(role).label if role in Role.__members__.values() else role


TEMPLATE_CALLABLES: dict[str, TemplateCallable] = {
    "may": _may,
    "role_options": _role_options,
    "role_label": _role_label,
}
