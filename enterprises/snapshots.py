"""Recording an enterprise's outcomes (`OutcomeSnapshot`) and reading its latest ones.

`record_snapshot` opens no transaction of its own and checks no reach: its caller (completing a
survey task) has checked both and writes the snapshot in the same transaction as its own change,
so a task is never done without its answers, nor answers kept for a task that was not done.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from enterprises.classification import SnapshotSource
from enterprises.outcomes import SurveyAnswers
from enterprises.tables import OutcomeSnapshot

# How many snapshots the enterprise's page shows, newest first.
LATEST = 12

_SHOWN = (
    OutcomeSnapshot.id,
    OutcomeSnapshot.measured_on,
    OutcomeSnapshot.employees,
    OutcomeSnapshot.migrant_employees,
    OutcomeSnapshot.annual_revenue,
    OutcomeSnapshot.revenue_band,
    OutcomeSnapshot.status,
    OutcomeSnapshot.loans_obtained,
    OutcomeSnapshot.loan_amount,
    OutcomeSnapshot.note,
    OutcomeSnapshot.source,
    OutcomeSnapshot.task_id,
    OutcomeSnapshot.created_at,
    OutcomeSnapshot.recorded_by.display_name.as_alias("recorded_by_name"),
)


async def record_snapshot(
    enterprise_id: int,
    answers: SurveyAnswers,
    source: SnapshotSource,
    recorded_by: int,
    measured_on: date,
    note: str = "",
    case_id: int | None = None,
    task_id: int | None = None,
) -> int:
    """Write one snapshot of the enterprise's outcomes; returns its id. Run it inside the caller's transaction."""
    rows = await OutcomeSnapshot.insert(
        OutcomeSnapshot(
            enterprise=enterprise_id,
            measured_on=measured_on,
            employees=answers.employees,
            migrant_employees=answers.migrant_employees,
            revenue_band=answers.revenue_band,
            status=answers.status,
            loans_obtained=answers.loans_obtained,
            loan_amount=answers.loan_amount,
            note=note,
            source=source,
            case_id=case_id,
            task_id=task_id,
            recorded_by=recorded_by,
        )
    ).returning(OutcomeSnapshot.id)
    snapshot_id: int = rows[0]["id"]
    return snapshot_id


async def snapshot_of_task(task_id: int) -> dict[str, Any] | None:
    """The outcomes a completed survey task recorded, for a task page whose caller checked reach."""
    row = (
        await OutcomeSnapshot.select(*_SHOWN)
        .where(OutcomeSnapshot.task_id == task_id)
        .order_by(OutcomeSnapshot.id, ascending=False)
        .first()
    )
    return dict(row) if row is not None else None


async def latest_snapshots(enterprise_id: int, limit: int = LATEST) -> list[dict[str, Any]]:
    """The enterprise's latest outcome snapshots, newest first, for a page whose caller checked reach."""
    return (
        await OutcomeSnapshot.select(*_SHOWN)
        .where(OutcomeSnapshot.enterprise == enterprise_id)
        .order_by(OutcomeSnapshot.measured_on, ascending=False)
        .order_by(OutcomeSnapshot.id, ascending=False)
        .limit(limit)
    )
