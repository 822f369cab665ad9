"""The Chinese catalog covers every message id the pages and the Python code show.

Templates mark their messages with `_("...")`, which Babel extracts. Python code carries its
message ids as plain string literals (error messages, field errors, enum labels, notification
texts), which no extractor finds, so they are collected here: from the enums' `label`s, the
`message` of every `DomainError`, `enterprises.identifiers.MESSAGES`, and, by parsing the
modules in `SCANNED`, every literal that reads like an English sentence or label.

The catalog is read with Babel directly: importing `core.i18n` would import `core.config`, which
reads the environment at import, so the one test of `core.i18n` runs in a fresh interpreter.
"""

from __future__ import annotations

import ast
import enum
import importlib
import string
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

pytestmark = pytest.mark.pure  # no database or Redis: runs with `pytest -m pure` alone

ROOT = Path(__file__).resolve().parent.parent
PO_DIR = ROOT / "locale" / "zh_CN" / "LC_MESSAGES"
PO_FILE = PO_DIR / "messages.po"  # the header's file; features may keep their own catalog beside it
PO_FILES = sorted(PO_DIR.glob("*.po"))

# Pure modules (no settings, database or web imports) whose enums may carry `label`s and whose
# `DomainError` subclasses carry default messages.
PURE_MODULES = (
    "core.errors",
    "accounts.policy",
    "enterprises.classification",
    "enterprises.identifiers",
    "enterprises.industries",
    "casework.workflow",
    "casework.states",
    "casework.followups.rules",
    "experts.profile_rules",
)

# Modules parsed (not imported) for string literals that are message ids. Every module of the
# domain packages is read except the JSON API (OpenAPI summaries are not translated), tables and
# migrations; of `core`, the modules that raise or show errors.
SCANNED = sorted(
    {
        path
        for package in ("accounts", "casework", "enterprises", "experts")
        for path in (ROOT / package).rglob("*.py")
        if path.name not in {"api.py", "tables.py", "piccolo_app.py", "__init__.py"}
        and "piccolo_migrations" not in path.parts
    }
    | {ROOT / "core" / "errors.py", ROOT / "core" / "web.py"}
)

# Module-level names whose literals are data, not message ids (English industry names are chosen
# by `industry_name`, not translated).
DATA_NAMES = frozenset({"INDUSTRY_SECTIONS"})

# Calls whose literal arguments are log lines, not messages.
LOGGERS = frozenset({"log", "logger", "logging"})

# Sentence-like literals that are not message ids.
NOT_MESSAGES: frozenset[str] = frozenset()


@cache
def catalog() -> Catalog:
    merged = Catalog(locale="zh_CN")
    for path in PO_FILES:
        with path.open("rb") as handle:
            for message in read_po(handle, locale="zh_CN"):
                if message.id:
                    merged[message.id] = message
    return merged


def untranslated(message_ids: set[str]) -> list[str]:
    """The ids in `message_ids` without a non-empty, non-fuzzy translation."""
    po = catalog()
    missing = []
    for message_id in sorted(message_ids):
        entry = po.get(message_id)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(message_id)
    return missing


def template_messages() -> set[str]:
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT / "templates", method_map=[("**.html", "jinja2")]
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _looks_like_message(text: str) -> bool:
    """A sentence or a label of two words or more: "Choose a district.", "Case queue".

    Not SQL ("DO NOTHING"), paths, keys or one-word ids; one-word labels come from the enums.
    """
    if text in NOT_MESSAGES or " " not in text.strip() or text.isupper():
        return False
    return text[0].isupper() or text.endswith(".")


def _holds_no_messages(node: ast.AST) -> bool:
    """Docstrings and other bare strings, f-strings, log calls and the tables in DATA_NAMES."""
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        return isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in LOGGERS
    if isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return any(isinstance(t, ast.Name) and t.id in DATA_NAMES for t in targets)
    return False


def _skipped_nodes(tree: ast.Module) -> set[int]:
    """ids of the nodes whose literals are not messages."""
    return {id(inner) for node in ast.walk(tree) if _holds_no_messages(node) for inner in ast.walk(node)}


def label_table_values(tree: ast.Module) -> Iterator[str]:
    """The values of `*_LABELS` dicts: one-word labels ("Imported") that the sentence rule would miss."""
    for node in ast.walk(tree):
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        if any(isinstance(t, ast.Name) and t.id.endswith("_LABELS") for t in targets) and isinstance(
            node.value, ast.Dict
        ):
            for value in node.value.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield value.value


def literal_messages(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    yield from label_table_values(tree)
    skipped = _skipped_nodes(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in skipped
            and _looks_like_message(node.value)
        ):
            yield node.value


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def python_messages() -> set[str]:
    modules = [importlib.import_module(name) for name in PURE_MODULES]
    found: set[str] = set()
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum) and hasattr(value, "label"):
                found.update(member.label for member in value)
    errors = importlib.import_module("core.errors")
    for cls in (errors.DomainError, *_subclasses(errors.DomainError)):
        found.add(cls.message)
    found.update(importlib.import_module("enterprises.identifiers").MESSAGES)
    for path in SCANNED:
        found.update(literal_messages(path))
    return found


def placeholders(text: str) -> set[str]:
    return {name for _literal, name, _spec, _conversion in string.Formatter().parse(text) if name is not None}


def test_it_translates_every_template_message_into_chinese() -> None:
    messages = template_messages()

    assert len(messages) > 50, "the extractor found too few messages in templates/"
    missing = untranslated(messages)
    assert not missing, f"template messages without a Chinese translation in {PO_FILE}: {missing}"


def test_it_translates_every_python_message_into_chinese() -> None:
    messages = python_messages()

    assert {"Broker", "Submitted", "Accept for support", "This field is required."} <= messages
    assert "Agriculture, forestry, animal husbandry and fishery" not in messages
    missing = untranslated(messages)
    assert not missing, (
        f"Python messages without a Chinese translation in {PO_FILE}: {missing}\n"
        f"(scanned: {[str(p.relative_to(ROOT)) for p in SCANNED]}; "
        "if one of these is not a message id, add it to NOT_MESSAGES)"
    )


def test_it_keeps_placeholders_in_translations() -> None:
    wrong = [
        (entry.id, entry.string)
        for entry in catalog()
        if entry.id and entry.string and placeholders(str(entry.id)) != placeholders(str(entry.string))
    ]

    assert not wrong, f"translations whose {{placeholders}} differ from their message id: {wrong}"


def po_message_ids(text: str) -> list[str]:
    """Every msgid of a PO file as written, long ids joined from their continuation lines."""
    ids: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("msgid "):
            current = [line.removeprefix("msgid ").strip()[1:-1]]
            ids.append("")
        elif current is not None and line.startswith('"'):
            current.append(line.strip()[1:-1])
        else:
            current = None
        if current is not None:
            ids[-1] = "".join(current)
    return ids


def test_it_has_each_message_id_once() -> None:
    text = PO_FILE.read_text(encoding="utf-8")
    ids = [i for path in PO_FILES for i in po_message_ids(path.read_text(encoding="utf-8"))]
    repeated = {i for i in ids if i and ids.count(i) > 1}

    assert not repeated, f"message ids listed more than once: {sorted(repeated)}"
    assert '"Language: zh_CN\\n"' in text
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in text
    assert not [entry.id for entry in catalog() if entry.fuzzy and entry.id], "fuzzy entries are not shown"


def test_it_loads_the_catalog(tmp_path: Path) -> None:
    # A fresh interpreter, so that `core.config` reads this environment and not the suite's.
    script = (
        "from core.i18n import gettext\n"
        "print(gettext('zh_CN', 'Sign in'))\n"
        "print(gettext('en', 'Sign in'))\n"
        "print(gettext('zh_CN', 'Page {number} of {pages}', number=2, pages=5))\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "FUCHI_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "PYTHONIOENCODING": "utf-8",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    chinese, english, page = result.stdout.splitlines()
    assert chinese == catalog().get("Sign in").string
    assert chinese != "Sign in"
    assert english == "Sign in"
    assert "2" in page and "5" in page and "{" not in page
