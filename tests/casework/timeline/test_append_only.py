"""Events are only ever added: no route changes or deletes one, and no code could.

Three proofs: the app's routes (no PUT, PATCH or DELETE on anything of a case's timeline), the
code (no update of an event but moving it with its case on a merge, no delete, no raw SQL doing
either), and every write route of notes and attachments run for real, the events compared before
and after it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from accounts.guards import FRAMEWORK_PATH_PREFIXES
from app import create_app
from tests.casework.timeline.conftest import Filed, all_events, file_case, upload
from tests.casework.timeline.samples import EXE, PDF, PNG
from tests.conftest import Personas

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("accounts", "casework", "core", "enterprises", "experts", "operations")
MUTATING = {"PUT", "PATCH", "DELETE"}
TIMELINE_WORDS = ("event", "timeline", "note", "attachment")


def test_it_has_no_route_that_puts_patches_or_deletes_anything_of_a_timeline() -> None:
    app = create_app()
    mutating = [
        (route.path, sorted(handler.http_methods & MUTATING))
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.http_methods & MUTATING and not route.path.startswith(FRAMEWORK_PATH_PREFIXES)
    ]
    touching = [(path, methods) for path, methods in mutating if any(w in path.lower() for w in TIMELINE_WORDS)]

    assert not touching, f"routes that would change or delete events: {touching}"
    # Nor is a table editor (an admin app) mounted that could reach them.
    # The administrators' own pages (users, jobs, e-mail) touch no event.
    own = ("/admin/users", "/admin/jobs", "/admin/email", "/admin/mailbox", "/admin/audit")
    assert not [r.path for r in app.routes if "admin" in r.path and not r.path.startswith(own)]


def _module_files() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "piccolo_migrations" not in path.parts
    ] + [ROOT / "app.py"]


def _is_case_event(node: ast.AST) -> bool:
    return (isinstance(node, ast.Name) and node.id == "CaseEvent") or (
        isinstance(node, ast.Attribute) and node.attr == "CaseEvent"
    )


def _moves_only_the_case(call: ast.Call) -> bool:
    """`CaseEvent.update({CaseEvent.case: ...})` or `update(case=...)`: a merge moving events with their case."""
    keys: list[str] = [kw.arg or "**" for kw in call.keywords if kw.arg not in ("force", "use_auto_update")]
    for arg in call.args:
        if not isinstance(arg, ast.Dict):
            return False
        for key in arg.keys:
            if isinstance(key, ast.Attribute) and _is_case_event(key.value):
                keys.append(key.attr)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.append(key.value)
            else:
                keys.append("?")
    return keys == ["case"] or keys == ["case", "case"]


def event_writes(source: str) -> list[str]:
    """What in `source` changes or deletes events, or could."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and _is_case_event(node.func.value):
            method = node.func.attr
            if method in ("delete", "objects", "raw", "alter", "_process_results"):
                found.append(f"CaseEvent.{method} at line {node.lineno}")
            elif method == "update" and not _moves_only_the_case(node):
                found.append(f"CaseEvent.update of more than its case at line {node.lineno}")
    for match in re.finditer(r"(?is)\b(update|delete\s+from|truncate)\s+\"?casework_case_event\b", source):
        found.append(f"SQL {match.group(0)!r}")
    return found


@pytest.mark.pure
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("CaseEvent.insert(CaseEvent(case=1, kind='note'))", []),
        ("CaseEvent.select().where(CaseEvent.case == 1)", []),
        ("CaseEvent.update({CaseEvent.case: survivor}).where(CaseEvent.case == merged)", []),
        ("tables.CaseEvent.update(case=survivor)", []),
        ("CaseEvent.update({CaseEvent.note: ''})", ["CaseEvent.update of more than its case at line 1"]),
        (
            "CaseEvent.update({CaseEvent.case: 2, CaseEvent.kind: 'x'})",
            ["CaseEvent.update of more than its case at line 1"],
        ),
        ("CaseEvent.update(values)", ["CaseEvent.update of more than its case at line 1"]),
        ("CaseEvent.delete().where(CaseEvent.id == 1)", ["CaseEvent.delete at line 1"]),
        ("CaseEvent.objects().first()", ["CaseEvent.objects at line 1"]),
        ("db.run('DELETE FROM casework_case_event WHERE id = 1')", ["SQL 'DELETE FROM casework_case_event'"]),
        ('q = """UPDATE "casework_case_event" SET note = 1"""', ["SQL 'UPDATE \"casework_case_event'"]),
    ],
)
def test_it_recognises_code_that_would_change_an_event(source: str, expected: list[str]) -> None:
    assert event_writes(source) == expected


@pytest.mark.pure
def test_no_code_changes_or_deletes_an_event() -> None:
    found = {
        str(path.relative_to(ROOT)): writes
        for path in _module_files()
        if (writes := event_writes(path.read_text(encoding="utf-8")))
    }

    assert not found, f"code that changes or deletes events: {found}"


@dataclass
class Olga:
    """Olga, the officer of the case's district: signed in to the pages, and with a token for the API."""

    page: Any
    api: Any
    token: dict[str, str]


WriteRoute = Callable[[Olga, int], Awaitable[Any]]


async def _page_note(olga: Olga, case_id: int) -> Any:
    return await olga.page.post_form(f"/cases/{case_id}/notes", {"text": "见面谈了贷款。"}, f"/cases/{case_id}")


async def _page_empty_note(olga: Olga, case_id: int) -> Any:
    return await olga.page.post_form(f"/cases/{case_id}/notes", {"text": ""}, f"/cases/{case_id}")


async def _api_note(olga: Olga, case_id: int) -> Any:
    return await olga.api.http.post(f"/api/v1/cases/{case_id}/notes", json={"text": "电话回访。"}, headers=olga.token)


async def _page_attachment(olga: Olga, case_id: int) -> Any:
    return await upload(olga.page, case_id, "现场.png", PNG, "photo", "走访照片")


async def _page_wrong_attachment(olga: Olga, case_id: int) -> Any:
    return await upload(olga.page, case_id, "现场.jpg", EXE, "photo")


async def _api_attachment(olga: Olga, case_id: int) -> Any:
    url = f"/api/v1/cases/{case_id}/attachments"
    return await olga.api.http.post(url, files={"file": ("合同.pdf", PDF, "application/pdf")}, headers=olga.token)


# route, its expected status, the kind of event it appends (None: it appends nothing)
WRITE_ROUTES: list[tuple[str, WriteRoute, int, str | None]] = [
    ("POST /cases/{id}/notes", _page_note, 302, "note"),
    ("POST /cases/{id}/notes (empty)", _page_empty_note, 400, None),
    ("POST /api/v1/cases/{id}/notes", _api_note, 201, "note"),
    ("POST /cases/{id}/attachments", _page_attachment, 302, "attachment"),
    ("POST /cases/{id}/attachments (a program)", _page_wrong_attachment, 400, None),
    ("POST /api/v1/cases/{id}/attachments", _api_attachment, 201, "attachment"),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("route", "call", "status", "appended"), WRITE_ROUTES, ids=[r[0] for r in WRITE_ROUTES])
async def test_a_write_route_leaves_every_event_as_it_was_and_only_appends(
    filed: Filed,
    personas: Personas,
    sign_in: Callable[[str], Any],
    client: Any,
    route: str,
    call: WriteRoute,
    status: int,
    appended: str | None,
) -> None:
    other = await file_case(personas, "开州区另一家农场")
    olga = Olga(page=await sign_in("olga"), api=client, token=await client.api_token("olga"))
    for case_id in (filed.case_id, other.case_id):  # some history of each kind first
        assert (await _api_note(olga, case_id)).status_code == 201
        assert (await _api_attachment(olga, case_id)).status_code == 201
    before = await all_events()

    response = await call(olga, filed.case_id)

    after = await all_events()
    assert response.status_code == status, response.text
    assert after[: len(before)] == before
    added = after[len(before) :]
    assert [(e["case"], e["kind"]) for e in added] == ([(filed.case_id, appended)] if appended else [])
