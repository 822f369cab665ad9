"""Two snapshots of a plan compared: problems and measures added, removed and changed field by field."""

from __future__ import annotations

from typing import Any

import pytest

from casework.plans.compare import Change, PlanDiff, diff_plans

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone


def measure(id: int, **fields: Any) -> dict[str, Any]:
    base = {"description": f"措施{id}", "owner": "expert", "owner_name": "", "due_on": "2026-12-20", "status": "todo"}
    return {"id": id, **base, **fields}


def problem(id: int, measures: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"id": id, "title": f"问题{id}", "description": "", **fields, "measures": measures}


V1 = {
    "diagnosis": "资金紧张",
    "problems": [
        problem(1, [measure(11), measure(12)]),
        problem(2, [measure(21)]),
        problem(3, [measure(31)]),
    ],
}


def test_it_finds_nothing_between_a_version_and_itself() -> None:
    diff = diff_plans(V1, V1)
    assert diff.is_empty and diff.diagnosis is None
    assert {p.change for p in diff.problems} == {Change.SAME}


def test_it_reports_each_change_field_by_field() -> None:
    v2 = {
        "diagnosis": "资金紧张，销路不畅",
        "problems": [
            problem(1, [measure(11, due_on="2027-01-10", owner="agency", owner_name="区农商行"), measure(13)]),
            problem(3, [measure(31)], title="销路不畅"),
            problem(4, [measure(41)]),
        ],
    }
    diff = diff_plans(V1, v2)

    assert diff.diagnosis is not None and diff.diagnosis.new == "资金紧张，销路不畅"
    assert [(p.id, p.change) for p in diff.problems] == [
        (1, Change.CHANGED),
        (2, Change.REMOVED),  # kept where it stood in the old version
        (3, Change.CHANGED),
        (4, Change.ADDED),
    ]
    first = diff.problems[0]
    assert [(m.id, m.change) for m in first.measures] == [
        (11, Change.CHANGED),
        (12, Change.REMOVED),
        (13, Change.ADDED),
    ]
    assert {f.field: (f.old, f.new) for f in first.measures[0].fields} == {
        "owner": ("expert", "agency"),
        "owner_name": ("", "区农商行"),
        "due_on": ("2026-12-20", "2027-01-10"),
    }
    assert first.fields == ()  # the problem itself is as it was; only its measures changed
    assert [f.field for f in diff.problems[2].fields] == ["title"]
    assert diff.problems[2].changed("title") and not diff.problems[2].changed("description")
    removed = diff.problems[1]
    assert removed.new is None and [m.change for m in removed.measures] == [Change.REMOVED]
    assert [m.change for m in diff.problems[3].measures] == [Change.ADDED]
    # Problems 1 (its measures) and 3 (its title) and measure 11 are badged changed, and so counted.
    assert (diff.count(Change.ADDED), diff.count(Change.REMOVED), diff.count(Change.CHANGED)) == (3, 3, 3)


def test_it_sees_a_status_change_as_a_change() -> None:
    v2 = {**V1, "problems": [problem(1, [measure(11, status="done"), measure(12)]), *V1["problems"][1:]]}
    diff = diff_plans(V1, v2)
    assert [f.field for f in diff.problems[0].measures[0].fields] == ["status"]
    assert not diff.is_empty


def test_it_compares_an_empty_plan_with_a_written_one() -> None:
    diff = diff_plans({}, V1)
    assert diff.diagnosis is not None
    assert [p.change for p in diff.problems] == [Change.ADDED] * 3


def badges(diff: PlanDiff) -> list[Change]:
    """The change each problem and each measure is badged with on the compare page."""
    return [change for p in diff.problems for change in (p.change, *(m.change for m in p.measures))]


@pytest.mark.parametrize(
    ("new_problems", "counts"),
    [
        # A measure added to a kept problem: the problem is badged changed, so it is counted changed.
        ([problem(1, [measure(11), measure(12), measure(13)]), *V1["problems"][1:]], (1, 0, 1)),
        # A measure removed.
        ([problem(1, [measure(11)]), *V1["problems"][1:]], (0, 1, 1)),
        # A measure's due date moved: the measure and its problem are both badged changed.
        ([problem(1, [measure(11, due_on="2027-01-10"), measure(12)]), *V1["problems"][1:]], (0, 0, 2)),
        # A problem's own title.
        ([problem(1, [measure(11), measure(12)], title="融资难"), *V1["problems"][1:]], (0, 0, 1)),
        # A problem added with its measure, one removed with its measure.
        ([*V1["problems"][:2], problem(4, [measure(41)])], (2, 2, 0)),
    ],
)
def test_it_counts_each_problem_and_measure_under_the_badge_it_carries(
    new_problems: list[dict[str, Any]], counts: tuple[int, int, int]
) -> None:
    diff = diff_plans(V1, {**V1, "problems": new_problems})

    assert (diff.count(Change.ADDED), diff.count(Change.REMOVED), diff.count(Change.CHANGED)) == counts
    shown = badges(diff)
    assert [shown.count(c) for c in (Change.ADDED, Change.REMOVED, Change.CHANGED)] == list(counts)
    assert diff.count("changed") == diff.count(Change.CHANGED)  # as the template asks, by the value
