"""A workbook's first worksheet as rows of cell values, read as a stream of XML events that builds no tree.

Pure: a zip in, rows out; no framework, database or clock (the caller's `tick` reads its clock).
Used by `reading`, which turns values into text and applies the limits. Why not openpyxl: its
read-only reader parses a sheet without a <dimension> once before reading it, and keeps every row
element it parsed (cleared, but attached to the tree), so that a 442 KB file of 50 million empty
rows held 4.6 GB. Here the memory held is one row, the shared strings (packed) and one byte per
cell style, whatever the file declares or holds; values are the ones openpyxl gives with
`data_only` (dates by the cell's number format, the value a formula last gave).
"""

from __future__ import annotations

import posixpath
import zipfile
from array import array
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

_CHUNK = 64 * 1024
_BEYOND = 1 << 30  # the column of a cell reference that is not one: past any limit
_DATE, _DURATION = 1, 2  # what a cell style makes of a number
_SOME = 1_000  # enough of the sheets and number formats a workbook lists; a file listing millions is not kept


class BrokenWorkbook(ValueError):
    """The zip is not a workbook we can read (no worksheet, a DTD)."""


def _local(name: str) -> str:
    """An element's or attribute's name without its namespace prefix ("x:row" -> "row")."""
    return name[name.find(":") + 1 :]


def _letters() -> Iterator[str]:
    alphabet = [chr(code) for code in range(65, 91)]
    yield from alphabet
    yield from (a + b for a in alphabet for b in alphabet)
    yield from (a + b + c for a in alphabet for b in alphabet for c in alphabet)


# Every column's letters, A to ZZZ, and its number: a lookup per cell, read for every cell of the file.
_COLUMNS = {letters: number for number, letters in enumerate(_letters(), start=1)}


def _column(reference: str) -> int:
    """The column number of a cell reference ("AB12" -> 28), or one past any limit when it is not one."""
    letters = reference.rstrip("0123456789")
    return _COLUMNS.get(letters) or _COLUMNS.get(letters.upper(), _BEYOND)


def _refuse_doctype(*_: object) -> None:
    raise BrokenWorkbook("a workbook part declares a DTD")  # Excel never writes one; entities go with it


class _Part:
    """expat handlers over one XML part; `data` keeps the text of the elements a subclass `collect`s.

    Text of phonetic runs (<rPh>, furigana) is not the cell's text, as openpyxl reads it. A run of
    text is kept to one character past `max_chars`, so that the caller sees it is too long.
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.text: list[str] | None = None  # collecting into this, or not collecting
        self.length = 0
        self.phonetic = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def collect(self, into: list[str]) -> None:
        self.text, self.length = into, 0

    def data(self, text: str) -> None:
        if self.text is not None and not self.phonetic and self.length <= self.max_chars:
            self.text.append(text[: self.max_chars + 1 - self.length])
            self.length += len(text)

    def read(self, archive: zipfile.ZipFile, path: str, tick: Callable[[], None]) -> Iterator[None]:
        """Parse `path` a chunk at a time, yielding after each; the zip never unpacks past the size it declares."""
        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.data
        parser.StartDoctypeDeclHandler = _refuse_doctype
        with archive.open(path) as stream:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
                tick()
                yield
        parser.Parse(b"", True)

    def read_all(self, archive: zipfile.ZipFile, path: str, tick: Callable[[], None]) -> None:
        for _ in self.read(archive, path, tick):
            pass


class _Relations(_Part):
    """A part's relationships (id -> (type, target)): the ids in `wanted` and the workbook's own parts."""

    def __init__(self, wanted: Iterable[str] = ()) -> None:
        super().__init__(0)
        self.wanted = set(wanted)
        self.found: dict[str, tuple[str, str]] = {}

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship":
            kind = attrs.get("Type", "").rpartition("/")[2]
            if attrs.get("Id") in self.wanted or kind in ("officeDocument", "styles", "sharedStrings"):
                self.found.setdefault(attrs.get("Id", kind), (kind, attrs.get("Target", "")))

    def targets(self, kind: str) -> list[str]:
        return [target for found_kind, target in self.found.values() if found_kind == kind]


class _Workbook(_Part):
    """The workbook part: its sheets' relationship ids in order, and its date system."""

    def __init__(self) -> None:
        super().__init__(0)
        self.sheets: list[str] = []
        self.epoch = WINDOWS_EPOCH

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "sheet" and len(self.sheets) < _SOME:
            self.sheets += [value for key, value in attrs.items() if _local(key) == "id"][:1]
        elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            self.epoch = MAC_EPOCH


class _Styles(_Part):
    """Which cell styles make a number a date or a duration: one byte a style, however many there are."""

    def __init__(self) -> None:
        super().__init__(0)
        self.custom: dict[int, str] = {}
        self.known: dict[int, int] = {}
        self.kinds = bytearray()
        self.in_cell_styles = False

    def _kind(self, format_id: int) -> int:
        if format_id not in self.known:
            code = self.custom.get(format_id) or BUILTIN_FORMATS.get(format_id)
            if code is None:
                return 0  # a format the file does not define: a plain number, and nothing to remember
            dated = _DATE if is_date_format(code) else 0
            self.known[format_id] = dated | (_DURATION if is_timedelta_format(code) else 0)
        return self.known[format_id]

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt" and len(self.custom) < _SOME:
            self.custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            self.in_cell_styles = True
        elif local == "xf" and self.in_cell_styles:
            self.kinds.append(self._kind(int(attrs.get("numFmtId", 0))))

    def end(self, name: str) -> None:
        if _local(name) == "cellXfs":
            self.in_cell_styles = False


class _Strings(_Part):
    """The shared strings, packed as UTF-8 in one bytearray with their ends: a list of str costs ~60 bytes each."""

    def __init__(self, max_chars: int) -> None:
        super().__init__(max_chars)
        self.packed = bytearray()
        self.ends = array("Q")
        self.parts: list[str] = []

    def __getitem__(self, index: int) -> str:
        if index < 0:
            raise IndexError(index)
        return self.packed[self.ends[index - 1] if index else 0 : self.ends[index]].decode()

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            self.parts = []
        elif local == "t":
            self.collect(self.parts)
        elif local == "rPh":
            self.phonetic = True

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "t":
            self.text = None
        elif local == "si":
            self.packed += "".join(self.parts).encode()
            self.ends.append(len(self.packed))
        elif local == "rPh":
            self.phonetic = False


class _Sheet(_Part):
    """A worksheet's rows as (row number, values), None where a cell is missing; columns past `width` dropped."""

    def __init__(
        self, width: int, max_chars: int, tick: Callable[[], None], strings: _Strings, styles: _Styles, epoch: datetime
    ) -> None:
        super().__init__(max_chars)
        self.width, self.tick, self.strings, self.styles, self.epoch = width, tick, strings, styles.kinds, epoch
        self.ready: list[tuple[int, list[Any]]] = []
        self.number = self.column = self.style = self.seen = 0
        self.cells: list[Any] = []
        self.kind = "n"
        self.value: list[str] = []
        self.kept = False

    # `start` and `end` run for every element of the sheet: the prefix test is inlined, not `_local`.
    def start(self, name: str, attrs: dict[str, str]) -> None:
        if ":" in name:
            name = _local(name)
        if name == "c":
            reference = attrs.get("r")
            self.column = _column(reference) if reference else self.column + 1
            self.kept = self.column <= self.width
            self.kind, self.style, self.value = attrs.get("t", "n"), int(attrs.get("s") or 0), []
        elif name == "v" or (name == "t" and self.kind == "inlineStr"):
            if self.kept:
                self.collect(self.value)
            return
        elif name == "rPh":
            self.phonetic = True
            return
        elif name == "row":
            number = attrs.get("r")
            self.number = int(number) if number else self.number + 1
            self.cells, self.column = [], 0
        else:
            return
        self.seen += 1
        if self.seen % 4096 == 0:  # a row of a million cells is one row: the clock is read within it
            self.tick()

    def end(self, name: str) -> None:
        local = _local(name) if ":" in name else name
        if local in ("v", "t"):
            self.text = None
        elif local == "rPh":
            self.phonetic = False
        elif local == "c" and self.kept:
            value = self._value("".join(self.value))
            if value is not None and value != "":
                if len(self.cells) < self.column:
                    self.cells += [None] * (self.column - len(self.cells))
                self.cells[self.column - 1] = value
        elif local == "row":
            self.ready.append((self.number, self.cells))

    def _value(self, raw: str) -> Any:
        kind = self.kind
        if kind == "inlineStr" or not raw:
            return raw
        if kind == "s":
            return self.strings[int(raw)]
        if kind == "b":
            return bool(int(raw))
        if kind in ("str", "e"):
            return raw
        if kind == "d":
            return from_ISO8601(raw)
        number = float(raw) if "." in raw or "E" in raw or "e" in raw else int(raw)
        style = self.styles[self.style] if self.style < len(self.styles) else 0
        if not style & _DATE:
            return number
        try:
            return from_excel(number, self.epoch, timedelta=bool(style & _DURATION))
        except (OverflowError, ValueError):
            return "#VALUE!"  # as openpyxl shows a date out of range

    def rows(self, archive: zipfile.ZipFile, path: str) -> Iterator[tuple[int, list[Any]]]:
        for _ in self.read(archive, path, self.tick):
            ready, self.ready = self.ready, []
            yield from ready


def _target(base: str, target: str) -> str:
    """A relationship's target as a path in the zip (relative to the part `base`, or absolute)."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _relations_path(part: str) -> str:
    folder, _, name = part.rpartition("/")
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def worksheet_rows(
    archive: zipfile.ZipFile, width: int, max_chars: int, tick: Callable[[], None]
) -> Iterator[tuple[int, list[Any]]]:
    """The rows of the workbook's first worksheet, as (row number, values of columns 1 to `width`).

    Rows come as the file writes them, empty ones included, with their own numbers (which may skip);
    text is kept to `max_chars` + 1 characters a cell. `tick` is called often (after each 64 KiB and
    every 4,096 cells): it may raise to stop the reading. Raises what a broken zip or XML raises.
    """
    package = _Relations()
    package.read_all(archive, "_rels/.rels", tick)
    documents = package.targets("officeDocument")
    book_path = _target("", documents[0] if documents else "/xl/workbook.xml")
    book = _Workbook()
    book.read_all(archive, book_path, tick)
    relations = _Relations(book.sheets)
    relations.read_all(archive, _relations_path(book_path), tick)
    sheets = [relations.found[i] for i in book.sheets if i in relations.found]
    worksheets = [_target(book_path, target) for kind, target in sheets if kind == "worksheet"]
    if not worksheets:
        raise BrokenWorkbook("no worksheet")
    strings, styles = _Strings(max_chars), _Styles()
    for target in relations.targets("sharedStrings")[:1]:
        strings.read_all(archive, _target(book_path, target), tick)
    for target in relations.targets("styles")[:1]:
        styles.read_all(archive, _target(book_path, target), tick)
    yield from _Sheet(width, max_chars, tick, strings, styles, book.epoch).rows(archive, worksheets[0])
