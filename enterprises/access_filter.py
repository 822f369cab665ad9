"""The registry's reach rules (`enterprises.access`) as query conditions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from accounts.policy import Actor
from core.reach_filter import reach_where
from enterprises.access import enterprise_reach, import_reach
from enterprises.imports.tables import ImportBatch
from enterprises.tables import Enterprise

ExtraReach = Callable[[Actor], Any]
"""`reach(actor)`: a condition on `Enterprise` adding enterprises the actor reaches through another
package's rows (casework: an expert, those of the cases assigned to him), or None for no more."""

_extra_reach: dict[str, ExtraReach] = {}


def register_extra_reach(name: str, extra: ExtraReach) -> None:
    """Have `extra` widen every user's enterprise reach; packages enterprises cannot import register at assembly."""
    _extra_reach[name] = extra


def _extra_conditions(actor: Actor) -> list[Any]:
    return [c for extra in _extra_reach.values() if (c := extra(actor)) is not None]


def enterprise_filter(actor: Actor) -> Any:
    """The WHERE condition keeping a query to the enterprises the actor reaches (None: all)."""
    condition = reach_where(
        enterprise_reach(actor), {"district": Enterprise.district, "registered_by": Enterprise.registered_by}
    )
    if condition is None:
        return None
    for extra in _extra_conditions(actor):
        condition = condition | extra
    return condition


async def reaches_through_others(actor: Actor, enterprise_id: int) -> bool:
    """Whether a registered extra reach brings this enterprise within the actor's reach."""
    for condition in _extra_conditions(actor):
        if await Enterprise.exists().where((Enterprise.id == enterprise_id) & condition):
            return True
    return False


def import_filter(actor: Actor) -> Any:
    """The WHERE condition keeping a query to the import batches the actor reaches (None: all)."""
    return reach_where(import_reach(actor), {"district": ImportBatch.district, "uploaded_by": ImportBatch.uploaded_by})
