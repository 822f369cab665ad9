"""Case services, by concern: filing (`casework.filing`), reading within reach (`casework.reading`),
moving a case on (`casework.moving`). Callers may import them from here."""

from __future__ import annotations

from casework.filing import file_need, move_cases_of_merged_enterprise
from casework.moving import STALE, Details, Moved, parse_details, transition_case
from casework.reading import (
    CaseFilter,
    case_events,
    case_file,
    case_queue,
    count_by_state,
    expert_choices,
    get_case,
    list_cases,
    reach_case,
)

__all__ = [
    "STALE",
    "CaseFilter",
    "Details",
    "Moved",
    "case_events",
    "case_file",
    "case_queue",
    "count_by_state",
    "expert_choices",
    "file_need",
    "get_case",
    "list_cases",
    "move_cases_of_merged_enterprise",
    "parse_details",
    "reach_case",
    "transition_case",
]
