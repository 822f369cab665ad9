"""Broker task services: what the case page shows of its tasks, and (to come) dispatching them."""

from __future__ import annotations

from typing import Any

from casework.tables import Task


async def case_tasks(case_id: int) -> list[dict[str, Any]]:
    """A case's tasks, soonest due first, for a case the caller has checked the actor reaches."""
    return (
        await Task.select(
            Task.id, Task.kind, Task.due_on, Task.status, Task.broker.display_name.as_alias("broker_name")
        )
        .where(Task.case == case_id)
        .order_by(Task.due_on)
    )
