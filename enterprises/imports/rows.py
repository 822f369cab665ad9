"""One row of a file as the intake form `enterprises.intake.clean_enterprise` checks, and what becomes of it.

Pure: no framework, database or clock. `row_form` reports what is wrong with a row's cells
before the intake rules see them; `SeenRows` refuses the same enterprise twice in one file;
`draft_data` keeps a cleaned row between the dry run and the import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from enterprises.classification import EnterpriseStatus, LegalForm, Stage
from enterprises.imports.columns import ColumnMap
from enterprises.imports.need_columns import cell_errors as need_cell_errors
from enterprises.imports.values import GENDERS, LEGAL_FORMS, STAGES, STATUSES, choice, district_code
from enterprises.intake import ENTERPRISE_FIELDS, EnterpriseDraft, yuan_from_wan

# Rows whose enterprise name starts so are the template's example and are not imported.
EXAMPLE_MARK = "示例"

STORED_AS_NUMBER = (
    "Excel stored this number as a number and dropped its last digits. "
    "Format the column as text and type the number again."
)
DUPLICATE_IN_FILE = "A duplicate of row {row} of this file: keep one of the two rows."

# What `reading.cell_text` makes of a number too long for Excel's 15 significant digits.
_NUMBER_LOST_DIGITS = re.compile(r"^\d(\.\d+)?E\+\d+$", re.IGNORECASE)


CONVERTERS: dict[str, Callable[[str], str]] = {
    "legal_form": lambda text: choice(LEGAL_FORMS, text),
    "stage": lambda text: choice(STAGES, text),
    "status": lambda text: choice(STATUSES, text),
    "founder_gender": lambda text: choice(GENDERS, text),
    "district": district_code,
}
# Numbers, dates, money and phones go to the intake form as written: `enterprises.intake`'s parsers read them
# (45万, 2015年3月, 44197, +86 …) for the form, the API and the import alike.
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
        if name == "annual_revenue" and column.scale != 1:
            text = yuan_from_wan(text, column.scale)  # a column headed "（万元）" holds 68 for 680,000
        converter = CONVERTERS.get(name)
        form[name] = converter(text) if converter else text
    if not form["district"]:
        form["district"] = default_district
    errors |= need_cell_errors(form.get("need_category", ""), form.get("need_description", ""))
    return form, errors


def is_example(form: Mapping[str, str]) -> bool:
    """The template's example row, left in by the user."""
    return form.get("name", "").strip().startswith(EXAMPLE_MARK)


# --- finding duplicates within a file ---------------------------------------------------------------------------


def _key_text(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()


def match_keys(row: Mapping[str, str] | EnterpriseDraft) -> list[tuple[str, ...]]:
    """How a row is recognised as one seen before: its credit code, its founder's ID number, its name in its town.

    Taken from the row as written (a form) as well as from a cleaned draft: a repeat is found whether
    or not the first copy is valid.
    """

    def value(name: str) -> str:
        return _key_text(row.get(name) if isinstance(row, Mapping) else getattr(row, name))

    keys: list[tuple[str, ...]] = []
    if code := value("credit_code"):
        keys.append(("credit_code", code))
    if id_number := value("founder_id_number"):
        keys.append(("founder_id_number", id_number))
    if name := value("name"):
        keys.append(("name", value("district"), value("town"), name))
    return keys


@dataclass
class SeenRows:
    """The rows of a file seen so far, by match key, to report a row that repeats an earlier one."""

    first_row: dict[tuple[str, ...], int] = field(default_factory=dict)

    def duplicate_of(self, row: Mapping[str, str] | EnterpriseDraft) -> tuple[str, int] | None:
        """(the field it repeats, the earlier row) when this row repeats one earlier in the file."""
        for key in match_keys(row):
            if key in self.first_row:
                return key[0], self.first_row[key]
        return None

    def add(self, row: Mapping[str, str] | EnterpriseDraft, row_number: int) -> None:
        for key in match_keys(row):
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
    values["licence_check"] = bool(values["licence_check"])  # absent from drafts checked before the flag existed
    return EnterpriseDraft(**values)
