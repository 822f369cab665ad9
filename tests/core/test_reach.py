"""A reach evaluated against one row's facts, as a table."""

from __future__ import annotations

import pytest

from core.reach import EVERYTHING, NOTHING, Reach, reach, reaches

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("scope", "row", "inside"),
    [
        (EVERYTHING, {"district": "500118", "filed_by": 3}, True),
        (reach(district="500154"), {"district": "500154", "filed_by": 3}, True),
        (reach(district="500154"), {"district": "500118", "filed_by": 3}, False),
        (reach(filed_by=3), {"district": "500118", "filed_by": 3}, True),
        (reach(filed_by=3), {"district": "500154", "filed_by": 4}, False),
        (NOTHING, {"district": "500154", "filed_by": 3}, False),
        # any one term is enough
        (reach(district="500154", filed_by=3), {"district": "500118", "filed_by": 3}, True),
        # a fact held as a collection (the experts on a case) matches when it holds the value
        (reach(assigned_expert=9), {"assigned_expert": frozenset({8, 9})}, True),
        (reach(assigned_expert=7), {"assigned_expert": frozenset({8, 9})}, False),
        # a fact the row does not state never matches
        (reach(assigned_expert=9), {"district": "500154"}, False),
        # a string is a value, not a collection of characters
        (reach(district="5"), {"district": "500154"}, False),
    ],
)
def test_it_decides_whether_a_row_is_within_reach(scope: Reach, row: dict[str, object], inside: bool) -> None:
    assert reaches(scope, row) is inside
