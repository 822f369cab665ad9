"""The shape of the code: pure domain modules import no framework, and domains do not import casework."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

ROOT = Path(__file__).resolve().parent.parent
PURE_MODULES = [
    "accounts/policy.py",
    "accounts/throttle.py",
    "accounts/passwords.py",
    "casework/workflow.py",
    "enterprises/intake.py",
    "enterprises/identifiers.py",
    "enterprises/classification.py",
    "enterprises/duplicates.py",
    "enterprises/exporting.py",
    "enterprises/importing.py",
    "core/districts.py",
    "core/errors.py",
    "core/pagination.py",
]
FRAMEWORKS = ("litestar", "piccolo", "rq", "redis", "asyncpg", "aiosqlite", "jinja2")


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
