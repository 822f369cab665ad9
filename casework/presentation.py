"""How case states and transitions appear in templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casework.access import case_reach
from casework.workflow import CaseState, Transition
from core.web import TemplateCallable

TEMPLATE_GLOBALS: dict[str, Any] = {
    "state_options": [(m.value, m.label) for m in CaseState],
    "state_label": lambda v: CaseState(v).label if v in CaseState.__members__.values() else v,
    "transition_label": lambda v: Transition(v).label if v in Transition.__members__.values() else v,
}


def _reaches_every_case(ctx: Mapping[str, Any]) -> bool:
    """Whether the user reaches every district's cases (so a district filter makes sense)."""
    user = ctx["request"].scope.get("user")
    return user is not None and case_reach(user.actor).everything


TEMPLATE_CALLABLES: dict[str, TemplateCallable] = {"reaches_every_case": _reaches_every_case}
