"""Searching text columns for what a user typed, on SQLite and PostgreSQL alike.

Piccolo's `like`/`ilike` put the pattern in a LIKE with no ESCAPE clause: SQLite then has no
escape character at all, so a `%` or `_` typed into a search box matches anything. `contains`
writes the ESCAPE clause, and the pattern from `core.text.contains_pattern` escapes them.
"""

from __future__ import annotations

from piccolo.columns import Column
from piccolo.columns.combination import Where
from piccolo.columns.operators.comparison import ComparisonOperator

from core.text import contains_pattern


class _LikeEscaped(ComparisonOperator):
    template = "{name} LIKE {value} ESCAPE '\\'"


class _ILikeEscaped(ComparisonOperator):
    template = "{name} ILIKE {value} ESCAPE '\\'"


def contains(column: Column, text: str) -> Where:
    """`column` contains `text` literally, ignoring case (SQLite: ASCII letters only, as LIKE does)."""
    postgres = column._meta.engine_type in ("postgres", "cockroach")
    return Where(column=column, value=contains_pattern(text), operator=_ILikeEscaped if postgres else _LikeEscaped)
