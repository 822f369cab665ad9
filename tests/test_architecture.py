"""The shape of the code, as ARCHITECTURE.md draws it.

Imports point down the floors (core, accounts, the registry domains, casework, what assembles
them); pure modules import no framework; no package reaches into another's controllers; no
import circles; no module grows past what one reader holds in mind.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

ROOT = Path(__file__).resolve().parent.parent
PURE_MODULES = [
    "accounts/policy.py",
    "accounts/throttle.py",
    "accounts/account_rules.py",
    "accounts/passwords.py",
    "accounts/mail/rules.py",
    "casework/workflow.py",
    "casework/states.py",
    "casework/attachments/kinds.py",
    "casework/attachments/delivery.py",
    "casework/notes/rules.py",
    "casework/timeline/lines.py",
    "casework/timeline/chronology.py",
    "casework/plans/rules.py",
    "casework/plans/compare.py",
    "casework/confirmations/rules.py",
    "casework/confirmations/gateway.py",
    "casework/tasks/rules.py",
    "casework/followups/rules.py",
    "casework/followups/messages.py",
    "casework/tasks/access.py",
    "casework/followups/listing.py",
    "casework/followups/settings_rules.py",
    "enterprises/exports/rules.py",
    "casework/access.py",
    "casework/notifying.py",
    "enterprises/access.py",
    "enterprises/history.py",
    "enterprises/intake.py",
    "enterprises/industries.py",
    "enterprises/industry_table.py",
    "enterprises/outcomes.py",
    "enterprises/identifiers.py",
    "enterprises/classification.py",
    "experts/matching.py",
    "experts/profile_rules.py",
    "experts/imports/rows.py",
    "experts/imports/template.py",
    "enterprises/imports/kinds.py",
    "experts/explaining.py",
    "experts/batching.py",
    "enterprises/duplicates/matching.py",
    "enterprises/exporting.py",
    "enterprises/imports/rules.py",
    "enterprises/imports/reading.py",
    "enterprises/imports/workbook.py",
    "enterprises/imports/headers.py",
    "enterprises/imports/columns.py",
    "enterprises/imports/values.py",
    "enterprises/imports/rows.py",
    "enterprises/imports/row_kinds.py",
    "enterprises/imports/need_columns.py",
    "enterprises/imports/template.py",
    "enterprises/imports/template_builder.py",
    "core/districts.py",
    "core/errors.py",
    "core/pagination.py",
    "core/reach.py",
    "core/spreadsheets.py",
    "core/text.py",
    "core/working_days.py",
]
FRAMEWORKS = ("litestar", "piccolo", "rq", "redis", "asyncpg", "aiosqlite", "jinja2")


# Each top-level package's floor: a module may import its own floor and those below, never above.
FLOORS = {
    "core": 0,
    "accounts": 1,
    "enterprises": 2,
    "experts": 2,
    "casework": 3,
    "operations": 4,
    "app": 5,
}
# Modules that are a package's web face: other packages call its services instead.
CONTROLLER_MODULES = ("controllers", "api", "pages")
MAX_LINES = 450


def source_files() -> list[Path]:
    """Every module of the project's packages and app.py, but generated migrations."""
    files = [ROOT / "app.py"]
    for package in FLOORS:
        if (ROOT / package).is_dir():
            files += [p for p in (ROOT / package).rglob("*.py") if "piccolo_migrations" not in p.parts]
    return files


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", PURE_MODULES)
def test_it_keeps_domain_logic_free_of_frameworks(module: str) -> None:
    framework_imports = {n for n in imports_of(ROOT / module) if n.split(".")[0] in FRAMEWORKS}
    assert not framework_imports, f"{module} imports {framework_imports}"


@pytest.mark.parametrize("package", ["enterprises", "experts"])
def test_it_keeps_casework_out_of_the_other_domains(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        assert not any(n.split(".")[0] == "casework" for n in imports_of(path)), f"{path} imports casework"


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_imports_only_its_own_floor_and_those_below(path: Path) -> None:
    own = FLOORS[module_name(path).split(".")[0]]
    above = {n for n in imports_of(path) if FLOORS.get(n.split(".")[0], -1) > own}
    assert not above, f"{path.relative_to(ROOT)} imports from a higher floor: {sorted(above)}"


def test_it_keeps_core_free_of_every_domain() -> None:
    domains = set(FLOORS) - {"core"}
    for path in (ROOT / "core").rglob("*.py"):
        assert not {n for n in imports_of(path) if n.split(".")[0] in domains}, f"{path} imports a domain"


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_reaches_no_other_package_through_its_controllers(path: Path) -> None:
    package = module_name(path).split(".")[0]
    if package == "app":  # the one place that assembles the controllers
        return
    # core has no controllers: its api.py and web.py are the glue every controller stands on.
    foreign = {
        n
        for n in imports_of(path)
        if n.split(".")[0] not in (package, "core")
        and n.split(".")[0] in FLOORS
        and n.split(".")[-1] in CONTROLLER_MODULES
    }
    assert not foreign, f"{path.relative_to(ROOT)} imports another package's controllers: {sorted(foreign)}"


def test_it_has_no_import_circles() -> None:
    modules = {module_name(p): p for p in source_files()}
    graph = {
        name: {
            target
            for imported in imports_of(path)
            for target in (imported, imported.rpartition(".")[0])
            if target in modules and target != name
        }
        for name, path in modules.items()
    }
    # A package's __init__ importing its own submodules is no circle a reader trips on.
    graph = {name: {t for t in targets if not name.startswith(t + ".")} for name, targets in graph.items()}
    done: set[str] = set()
    trail: list[str] = []

    def visit(name: str) -> None:
        if name in trail:
            cycle = [*trail[trail.index(name) :], name]
            raise AssertionError("import circle: " + " -> ".join(cycle))
        if name in done:
            return
        trail.append(name)
        for target in sorted(graph[name]):
            visit(target)
        trail.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


@pytest.mark.parametrize("path", source_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_keeps_each_module_short_enough_to_read(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by concern"
