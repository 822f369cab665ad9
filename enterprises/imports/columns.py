"""Which column of a file holds which field of the intake form, and the warnings about the columns left out.

Pure: no framework, database or clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter
from rapidfuzz import fuzz, process

from enterprises.imports.headers import COLUMNS, REQUIRED_FIELDS, SILENT_HEADERS, header_field, normalise_header
from enterprises.imports.reading import ImportFileError

FILE_MISSING_COLUMNS = "The file lacks required columns: {columns}. Add them (see the template) and upload it again."
COLUMN_UNKNOWN = "Column {letter} ({header}) is not one we know; it was ignored."
COLUMN_UNKNOWN_NEAREST = (
    "Column {letter} ({header}) is not one we know; it was ignored. The nearest heading we know is {nearest}."
)
NEAREST_CUTOFF = 60  # rapidfuzz's ratio (0-100) below which no heading is offered as the nearest
COLUMN_REPEATED = "Column {letter} ({header}) repeats column {first}; it was ignored."


def _known_headings() -> dict[str, str]:
    """Every heading we know, normalised -> the template's heading for its field (what the report names)."""
    known: dict[str, str] = {}
    for template_header, variants in COLUMNS.values():
        for variant in (template_header, *variants):
            known.setdefault(normalise_header(variant), template_header)
    return known


def nearest_heading(header: str) -> str | None:
    """The template's heading nearest to one we do not know ("企业名" → 企业名称), or None when none is near."""
    known = _known_headings()
    found = process.extractOne(normalise_header(header), list(known), scorer=fuzz.ratio, score_cutoff=NEAREST_CUTOFF)
    return known[found[0]] if found else None


def _scale(header: str) -> int:
    """How many yuan one unit of a money column is: 10000 for "年营业收入（万元）"."""
    return 10_000 if "万元" in normalise_header(header) else 1


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    index: int
    scale: int = 1

    @property
    def letter(self) -> str:
        return str(get_column_letter(self.index + 1))


@dataclass(frozen=True)
class ColumnWarning:
    message: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ColumnMap:
    columns: dict[str, Column]
    warnings: list[ColumnWarning]

    def column_of(self, field_name: str) -> Column | None:
        return self.columns.get(field_name)


def map_columns(headers: Sequence[str], default_district: str) -> ColumnMap:
    """Which column holds which field; `ImportFileError` naming the required columns that are missing.

    The district column may be left out by an uploader who has a district: his is the default.
    """
    columns: dict[str, Column] = {}
    warnings: list[ColumnWarning] = []
    for index, header in enumerate(headers):
        if not header.strip():
            continue
        letter = get_column_letter(index + 1)
        name = header_field(header)
        if name is None:
            if normalise_header(header) not in SILENT_HEADERS:
                # Listed once, at the top of the report, with what it may have meant.
                if nearest := nearest_heading(header):
                    params = {"letter": letter, "header": header, "nearest": nearest}
                    warnings.append(ColumnWarning(COLUMN_UNKNOWN_NEAREST, params))
                else:
                    warnings.append(ColumnWarning(COLUMN_UNKNOWN, {"letter": letter, "header": header}))
            continue
        if name in columns:
            warnings.append(
                ColumnWarning(COLUMN_REPEATED, {"letter": letter, "header": header, "first": columns[name].letter})
            )
            continue
        columns[name] = Column(field=name, header=header, index=index, scale=_scale(header))
    missing = [
        name for name in REQUIRED_FIELDS if name not in columns and not (name == "district" and default_district)
    ]
    if missing:
        raise ImportFileError(FILE_MISSING_COLUMNS, columns="、".join(COLUMNS[name][0] for name in missing))
    return ColumnMap(columns=columns, warnings=warnings)
