"""What a draft changes in an enterprise record, as its history shows it: pure, personal data masked."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from enterprises.identifiers import mask_phone, mask_resident_id
from enterprises.intake import ENTERPRISE_COLUMNS, FOUNDER_COLUMNS, EnterpriseDraft


def display(value: Any) -> Any:
    """A value as the history shows it; money to the fen, so 448000 and 448000.00 are no change."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value if value is None or isinstance(value, (str, int)) else str(value)


def same(before: Any, after: Any) -> bool:
    """Whether a stored value and a draft's are the same as the history shows them (448000 is 448000.00)."""
    if isinstance(after, Decimal) and isinstance(before, int | float) and not isinstance(before, bool):
        before = Decimal(str(before))
    return bool(display(before) == display(after))


def changes(
    current: Mapping[str, Any], founder: Mapping[str, Any], draft: EnterpriseDraft, new_id_number_digest: str
) -> dict[str, Any]:
    """Field -> [before, after] for what a draft changes in an enterprise and its founder; personal data masked.

    `new_id_number_digest` is the keyed digest of the draft's ID number ('' when it has none): the
    stored number is compared by its digest, never decrypted.
    """
    changed = {
        column: [display(current[column]), display(getattr(draft, column))]
        for column in ENTERPRISE_COLUMNS
        if not same(current[column], getattr(draft, column))
    }
    for field, column in FOUNDER_COLUMNS.items():
        before, after = founder.get(column), getattr(draft, field)
        if not same(before, after):
            masked = field == "founder_phone"
            changed[field] = [
                mask_phone(before or "") if masked else before,
                mask_phone(after) if masked else after,
            ]
    if new_id_number_digest and new_id_number_digest != founder.get("id_number_digest"):
        changed["founder_id_number"] = [
            mask_resident_id(founder.get("id_number_last4") or ""),
            mask_resident_id(draft.founder_id_number),
        ]
    return changed
