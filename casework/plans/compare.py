"""Two versions of a plan side by side: what was added, removed and changed, field by field.

Pure: works on the snapshots `casework.plans.versions.plan_snapshot` writes into each version
(`{"diagnosis": …, "problems": [{"id", "title", "description", "measures": [{"id", …}]}]}`).
Problems and measures are matched by id, which an edit keeps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

PROBLEM_FIELDS = ("title", "description")
MEASURE_FIELDS = ("description", "owner", "owner_name", "due_on", "status")


class Change(StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ItemDiff:
    """One problem or measure in both versions: `old` and `new` are None where it is missing."""

    id: int
    change: Change
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None
    fields: tuple[FieldChange, ...] = ()
    measures: tuple[ItemDiff, ...] = ()  # a problem's measures

    def changed(self, name: str) -> bool:
        return any(f.field == name for f in self.fields)


@dataclass(frozen=True)
class PlanDiff:
    diagnosis: FieldChange | None
    problems: tuple[ItemDiff, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return self.diagnosis is None and all(p.change is Change.SAME for p in self.problems)

    def count(self, change: Change) -> int:
        """How many problems and measures were added, removed or changed.

        Each problem and each measure counts once, under the change the page badges it with: a
        problem whose measures changed is badged changed, so it counts as changed too, as a problem
        added or removed counts beside each of its measures.
        """
        items = [*self.problems, *(m for p in self.problems for m in p.measures)]
        return sum(1 for item in items if item.change == change)


def _field_changes(old: Mapping[str, Any], new: Mapping[str, Any], names: Sequence[str]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(n, old.get(n), new.get(n)) for n in names if old.get(n) != new.get(n))


def _merged_order(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> list[int]:
    """Ids in the new version's order, each removed one placed after the kept one it followed in the old."""
    kept = {item["id"] for item in new}
    leading: list[int] = []  # removed ids that came before any kept one
    following: dict[int, list[int]] = {}
    last_kept: int | None = None
    for item in old:
        if item["id"] in kept:
            last_kept = item["id"]
        elif last_kept is None:
            leading.append(item["id"])
        else:
            following.setdefault(last_kept, []).append(item["id"])
    order = leading
    for item in new:
        order += [item["id"], *following.get(item["id"], [])]
    return order


def _diff_items(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], names: Sequence[str], nested: bool
) -> tuple[ItemDiff, ...]:
    old_by_id = {item["id"]: item for item in old}
    new_by_id = {item["id"]: item for item in new}
    diffs = []
    for item_id in _merged_order(old, new):
        before, after = old_by_id.get(item_id), new_by_id.get(item_id)
        measures = (
            _diff_items(
                (before or {}).get("measures", []), (after or {}).get("measures", []), MEASURE_FIELDS, nested=False
            )
            if nested
            else ()
        )
        if before is None:
            diffs.append(ItemDiff(item_id, Change.ADDED, None, after, measures=measures))
        elif after is None:
            diffs.append(ItemDiff(item_id, Change.REMOVED, before, None, measures=measures))
        else:
            fields = _field_changes(before, after, names)
            inner_changed = any(m.change is not Change.SAME for m in measures)
            change = Change.CHANGED if fields or inner_changed else Change.SAME
            diffs.append(ItemDiff(item_id, change, before, after, fields, measures))
    return tuple(diffs)


def diff_plans(old: Mapping[str, Any], new: Mapping[str, Any]) -> PlanDiff:
    """What changed from the `old` snapshot to the `new` one."""
    old_diagnosis, new_diagnosis = old.get("diagnosis", ""), new.get("diagnosis", "")
    diagnosis = FieldChange("diagnosis", old_diagnosis, new_diagnosis) if old_diagnosis != new_diagnosis else None
    return PlanDiff(diagnosis, _diff_items(old.get("problems", []), new.get("problems", []), PROBLEM_FIELDS, True))
