"""Background jobs of expert imports: the machinery's dry run and import, handed the experts' kind of row."""

from __future__ import annotations

from piccolo.utils.sync import run_sync

from core.jobs import may_retry
from enterprises.imports.applying import apply_batch
from enterprises.imports.checking import check_batch
from experts.imports.kind import EXPERT_ROWS


def check_expert_import(batch_id: int) -> None:
    """The dry run of an uploaded list of experts; running it again leaves the same rows."""
    run_sync(check_batch(batch_id, may_retry=may_retry(), kind=EXPERT_ROWS))


def apply_expert_import(batch_id: int) -> None:
    """The confirmed import of experts, all rows or none; running it again imports nothing twice."""
    run_sync(apply_batch(batch_id, may_retry=may_retry(), kind=EXPERT_ROWS))
