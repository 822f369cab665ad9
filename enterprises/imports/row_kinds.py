"""Which rows of a ledger's table are not data: blank rows, totals, the headers repeated, notes under the table.

Pure: no framework, database or clock. Ledgers made by district and township offices carry these
rows between and under the enterprises; they are skipped and counted, never reported as errors.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from enum import StrEnum

from enterprises.imports.headers import SILENT_HEADERS, header_field, normalise_header


class KindOfRow(StrEnum):
    DATA = "data"
    BLANK = "blank"
    TOTALS = "totals"
    HEADER = "header"
    NOTE = "note"


# Why a row was skipped, as its report says.
SKIPPED_BECAUSE: dict[KindOfRow, str] = {
    KindOfRow.BLANK: "A blank row: skipped.",
    KindOfRow.TOTALS: "A totals row: skipped.",
    KindOfRow.HEADER: "The column headers again: skipped.",
    KindOfRow.NOTE: "A note under the table: skipped.",
}

# The word alone, or followed by a figure or a bracket ("合计：5户", "小计(3家)"), not "合计农机专业合作社".
_TOTALS_CELL = re.compile(r"^(合计|总计|小计|累计|共计|总数)([:(\[\d].*)?$")
# How notes, signatures and dates under a table begin ("注：…", "制表人：张三", "填报日期：2024年3月").
_NOTE_START = re.compile(
    r"^(注|备注|说明|填表说明|填报说明|附注|制表人|制表|填表人|填报人|审核人|审核|核对人|负责人[:：]|联系人|联系电话[:：]"
    r"|填报单位|填报日期|制表日期|填表日期|报送日期|日期[:：]|单位负责人|分管领导|\(盖章\)|盖章|\d+[.、]\s*\D)"
)
_NOTE_LENGTH = 30  # a lone cell this long, alone in its row, is prose, not an enterprise
# A number as a totals row shows it: 1,234.5 / 12万 / 35% / 8户 / 120人.
_NUMBER = re.compile(r"^[-+]?[\d,]*\.?\d+\s*(万元|万|元|%|户|家|人|个)?$")
_SHORT = 6  # a short word in a totals row ("5户", "--") that is not an enterprise's data


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _is_totals(filled: Sequence[str]) -> bool:
    # The word stands in the first text cells (序号 may come first); the rest are figures or short words.
    leading = [cell for cell in filled[:3] if not _NUMBER.match(cell)]
    marked = [cell for cell in leading if _TOTALS_CELL.match(cell)]
    if not marked:
        return False
    rest = [cell for cell in filled if cell not in marked]
    return all(_NUMBER.match(cell) or len(cell) <= _SHORT for cell in rest)


def _is_header(filled: Sequence[tuple[int, str]], header: Sequence[str], known: Callable[[str], object]) -> bool:
    same = sum(
        1
        for index, cell in filled
        if (index < len(header) and normalise_header(cell) == normalise_header(header[index])) or known(cell)
    )
    return same >= 2 and same * 2 >= len(filled)


def _is_note(filled: Sequence[str]) -> bool:
    if all(_NOTE_START.match(cell) for cell in filled):
        return True
    return len(filled) == 1 and len(filled[0]) >= _NOTE_LENGTH


def row_kind(cells: Sequence[str], header: Sequence[str], known: Callable[[str], object] = header_field) -> KindOfRow:
    """What a row under the header is: data, or a blank, totals, repeated-header or note row to skip.

    A row holding only a serial number (序号, under a header of `SILENT_HEADERS`) is blank: ledgers are
    often numbered down to the end of the printed page.
    """
    silent = {index for index, text in enumerate(header) if normalise_header(text) in SILENT_HEADERS}
    filled = [(index, _plain(cell)) for index, cell in enumerate(cells) if _plain(cell)]
    if all(index in silent and cell.isdigit() for index, cell in filled):
        return KindOfRow.BLANK
    if _is_header(filled, header, known):
        return KindOfRow.HEADER
    texts = [cell for _, cell in filled]
    if _is_totals(texts):
        return KindOfRow.TOTALS
    if _is_note(texts):
        return KindOfRow.NOTE
    return KindOfRow.DATA
