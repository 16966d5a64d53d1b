"""Names of a package loaded from its modules on first use (PEP 562), for ``pinpoint.core`` and its subpackages."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports", "module_of"]


def module_of(home: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Each public name of ``home`` (module → its names) with the module that defines it."""
    return {name: module for module, names in home.items() for name in names}


def lazy_exports(package: str, home: Mapping[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: a name of ``home`` is imported from its module when first read."""
    where = module_of(home)

    def __getattr__(name: str) -> Any:  # noqa: N807 - the name PEP 562 looks up
        module = where.get(name)
        if module is None:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
