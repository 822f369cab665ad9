"""Two snapshots of a plan compared: problems and measures added, removed and changed field by field."""

from __future__ import annotations

from typing import Any

import pytest

from casework.plans.compare import Change, diff_plans

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
    assert (diff.count(Change.ADDED), diff.count(Change.REMOVED), diff.count(Change.CHANGED)) == (3, 3, 2)


def test_it_sees_a_status_change_as_a_change() -> None:
    v2 = {**V1, "problems": [problem(1, [measure(11, status="done"), measure(12)]), *V1["problems"][1:]]}
    diff = diff_plans(V1, v2)
    assert [f.field for f in diff.problems[0].measures[0].fields] == ["status"]
    assert not diff.is_empty


def test_it_compares_an_empty_plan_with_a_written_one() -> None:
    diff = diff_plans({}, V1)
    assert diff.diagnosis is not None
    assert [p.change for p in diff.problems] == [Change.ADDED] * 3
