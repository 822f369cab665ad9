"""The XLSX template of any kind of row: a sheet of headers with an example row, and a sheet of notes.

Pure: no framework, database or clock. Each kind (`template` here, `experts.imports.template`) gives
only its `TemplateSpec`: its headers, example row, notes and column widths.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.spreadsheets import xlsx_row

NOTES_SHEET = "填写说明"
COLUMN_WIDTH = 14  # a column's width unless the spec names it


@dataclass(frozen=True)
class ReferenceSheet:
    """A sheet after the notes listing codes and names a column takes (rows of text; codes stay text: "01")."""

    title: str
    rows: Sequence[Sequence[str]]
    widths: Mapping[str, int] = field(default_factory=dict)  # column letter -> width


@dataclass(frozen=True)
class TemplateSpec:
    sheet: str  # the first sheet's title
    order: Sequence[str]  # the fields, in the template's column order
    columns: Mapping[str, tuple[str, tuple[str, ...]]]  # field -> (the header the template writes, other names)
    required: Collection[str]  # fields whose header is marked with "*"
    example: Mapping[str, str | int]  # the example row (fields not named stay empty)
    notes: Mapping[str, str]  # field -> its note on the notes sheet
    row_label: str  # what the notes call the column an example row is marked in: "姓名"
    example_mark: str  # a row whose `row_label` column starts with it is not imported
    widths: Mapping[str, int] = field(default_factory=dict)  # field -> its column's width
    text_fields: Collection[str] = ()  # fields kept as text, so Excel keeps every digit
    choices: Sequence[tuple[str, str]] = ()  # (field, "a,b,c"): a drop-down list of the allowed values
    notes_widths: Mapping[str, int] = field(default_factory=dict)  # the notes sheet's column letter -> width
    references: Sequence[ReferenceSheet] = ()  # sheets of codes to look values up in (行业代码)


def template_headers(spec: TemplateSpec) -> list[str]:
    """The template's headers, required ones marked with "*"."""
    return [spec.columns[name][0] + ("*" if name in spec.required else "") for name in spec.order]


def template_workbook(spec: TemplateSpec) -> bytes:
    """The XLSX template: the headers, one example row (invented), and a sheet of notes."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook has one sheet
    sheet.title = spec.sheet
    sheet.append(xlsx_row(sheet, template_headers(spec)))
    sheet.append(xlsx_row(sheet, [spec.example.get(name, "") for name in spec.order]))
    sheet.freeze_panes = "A2"
    for index, name in enumerate(spec.order, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = spec.widths.get(name, COLUMN_WIDTH)
        if name in spec.text_fields:
            # Text cells keep every digit of an ID number; Excel would round a number to 15 digits.
            sheet.column_dimensions[letter].number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
    for name, options in spec.choices:
        letter = get_column_letter(list(spec.order).index(name) + 1)
        validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
        validation.add(f"{letter}2:{letter}2000")
        sheet.add_data_validation(validation)
    notes = workbook.create_sheet(NOTES_SHEET)
    notes.append(["列", "表头", "说明"])
    for index, name in enumerate(spec.order, start=1):
        notes.append(xlsx_row(notes, [get_column_letter(index), spec.columns[name][0], spec.notes.get(name, "")]))
    notes.append([])
    left_out = f"{spec.row_label}以“{spec.example_mark}”开头的行不会导入"
    notes.append(xlsx_row(notes, ["", "", f"{left_out}；带 * 的列必填。也可上传 UTF-8 或 GBK 编码的 CSV 文件。"]))
    for letter, width in spec.notes_widths.items():
        notes.column_dimensions[letter].width = width
    for reference in spec.references:
        listed = workbook.create_sheet(reference.title)
        for row in reference.rows:
            listed.append(xlsx_row(listed, row))
        for letter, width in reference.widths.items():
            listed.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
