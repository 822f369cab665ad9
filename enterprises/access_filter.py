"""The registry's reach rules (`enterprises.access`) as query conditions."""

from __future__ import annotations

from typing import Any

from accounts.policy import Actor
from core.reach_filter import reach_where
from enterprises.access import enterprise_reach, import_reach
from enterprises.imports.tables import ImportBatch
from enterprises.tables import Enterprise


def enterprise_filter(actor: Actor) -> Any:
    """The WHERE condition keeping a query to the enterprises the actor reaches (None: all)."""
    return reach_where(
        enterprise_reach(actor), {"district": Enterprise.district, "registered_by": Enterprise.registered_by}
    )


def import_filter(actor: Actor) -> Any:
    """The WHERE condition keeping a query to the import batches the actor reaches (None: all)."""
    return reach_where(import_reach(actor), {"district": ImportBatch.district, "uploaded_by": ImportBatch.uploaded_by})
