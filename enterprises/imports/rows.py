"""One row of a file as the intake form `enterprises.intake.clean_enterprise` checks, and what becomes of it.

Pure: no framework, database or clock. `row_form` reports what is wrong with a row's cells
before the intake rules see them; `SeenRows` refuses the same enterprise twice in one file;
`draft_data` keeps a cleaned row between the dry run and the import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from enterprises.classification import EnterpriseStatus, LegalForm, Stage
from enterprises.imports.columns import ColumnMap
from enterprises.imports.values import GENDERS, LEGAL_FORMS, STAGES, STATUSES, choice, district_code, industry_letter
from enterprises.intake import ENTERPRISE_FIELDS, EnterpriseDraft, yuan_from_wan

# Rows whose enterprise name starts so are the template's example and are not imported.
EXAMPLE_MARK = "示例"

STORED_AS_NUMBER = (
    "Excel stored this number as a number and dropped its last digits. "
    "Format the column as text and type the number again."
)
DUPLICATE_IN_FILE = "The same enterprise as row {row} of this file; only the first is imported."

# What `reading.cell_text` makes of a number too long for Excel's 15 significant digits.
_NUMBER_LOST_DIGITS = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)


def _year(text: str) -> str:
    match = re.match(r"^(\d{4})\s*[-/.年]", text)
    return match[1] if match else text


CONVERTERS: dict[str, Callable[[str], str]] = {
    "legal_form": lambda text: choice(LEGAL_FORMS, text),
    "stage": lambda text: choice(STAGES, text),
    "status": lambda text: choice(STATUSES, text),
    "founder_gender": lambda text: choice(GENDERS, text),
    "district": district_code,
    "industry": industry_letter,
    "founder_birth_year": _year,
    "founder_return_year": _year,
}
# Identifiers that Excel mangles when they are typed into a number cell.
TEXT_IDENTIFIERS = ("founder_id_number", "credit_code", "founder_phone")


def row_form(columns: ColumnMap, cells: Sequence[str], default_district: str) -> tuple[dict[str, str], dict[str, str]]:
    """A row's cells as the intake form's fields, and the errors found in the cells themselves (field -> id).

    Chinese choices (个体工商户, 男, 开州区 …) become the form's values; a value not recognised is
    passed on as written, so that the intake rules name it wrong beside its column.
    """
    form = dict.fromkeys(ENTERPRISE_FIELDS, "")
    errors: dict[str, str] = {}
    for name, column in columns.columns.items():
        text = cells[column.index].strip() if column.index < len(cells) else ""
        if not text:
            continue
        if name in TEXT_IDENTIFIERS and _NUMBER_LOST_DIGITS.match(text):
            errors[name] = STORED_AS_NUMBER
            continue
        if name == "annual_revenue":
            text = yuan_from_wan(text, column.scale)
        converter = CONVERTERS.get(name)
        form[name] = converter(text) if converter else text
    if not form["district"]:
        form["district"] = default_district
    return form, errors


def is_example(form: Mapping[str, str]) -> bool:
    """The template's example row, left in by the user."""
    return form.get("name", "").strip().startswith(EXAMPLE_MARK)


# --- finding duplicates within a file ---------------------------------------------------------------------------


def match_keys(draft: EnterpriseDraft) -> list[tuple[str, ...]]:
    """How a cleaned row is recognised as an enterprise already known: its credit code, or its name in its town."""
    keys: list[tuple[str, ...]] = []
    if draft.credit_code:
        keys.append(("code", draft.credit_code))
    keys.append(("place", draft.district, draft.town, draft.name))
    return keys


@dataclass
class SeenRows:
    """The rows of a file already accepted, by match key, to refuse the same enterprise twice."""

    first_row: dict[tuple[str, ...], int] = field(default_factory=dict)

    def duplicate_of(self, draft: EnterpriseDraft) -> tuple[str, int] | None:
        """(the field it repeats, the earlier row) when this enterprise came earlier in the file."""
        for key in match_keys(draft):
            if key in self.first_row:
                return ("credit_code" if key[0] == "code" else "name"), self.first_row[key]
        return None

    def add(self, draft: EnterpriseDraft, row_number: int) -> None:
        for key in match_keys(draft):
            self.first_row.setdefault(key, row_number)


# --- a cleaned row, stored between the dry run and the import ---------------------------------------------------

# Personal data of a draft, stored encrypted until the import (or the purge of drafts never confirmed).
ENCRYPTED_FIELDS = ("founder_id_number", "founder_phone")


def draft_data(draft: EnterpriseDraft, encrypt: Callable[[str], str]) -> dict[str, Any]:
    """A draft as JSON, its ID number and phone encrypted (`encrypt`), so the dry run's verdict can be applied later."""
    data: dict[str, Any] = {}
    for name in EnterpriseDraft.__dataclass_fields__:
        value = getattr(draft, name)
        if name in ENCRYPTED_FIELDS:
            data[f"{name}_cipher"] = encrypt(value) if value else ""
        elif isinstance(value, date):
            data[name] = value.isoformat()
        elif isinstance(value, Decimal):
            data[name] = str(value)
        else:
            data[name] = value
    return data


def draft_from_data(data: Mapping[str, Any], decrypt: Callable[[str], str]) -> EnterpriseDraft:
    """The draft `draft_data` stored."""
    values: dict[str, Any] = {name: data.get(name) for name in EnterpriseDraft.__dataclass_fields__}
    for name in ENCRYPTED_FIELDS:
        cipher = str(data.get(f"{name}_cipher") or "")
        values[name] = decrypt(cipher) if cipher else ""
    values["founded_on"] = date.fromisoformat(values["founded_on"]) if values["founded_on"] else None
    revenue = values["annual_revenue"]
    values["annual_revenue"] = Decimal(revenue) if revenue not in (None, "") else None
    values["legal_form"] = LegalForm(values["legal_form"])
    values["stage"] = Stage(values["stage"])
    values["status"] = EnterpriseStatus(values["status"])
    return EnterpriseDraft(**values)
