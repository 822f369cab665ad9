"""Events are only ever added: no route changes or deletes one, and the code changes one in one place only.

The one change an event sees is the merge of a duplicate case, which re-points its events at the
case that stays (`casework.merging.move_events`): only their `case` column, never what they say.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import create_app

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "casework", "core", "enterprises", "experts", "operations")
WRITES = {"update", "delete", "raw", "insert_or_update"}


def sources() -> list[Path]:
    files = [ROOT / "app.py"]
    for package in PACKAGES:
        files += [p for p in (ROOT / package).rglob("*.py") if "piccolo_migrations" not in p.parts]
    return files


def event_writes(path: Path) -> list[tuple[str, ast.Call]]:
    """`CaseEvent.update(...)`, `CaseEvent.delete(...)`, … in a module, with the function they are in."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]:
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "CaseEvent"
            ):
                found.append((function.name, node))
    return found


def test_no_route_changes_or_deletes_an_event() -> None:
    app = create_app()
    writing = [
        f"{sorted(handler.http_methods)} {route.path}"
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if "/events" in route.path and handler.http_methods & {"PUT", "PATCH", "DELETE", "POST"}
    ]
    assert writing == []


@pytest.mark.pure
def test_the_code_changes_events_only_to_move_them_with_a_merged_case() -> None:
    writes = {
        (str(path.relative_to(ROOT)), function, call.func.attr)  # type: ignore[attr-defined]
        for path in sources()
        for function, call in event_writes(path)
    }
    assert writes == {("casework/merging.py", "move_events", "update")}
    [(_, call)] = event_writes(ROOT / "casework" / "merging.py")
    changed = call.args[0]
    assert isinstance(changed, ast.Dict) and [ast.unparse(k) for k in changed.keys if k] == ["CaseEvent.case"]


@pytest.mark.pure
def test_no_raw_sql_writes_the_event_table() -> None:
    for path in sources():
        text = path.read_text(encoding="utf-8").lower()
        for verb in ("update casework_case_event", 'update "casework_case_event"', "delete from casework_case_event"):
            assert verb not in text, path
