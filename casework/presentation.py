"""How case states and transitions appear in templates."""

from __future__ import annotations

from typing import Any

from casework.workflow import CaseState, Transition

TEMPLATE_GLOBALS: dict[str, Any] = {
    "state_options": [(m.value, m.label) for m in CaseState],
    "state_label": lambda v: CaseState(v).label if v in CaseState.__members__.values() else v,
    "transition_label": lambda v: Transition(v).label if v in Transition.__members__.values() else v,
}
