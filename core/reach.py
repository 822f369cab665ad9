"""Which rows a user reaches, as data: every row, or those with any one of a few named facts.

Each domain decides in its own `access` module which terms a user gets (a district, the rows he
filed, the cases he is assigned to) and names the facts of its rows; this module only evaluates
a reach against one row, and `core.reach_filter` turns it into a query condition — so each rule
is written once and read the same way in Python and in SQL.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Reach:
    """Every row (`everything`), or the rows matching any of `terms`; no term reaches no row.

    A term is a fact's name and the value a row must have: `("district", "500154")`. A row whose
    fact is a collection (the experts assigned to a case) matches when it holds the value.
    """

    everything: bool = False
    terms: tuple[tuple[str, object], ...] = ()


EVERYTHING = Reach(everything=True)
NOTHING = Reach()


def reach(**facts: object) -> Reach:
    """The rows with any one of these facts: `reach(district="500154")`."""
    return Reach(terms=tuple(facts.items()))


def reaches(scope: Reach, row: Mapping[str, object]) -> bool:
    """Whether one row, described by its facts, lies within `scope`."""
    if scope.everything:
        return True
    for fact, value in scope.terms:
        held = row.get(fact)
        if isinstance(held, Collection) and not isinstance(held, str):
            if value in held:
                return True
        elif held == value:
            return True
    return False
