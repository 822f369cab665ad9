"""A policy `Scope` as a query condition."""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column

from accounts.policy import Scope


def scope_where(scope: Scope, district: Column, owner: Column) -> Any:
    """The WHERE condition that keeps a query's rows within `scope` (None: no condition needed)."""
    if scope.everything:
        return None
    if scope.district is not None:
        return district == scope.district
    if scope.owner_id is not None:
        return owner == scope.owner_id
    return owner == -1  # the empty scope reaches no row
