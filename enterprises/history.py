"""What a draft changes in an enterprise record, as its history shows it: pure, personal data masked."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from core.money import format_yuan
from enterprises.exporting import label
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
    current: Mapping[str, Any],
    founder: Mapping[str, Any],
    draft: EnterpriseDraft,
    new_id_number_digest: str,
    new_phone_digest: str = "",
) -> dict[str, Any]:
    """Field -> [before, after] for what a draft changes in an enterprise and its founder; personal data masked.

    `new_id_number_digest` is the keyed digest of the draft's ID number ('' when it has none): the
    stored number is compared by its digest, never decrypted; so is the phone (`new_phone_digest`).
    """
    changed = {
        column: [display(current[column]), display(getattr(draft, column))]
        for column in ENTERPRISE_COLUMNS
        if not same(current[column], getattr(draft, column))
    }
    for field, column in FOUNDER_COLUMNS.items():
        before, after = founder.get(column), getattr(draft, field)
        if not same(before, after):
            changed[field] = [before, after]
    if new_phone_digest and new_phone_digest != founder.get("phone_digest"):
        changed["founder_phone"] = [founder.get("phone_masked") or "", mask_phone(draft.founder_phone)]
    if new_id_number_digest and new_id_number_digest != founder.get("id_number_digest"):
        changed["founder_id_number"] = [
            mask_resident_id(founder.get("id_number_last4") or ""),
            mask_resident_id(draft.founder_id_number),
        ]
    return changed


GENDER_LABELS = {"male": "Male", "female": "Female"}
MONEY_FIELDS = frozenset({"annual_revenue"})
NO_VALUE = "—"


def value_label(field: str, value: Any, translate: Callable[[str], str], locale: str) -> str:
    """A value of the history as people read it: 家庭农场, 开州区, 制造业, ¥448,000.00 — never a code.

    The history keeps the stored values (the API returns them as they are); this is only how a page shows them.
    """
    if value is None or value == "":
        return NO_VALUE
    if field == "founder_gender":
        return translate(GENDER_LABELS[value]) if value in GENDER_LABELS else str(value)
    if field in MONEY_FIELDS:
        return format_yuan(value)
    return str(label(field, value, translate, locale))


CHANGED_MEANWHILE = "Someone else changed this field meanwhile; check your value before saving again."
KEPT_IN_FORM = frozenset({"founder_phone", "founder_id_number"})  # shown masked: an empty field keeps the value


def carried_forward(
    values: Mapping[str, str], changed_meanwhile: Sequence[Mapping[str, Any]]
) -> tuple[dict[str, str], dict[str, str]]:
    """A refused form brought up to date: (values, field -> message for the fields both sides changed).

    A field the user left as it was when he read the record takes the value saved meanwhile, so
    saving again does not quietly undo someone else's change; a field both changed keeps the user's
    value and is marked. `changed_meanwhile` is the history since his version, oldest first.
    """
    merged, clashes = dict(values), {}
    first_before: dict[str, Any] = {}
    last_after: dict[str, Any] = {}
    for entry in changed_meanwhile:
        for field, pair in (entry.get("changes") or {}).items():
            if field in KEPT_IN_FORM or field not in values or not isinstance(pair, list | tuple) or len(pair) != 2:
                continue
            first_before.setdefault(field, pair[0])
            last_after[field] = pair[1]
    for field, after in last_after.items():
        if _as_typed(values[field]) == _as_typed(first_before[field]):
            merged[field] = "" if after is None else str(after)
        elif _as_typed(values[field]) != _as_typed(after):
            clashes[field] = CHANGED_MEANWHILE
    return merged, clashes


def _as_typed(value: Any) -> str:
    """A value as a form field holds it (448000 and 448000.00 are one amount)."""
    text = "" if value is None else str(value).strip()
    try:
        return display(Decimal(text)) if text and text.replace(".", "", 1).isdigit() else text
    except ArithmeticError:
        return text
