"""Filing the needs a ledger writes beside its enterprises, as the broker would, inside the import's transaction.

A need is filed as a case, which is casework's; enterprises cannot import casework, so casework hands
its way of filing over at assembly (`register_need_filer`, like `merge_service.register_mover`): app.py
for the web, `casework.jobs` for the workers that run imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from accounts.policy import Actor
from core.worker import job_modules
from enterprises.imports.tables import ImportRow
from enterprises.tables import Enterprise


class FiledCases(Protocol):
    """What a filer filed inside the transaction, and what it sends once the transaction commits."""

    @property
    def case_ids(self) -> list[int]: ...

    async def send(self) -> None: ...


NeedFiler = Callable[[Actor, int, Sequence[Mapping[str, str]]], Awaitable[FiledCases]]
"""`async def file(actor, enterprise_id, need_forms) -> FiledCases`, inside the caller's open transaction."""

_filers: dict[str, NeedFiler] = {}


class NoNeedFiler(RuntimeError):
    """Rows hold needs but nothing was registered to file them: refuse the import rather than drop them."""


def register_need_filer(file: NeedFiler) -> None:
    """Have `file` file an imported row's needs as cases (casework registers it)."""
    _filers["cases"] = file


def _filer() -> NeedFiler:
    if "cases" not in _filers:
        # A plain `rq worker`'s horse imported only the import's job module: the project's job modules
        # hand over their hooks as `fuchi worker` has them do before forking (found on disk: no domain named).
        for name in job_modules():
            importlib.import_module(name)
    if "cases" not in _filers:
        raise NoNeedFiler("enterprises.imports.need_filing: no need filer registered (casework registers one)")
    return _filers["cases"]


@dataclass
class SheetNeedsFiled:
    """The cases a batch's needs became, to be sent after the import's commit."""

    filed: list[FiledCases] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(one.case_ids) for one in self.filed)

    async def send(self) -> None:
        """After the commit: the officers told, the triage clocks given to RQ."""
        for one in self.filed:
            await one.send()


async def file_sheet_needs(batch_id: int, actor: Actor) -> SheetNeedsFiled:
    """File the needs of a batch's imported rows (created or matched), inside the import's transaction.

    Each row's report keeps how many were filed (`needs_filed`). The filer files a need once: a
    ledger imported again files nothing it filed before.
    """
    rows: list[dict[str, Any]] = await (
        ImportRow.select(ImportRow.id, ImportRow.enterprise, ImportRow.data)
        .where((ImportRow.batch == batch_id) & ImportRow.enterprise.is_not_null())
        .order_by(ImportRow.row_number)
        .output(load_json=True)
    )
    rows = [row for row in rows if isinstance(row["data"], dict) and row["data"].get("needs")]
    # A matched enterprise merged away since the dry run takes no new needs (its survivor may be out of reach).
    ids = sorted({row["enterprise"] for row in rows})
    merged: set[int] = set()
    for start in range(0, len(ids), 500):
        merged |= {
            found["id"]
            for found in await Enterprise.select(Enterprise.id).where(
                Enterprise.id.is_in(ids[start : start + 500]) & Enterprise.merged_into.is_not_null()
            )
        }
    result = SheetNeedsFiled()
    for row in rows:
        data, needs = row["data"], row["data"]["needs"]
        if row["enterprise"] in merged:
            continue
        filed = await _filer()(actor, row["enterprise"], needs)
        result.filed.append(filed)
        await ImportRow.update({ImportRow.data: {**data, "needs_filed": len(filed.case_ids)}}).where(
            ImportRow.id == row["id"]
        )
    return result
