"""Checking an expert's profile, as the city's form, the expert's own form and the API send it.

Pure: values arrive as text (a form's fields; the API states its values as the form would), and
`today` and the expert's current active load are arguments. `parse_profile` returns the columns
to write or raises `Invalid` naming each bad field with a message id.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from core.districts import BY_CODE
from core.errors import Invalid
from enterprises.classification import INDUSTRY_SECTIONS, NeedCategory
from experts.matching import ConflictKind

MAX_CAPACITY = 50  # no one carries more active cases than this with any care
MAX_NAME = 100
MAX_ORGANISATION = 200
MAX_TITLE = 100
MAX_BIO = 2000
MAX_NOTE = 500

NAME_REQUIRED = "Enter the expert's name."
TOO_LONG = "This text is too long."
CAPACITY_NOT_A_NUMBER = "Enter a whole number from 0 to 50."
CAPACITY_BELOW_LOAD = "Capacity cannot be below the number of cases held now; finish or hand back a case first."
AWAY_NOT_A_DATE = "Enter a date as YYYY-MM-DD."
AWAY_IN_PAST = "The away-until date cannot be in the past."
UNKNOWN_CATEGORY = "Choose need categories from the list."
UNKNOWN_SECTION = "Choose industries from the list."
UNKNOWN_DISTRICT = "Choose districts from the list."
NOT_YES_OR_NO = "Choose yes or no."
CONFLICT_KIND_REQUIRED = "Choose the kind of conflict."
CONFLICT_TARGET_REQUIRED = "Name the enterprise (its number or credit code) or the founder the expert must not advise."

# Every field of the profile; the expert himself keeps the last four up to date.
CITY_FIELDS = (
    "name",
    "organisation",
    "title",
    "specialties",
    "supporting_specialties",
    "industries",
    "districts",
    "capacity",
    "available",
    "away_until",
    "bio",
)
OWN_FIELDS = ("capacity", "available", "away_until", "bio")
LIST_FIELDS = frozenset({"specialties", "supporting_specialties", "industries", "districts"})

CATEGORIES = tuple(category.value for category in NeedCategory)
SECTIONS = tuple(INDUSTRY_SECTIONS)


# What the pages call each kind of conflict (message ids).
CONFLICT_LABELS: dict[str, str] = {
    ConflictKind.KIN: "Kin",
    ConflictKind.EQUITY: "Equity stake",
    ConflictKind.CONSULTING: "Paid consulting",
}

FormValue = str | Sequence[str]


@dataclass(frozen=True)
class Load:
    """What the capacity is checked against: the active cases he leads now."""

    active: int = 0


def _text(value: FormValue | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return str(value[0]).strip() if value else ""


def _list(value: FormValue | None) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    # A form may send "a,b" in one field (the API, a spreadsheet cell) or the field repeated (checkboxes).
    found: list[str] = []
    for item in items:
        for part in str(item).replace("，", ",").replace("、", ",").split(","):
            if part.strip() and part.strip() not in found:
                found.append(part.strip())
    return found


def _choices(value: FormValue | None, known: Collection[str], upper: bool = False) -> list[str] | None:
    chosen = [item.upper() if upper else item for item in _list(value)]
    return chosen if all(item in known for item in chosen) else None


def unknown_values(value: FormValue | None, known: Collection[str], upper: bool = False) -> list[str]:
    """The values of a list field that are not in the known list (for a message naming them)."""
    return [item for item in _list(value) if (item.upper() if upper else item) not in known]


def parse_capacity(text: str) -> int | None:
    if not text.isdigit():
        return None
    number = int(text)
    return number if 0 <= number <= MAX_CAPACITY else None


def parse_profile(
    form: Mapping[str, FormValue], fields: Sequence[str], today: date, load: Load = Load()
) -> dict[str, object]:
    """The columns of the profile `form` sets, for the named `fields`; `Invalid` lists what is wrong."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for field, maximum in (
        ("name", MAX_NAME),
        ("organisation", MAX_ORGANISATION),
        ("title", MAX_TITLE),
        ("bio", MAX_BIO),
    ):
        if field not in fields:
            continue
        text = _text(form.get(field))
        if len(text) > maximum:
            errors[field] = TOO_LONG
        elif field == "name" and not text:
            errors[field] = NAME_REQUIRED
        values[field] = text
    for field, known, message, upper in (
        ("specialties", CATEGORIES, UNKNOWN_CATEGORY, False),
        ("supporting_specialties", CATEGORIES, UNKNOWN_CATEGORY, False),
        ("industries", SECTIONS, UNKNOWN_SECTION, True),
        ("districts", BY_CODE, UNKNOWN_DISTRICT, False),
    ):
        if field not in fields:
            continue
        chosen = _choices(form.get(field), known, upper)
        if chosen is None:
            errors[field] = message
        else:
            values[field] = chosen
    lead, supporting = values.get("specialties"), values.get("supporting_specialties")
    if isinstance(lead, list) and isinstance(supporting, list):
        # He leads on what he could support: the lead level says more.
        values["supporting_specialties"] = [category for category in supporting if category not in lead]
    if "capacity" in fields:
        capacity = parse_capacity(_text(form.get("capacity")))
        if capacity is None:
            errors["capacity"] = CAPACITY_NOT_A_NUMBER
        elif capacity < load.active:
            errors["capacity"] = CAPACITY_BELOW_LOAD
        values["capacity"] = capacity
    if "available" in fields:
        answer = _text(form.get("available")).lower()
        if answer not in {"yes", "no", "true", "false", "1", "0", ""}:
            errors["available"] = NOT_YES_OR_NO
        values["available"] = answer in {"yes", "true", "1"}
    if "away_until" in fields:
        text = _text(form.get("away_until"))
        away: date | None = None
        if text:
            try:
                away = date.fromisoformat(text)
            except ValueError:
                errors["away_until"] = AWAY_NOT_A_DATE
            else:
                if away < today:
                    errors["away_until"] = AWAY_IN_PAST
        values["away_until"] = away
    if errors:
        raise Invalid(errors)
    return values


def parse_conflict(form: Mapping[str, FormValue]) -> tuple[ConflictKind, str, str]:
    """A declared conflict's kind, note and the text naming its enterprise or founder."""
    errors: dict[str, str] = {}
    kind_text = _text(form.get("kind"))
    target = _text(form.get("enterprise")) or _text(form.get("founder"))
    note = _text(form.get("note"))
    if kind_text not in {kind.value for kind in ConflictKind}:
        errors["kind"] = CONFLICT_KIND_REQUIRED
    if not target:
        errors["enterprise"] = CONFLICT_TARGET_REQUIRED
    if len(note) > MAX_NOTE:
        errors["note"] = TOO_LONG
    if errors:
        raise Invalid(errors)
    return ConflictKind(kind_text), note, target


def away_text(away_until: date | None, today: date) -> str:
    """A stored away-until date as the form shows it: one already past is over, so shown empty."""
    return away_until.isoformat() if away_until is not None and away_until >= today else ""


def load_text(load: int, capacity: int) -> str:
    """How full his desk is, as the pages show it: "2 / 5"."""
    return f"{load} / {capacity}"
