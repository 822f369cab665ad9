"""A district's follow-up settings as a form: who reaches which district's, their bounds, what was shortened.

Pure: no web, database or queue. `casework.followups.settings_service` reads and writes the rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from accounts.policy import Actor, Role
from casework.followups.rules import OfferLapse, Settings
from core.reach import EVERYTHING, NOTHING, Reach, reach, reaches


def settings_reach(actor: Actor) -> Reach:
    """City officers and administrators reach every district's settings, a district officer his own's."""
    if actor.role in (Role.CITY_OFFICER, Role.ADMIN):
        return EVERYTHING
    if actor.role is Role.DISTRICT_OFFICER and actor.district:
        return reach(district=actor.district)
    return NOTHING


def may_reach_settings(actor: Actor, district: str) -> bool:
    return reaches(settings_reach(actor), {"district": district})


@dataclass(frozen=True)
class Bound:
    low: int
    high: int
    message: str
    optional: bool = False  # empty means "not set" (the offer's deadline in minutes)


WORKING_DAYS_20 = "Enter a whole number of working days from 1 to 20."
WORKING_DAYS_10 = "Enter a whole number of working days from 1 to 10."
WORKING_DAYS_30 = "Enter a whole number of working days from 1 to 30."

BOUNDS: dict[str, Bound] = {
    "offer_working_days": Bound(1, 20, WORKING_DAYS_20),
    "offer_minutes": Bound(1, 1440, "Enter a number of minutes from 1 to 1440, or leave it empty.", optional=True),
    "triage_working_days": Bound(1, 20, WORKING_DAYS_20),
    "plan_review_working_days": Bound(1, 20, WORKING_DAYS_20),
    "escalate_after_working_days": Bound(1, 10, WORKING_DAYS_10),
    "measure_remind_working_days": Bound(1, 10, WORKING_DAYS_10),
    "visit_every_days": Bound(7, 180, "Enter a whole number of days from 7 to 180."),
    "task_working_days": Bound(1, 30, WORKING_DAYS_30),
}
# Settings chosen from a list rather than typed: each value and its label.
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "on_offer_lapse": tuple((choice.value, choice.label) for choice in OfferLapse),
}
CHOOSE_LAPSE = "Choose what happens to a case when its offer lapses."
_CHOICE_MESSAGES = {"on_offer_lapse": CHOOSE_LAPSE}

FIELDS = tuple(f.name for f in fields(Settings))
assert set(FIELDS) == set(BOUNDS) | set(CHOICES), "every setting has its bounds or its choices"

_LABELS = {
    "offer_working_days": "Time to answer an offer (working days)",
    "offer_minutes": "Time to answer an offer in minutes (demonstrations and training)",
    "triage_working_days": "Time to triage a new case (working days)",
    "plan_review_working_days": "Time to review a submitted plan (working days)",
    "escalate_after_working_days": "Escalate to the next person after (working days)",
    "measure_remind_working_days": "Remind of a measure before its due date (working days)",
    "visit_every_days": "Visit a case in progress every (days)",
    "task_working_days": "Time for a broker's visit or survey task (working days)",
    "on_offer_lapse": "When an offer lapses",
}


def label(name: str) -> str:
    return _LABELS[name]


def as_form(settings: Settings) -> dict[str, str]:
    """The settings as the form shows them."""
    return {name: "" if getattr(settings, name) is None else str(getattr(settings, name)) for name in FIELDS}


def parse_settings(form: Mapping[str, str]) -> tuple[Settings | None, dict[str, str]]:
    """The form's settings, or None and each wrong field's message."""
    values: dict[str, int | str | None] = {}
    errors: dict[str, str] = {}
    for name, options in CHOICES.items():
        chosen = str(form.get(name) or "").strip()
        if chosen in {value for value, _label in options}:
            values[name] = chosen
        else:
            errors[name] = _CHOICE_MESSAGES[name]
    for name, bound in BOUNDS.items():
        text = str(form.get(name) or "").strip()
        if not text and bound.optional:
            values[name] = None
            continue
        number = int(text) if text.isdigit() and len(text) <= 6 else None
        if number is None or not bound.low <= number <= bound.high:
            errors[name] = bound.message
        else:
            values[name] = number
    if errors:
        return None, errors
    return Settings(**values), {}  # type: ignore[arg-type]


def shortened(old: Settings, new: Settings) -> list[str]:
    """The settings whose time the change shortens: each needs a confirmation before it is saved.

    A deadline in minutes where there was none shortens the offer's deadline (minutes, not days).
    """
    changed = []
    for name in BOUNDS:
        before, after = getattr(old, name), getattr(new, name)
        if name == "offer_minutes":
            if after is not None and (before is None or after < before):
                changed.append(name)
        elif after < before:
            changed.append(name)
    return changed
