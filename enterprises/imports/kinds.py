"""Another kind of row through the same import machinery: what it supplies, the machinery does the rest.

The machinery (upload, the dry run's job and row report, confirmation, the import's job in one
transaction, progress, failure and retry) is the enterprises' one. A package whose rows are not
enterprises (the expert pool) hands a `RowKind` to the service calls and to `check_batch` /
`apply_batch` from its own jobs: enterprises never import it. Without a kind, rows are enterprises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from accounts.policy import Actor
from enterprises.imports.reading import Sheet
from enterprises.imports.rules import OnMatch, Outcome

ENTERPRISES = "enterprises"  # the kind of a batch uploaded without one


@dataclass(frozen=True)
class CheckedRow:
    """The dry run's verdict on one row: `data` holds `name` for the report and what `apply_rows` needs."""

    row_number: int
    outcome: Outcome
    data: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedSheet:
    rows: list[CheckedRow]
    columns: dict[str, dict[str, str]]  # field -> {"header": …, "letter": …}
    warnings: list[tuple[str, dict[str, str]]] = field(default_factory=list)


class RowKind(Protocol):
    """What a kind of row supplies: its name (stored on the batch), its jobs, its checking and applying."""

    @property
    def name(self) -> str: ...

    @property
    def check_job(self) -> str: ...  # dotted path of the job calling `checking.check_batch(…, kind=…)`

    @property
    def apply_job(self) -> str: ...  # dotted path of the job calling `applying.apply_batch(…, kind=…)`

    def is_header(self, text: str) -> bool:
        """Whether a cell is one of its headers (the header row is the first with two of them)."""
        ...

    async def check_rows(self, sheet: Sheet, actor: Actor) -> CheckedSheet:
        """Every row of the sheet checked and matched; `ImportFileError` refuses the whole file."""
        ...

    async def apply_rows(
        self, rows: Sequence[Mapping[str, Any]], actor: Actor, on_match: OnMatch, progress: Callable[[int], None]
    ) -> dict[str, int]:
        """Write the valid rows (`outcome`, `data`), inside the machinery's one transaction; the counts applied."""
        ...
