"""How the registry's vocabularies appear in templates: (value, message id) options and labels."""

from __future__ import annotations

from typing import Any

from enterprises.classification import EnterpriseStatus, LegalForm, NeedCategory, SnapshotSource, Stage, Urgency


def _label(enum: Any) -> Any:
    return lambda value: enum(value).label if value in enum.__members__.values() else value


_CHANGE_LABELS = {
    "registered": "registered the enterprise",
    "updated": "changed the record",
    "imported": "imported from a spreadsheet",
    "merged": "merged a duplicate record into this one",
}

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
    "change_label": lambda kind: _CHANGE_LABELS.get(kind, kind),
}
