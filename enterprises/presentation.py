"""How the registry's vocabularies appear in templates: (value, message id) options, labels and reach."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.i18n import gettext
from core.web import TemplateCallable, request_locale
from enterprises.access import enterprise_reach
from enterprises.classification import (
    INDUSTRY_SECTIONS,
    EnterpriseStatus,
    LegalForm,
    NeedCategory,
    RevenueBand,
    SnapshotSource,
    Stage,
    Urgency,
    industry_name,
)
from enterprises.history import value_label
from enterprises.industries import industry_choices
from enterprises.industry_table import division_name


def _label(enum: Any) -> Any:
    return lambda value: enum(value).label if value in enum.__members__.values() else value


_CHANGE_LABELS = {
    "registered": "registered the enterprise",
    "updated": "changed the record",
    "imported": "imported from a spreadsheet",
    "merged": "merged a duplicate record into this one",
    "licence_checked": "checked the credit code against the business licence",
}

# The label of each field of an enterprise record (`enterprises.intake.ENTERPRISE_FIELDS`), as message ids:
# the one list the form, the record's history and the import report name the fields by.
FIELD_LABELS: dict[str, str] = {
    "name": "Enterprise name",
    "legal_form": "Legal form",
    "credit_code": "Unified social credit code",
    "credit_code_note": "Note on the credit code",
    "district": "District",
    "town": "Town or township",
    "village": "Village or community",
    "park": "Entrepreneurship park",
    "industry": "Industry",
    "industry_division": "Industry division",
    "main_products": "Main products",
    "founded_on": "Founded on",
    "employees": "Employees",
    "migrant_employees": "Returning migrant workers employed",
    "annual_revenue": "Annual revenue (yuan)",
    "stage": "Stage",
    "status": "Status",
    "founder_name": "Founder's name",
    "founder_gender": "Founder's gender",
    "founder_birth_year": "Founder's year of birth",
    "founder_phone": "Founder's phone",
    "founder_id_number": "Founder's ID number",
    "founder_worked_before": "Where the founder worked before returning",
    "founder_return_year": "Year of return",
}


# Columns the history names that no form field sets directly.
COLUMN_LABELS: dict[str, str] = {"licence_check": "To check against the business licence"}


def field_label(name: str) -> str:
    """The message id of a field's label; an unknown field (of an older record) by its own name."""
    return FIELD_LABELS.get(name) or COLUMN_LABELS.get(name, name)


TEMPLATE_GLOBALS: dict[str, Any] = {
    "legal_form_options": [(m.value, m.label) for m in LegalForm],
    "need_options": [(m.value, m.label) for m in NeedCategory],
    "urgency_options": [(m.value, m.label) for m in Urgency],
    "stage_options": [(m.value, m.label) for m in Stage],
    "status_options": [(m.value, m.label) for m in EnterpriseStatus],
    "gender_options": [("male", "Male"), ("female", "Female")],
    "legal_form_label": _label(LegalForm),
    "need_label": _label(NeedCategory),
    "urgency_label": _label(Urgency),
    "status_label": _label(EnterpriseStatus),
    "stage_label": _label(Stage),
    "source_label": _label(SnapshotSource),
    "revenue_band_label": _label(RevenueBand),
    "revenue_band_options": [(m.value, m.label) for m in RevenueBand],
    "change_label": lambda kind: _CHANGE_LABELS.get(kind, kind),
    "field_label": field_label,
    "industry_division_name": division_name,
}


def _industry(ctx: Mapping[str, Any], section: str) -> str:
    return industry_name(section, request_locale(ctx["request"]))


def _industry_options(ctx: Mapping[str, Any]) -> list[tuple[str, str]]:
    locale = request_locale(ctx["request"])
    return [(letter, f"{letter} {industry_name(letter, locale)}") for letter in INDUSTRY_SECTIONS]


def _industry_form_options(ctx: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Sections in the user's language, each followed by its divisions (GB/T 4754 names them in Chinese only)."""
    locale = request_locale(ctx["request"])
    return [(v, f"{v} {industry_name(v, locale)}" if len(v) == 1 else label) for v, label in industry_choices()]


def _reaches_every_enterprise(ctx: Mapping[str, Any]) -> bool:
    """Whether the user reaches every district's enterprises (so a district filter makes sense)."""
    user = ctx["request"].scope.get("user")
    return user is not None and enterprise_reach(user.actor).everything


def _history_value(ctx: Mapping[str, Any], field: str, value: Any) -> str:
    locale = request_locale(ctx["request"])
    return value_label(field, value, lambda message: gettext(locale, message), locale)


TEMPLATE_CALLABLES: dict[str, TemplateCallable] = {
    "history_value": _history_value,  # a changed value in words (家庭农场, 开州区), not its code
    "industry_name": _industry,
    "industry_options": _industry_options,
    "industry_form_options": _industry_form_options,
    "reaches_every_enterprise": _reaches_every_enterprise,
}
