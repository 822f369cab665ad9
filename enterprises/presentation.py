"""How the registry's vocabularies appear in templates: (value, message id) options and labels."""

from __future__ import annotations

from typing import Any

from enterprises.classification import EnterpriseStatus, LegalForm, NeedCategory, Urgency


def _label(enum: Any) -> Any:
    return lambda value: enum(value).label if value in enum.__members__.values() else value


TEMPLATE_GLOBALS: dict[str, Any] = {
    "legal_form_options": [(m.value, m.label) for m in LegalForm],
    "need_options": [(m.value, m.label) for m in NeedCategory],
    "urgency_options": [(m.value, m.label) for m in Urgency],
    "legal_form_label": _label(LegalForm),
    "need_label": _label(NeedCategory),
    "urgency_label": _label(Urgency),
    "status_label": _label(EnterpriseStatus),
}
