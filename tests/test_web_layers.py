"""The web apps' one-way graph (ADR 0008): what the import-linter contract ignores is annotation only."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = "Web apps: one-way graph (ADR 0008)"


def _contract() -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"] == CONTRACT)


def _ignored() -> list[tuple[str, str]]:
    pairs = []
    for line in _contract().get("ignore_imports", []):  # type: ignore[attr-defined]
        importer, imported = (part.strip() for part in line.split("->"))
        pairs.append((importer, imported))
    return pairs


def _runtime_imports(source: str, imported: str) -> list[int]:
    """Lines importing ``imported`` outside an ``if TYPE_CHECKING:`` block."""
    tree = ast.parse(source)
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            guarded |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        if isinstance(node, ast.ImportFrom):
            names = [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)]
        else:
            names = [a.name for a in node.names]
        if any(n == imported or n.startswith(imported + ".") for n in names) and id(node) not in guarded:
            found.append(node.lineno)
    return sorted(found)


def _source(module: str) -> str:
    path = ROOT / "src" / Path(*module.split("."))
    file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return file.read_text(encoding="utf-8")


def test_the_ignored_imports_are_the_three_annotations_of_base() -> None:
    assert _ignored() == [
        ("pinpoint.web.base.tenancy", "pinpoint.web.accounts.models"),
        ("pinpoint.web.base.evidence", "pinpoint.web.accounts.models"),
        ("pinpoint.web.base.idempotency", "pinpoint.web.accounts.models"),
    ]


def test_every_ignored_import_is_under_type_checking() -> None:
    at_run_time = {f"{a} -> {b}": _runtime_imports(_source(a), b) for a, b in _ignored()}
    assert at_run_time == {f"{a} -> {b}": [] for a, b in _ignored()}


def test_the_check_sees_an_import_at_run_time() -> None:
    code = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from pinpoint.web.accounts.models import User\n"
        "def f():\n    from pinpoint.web.accounts.models import Membership\n"
        "from pinpoint.web.accounts import models\n"
    )
    assert _runtime_imports(code, "pinpoint.web.accounts.models") == [5, 6]


def test_the_apps_are_ordered_as_adr_0008_says() -> None:
    assert _contract()["layers"] == [
        "__main__ : backup : demo : serve : settings : urls : wsgi",
        "api",
        "documents | exports | portal",
        "records",
        "reminders",
        "photos | outcomes | scheduling | electrolysis",
        "treatments",
        "devices",
        "consents",
        "clients",
        "accounts",
        "audit",
        "base",
    ]
