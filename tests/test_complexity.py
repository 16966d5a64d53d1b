"""No function of the checked packages is more complex than radon's grade C (cyclomatic complexity 20)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from radon.complexity import cc_rank, cc_visit

SRC = Path(__file__).resolve().parents[1] / "src" / "pinpoint"
CHECKED = ("core", "evidence", "cli", "web")
"""Packages under ``src/pinpoint`` held to grade C at worst."""


def _blocks(blocks: Iterable[Any]) -> Iterator[Any]:
    """Every function, method and nested function radon found (radon lists methods beside their class)."""
    for block in blocks:
        if not hasattr(block, "methods"):  # a class's own grade averages its methods, listed one by one
            yield block
            yield from _blocks(block.closures)


def _too_complex(package: str) -> list[str]:
    out = []
    for path in sorted((SRC / package).rglob("*.py")):
        for block in _blocks(cc_visit(path.read_text(encoding="utf-8"))):
            if cc_rank(block.complexity) not in "ABC":
                where = path.relative_to(SRC.parent)
                out.append(f"{where}:{block.lineno} {block.name} {cc_rank(block.complexity)} ({block.complexity})")
    return out


def test_no_function_above_grade_c() -> None:
    found = [line for package in CHECKED for line in _too_complex(package)]
    assert found == []


def test_the_check_sees_a_complex_method_and_a_nested_function() -> None:
    branches = "".join(f"            if x == {i}:\n                return {i}\n" for i in range(32))
    code = f"class K:\n    def m(self, x):\n        def f(x):\n{branches}            return 0\n        return f(x)\n"
    blocks = list(_blocks(cc_visit(code)))
    assert [(b.name, cc_rank(b.complexity)) for b in blocks] == [("m", "A"), ("f", "E")]
