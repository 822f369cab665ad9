"""Who reaches which broker task: the one rule, pure and tested as a table.

A task's facts are its `district` and the `broker` it was dispatched to; `casework.tasks.service`
applies the same rule to queries through `task_filter`.
"""

from __future__ import annotations

from collections.abc import Mapping

from accounts.policy import Actor, Role
from core.reach import EVERYTHING, NOTHING, Reach, reach, reaches


def task_reach(actor: Actor) -> Reach:
    """Brokers reach their own tasks, district officers their district's, city officers all.

    Experts and administrators reach none: tasks are the bureau's instructions to its brokers.
    """
    if actor.role is Role.CITY_OFFICER:
        return EVERYTHING
    if actor.role is Role.DISTRICT_OFFICER and actor.district:
        return reach(district=actor.district)
    if actor.role is Role.BROKER:
        return reach(broker=actor.user_id)
    return NOTHING


def may_reach_task(actor: Actor, task: Mapping[str, object]) -> bool:
    """Whether the actor reaches one task, given its facts (`district`, `broker`)."""
    return reaches(task_reach(actor), task)
