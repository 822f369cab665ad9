"""A `Reach` as the WHERE condition of a query."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw

from core.reach import Reach

# A fact is a column compared for equality, or a function of the value that builds the condition
# (a subquery, for a fact that lives in another table).
Fact = Column | Callable[[Any], Any]


def reach_where(scope: Reach, facts: Mapping[str, Fact]) -> Any:
    """The condition keeping a query's rows within `scope`; None when it reaches every row."""
    if scope.everything:
        return None
    condition: Any = None
    for fact, value in scope.terms:
        column = facts[fact]
        term = column == value if isinstance(column, Column) else column(value)
        condition = term if condition is None else condition | term
    return WhereRaw("1 = 0") if condition is None else condition
