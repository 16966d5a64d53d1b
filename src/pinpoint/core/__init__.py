"""Pure clinical logic: typed inputs in, typed results out; no I/O, no clock, no global random state.

The names below are loaded from their modules on first use (PEP 562), so importing one core module
(``pinpoint.core.dates`` for the command line, ``pinpoint.core.coverage`` for the simulator) does
not load the answers, planning, guide and screening modules with their pydantic models. The public
names are listed by module in ``_HOME`` (and, for type checkers, imported under ``TYPE_CHECKING``).

``guide`` is both a module and, here, its function: ``from pinpoint.core import guide`` is the
function, also after the module has been imported (which would otherwise record the module under
that name on the package), as it was when this package imported everything up front.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from pinpoint.core._exports import lazy_exports, module_of

if TYPE_CHECKING:
    from pinpoint.core.answers import Answers, parse_answers
    from pinpoint.core.errors import InputError, PinpointError, RefusedError, ScreeningBlockedError, UnknownIdError
    from pinpoint.core.guide import Guide, guide, guide_for_plan
    from pinpoint.core.planning import Plan, plan
    from pinpoint.core.screening import Screening, screen

_HOME: dict[str, tuple[str, ...]] = {
    "answers": ("Answers", "parse_answers"),
    "errors": ("InputError", "PinpointError", "RefusedError", "ScreeningBlockedError", "UnknownIdError"),
    "guide": ("Guide", "guide", "guide_for_plan"),
    "planning": ("Plan", "plan"),
    "screening": ("Screening", "screen"),
}
_MODULE_OF = module_of(_HOME)

__all__ = [  # the names of _HOME (a test checks they agree)
    "Answers",
    "Guide",
    "InputError",
    "PinpointError",
    "Plan",
    "RefusedError",
    "Screening",
    "ScreeningBlockedError",
    "UnknownIdError",
    "guide",
    "guide_for_plan",
    "parse_answers",
    "plan",
    "screen",
]


__getattr__ = lazy_exports(__name__, _HOME)


class _Core(ModuleType):
    """This package, whose attribute ``guide`` is always the function ``guide.guide``."""

    @property
    def guide(self) -> Any:
        return importlib.import_module(f"{__name__}.guide").guide

    @guide.setter
    def guide(self, value: object) -> None:
        """Importing the submodule sets it here: ignored, ``sys.modules`` keeps the module."""


sys.modules[__name__].__class__ = _Core
