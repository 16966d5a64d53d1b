"""``pinpoint.core``'s names, loaded from their modules on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pinpoint.core


def test_the_listed_names_are_the_loaded_ones() -> None:
    assert sorted(pinpoint.core.__all__) == sorted(pinpoint.core._MODULE_OF)
    for name in pinpoint.core.__all__:
        value = getattr(pinpoint.core, name)
        assert value is getattr(sys.modules[f"pinpoint.core.{pinpoint.core._MODULE_OF[name]}"], name)


def test_one_core_module_does_not_load_the_others() -> None:
    """The command line imports pinpoint.core.dates; the coverage engine, pinpoint.core.coverage."""
    code = (
        "import sys, pinpoint.core.dates, pinpoint.core.coverage.engine;"
        "print(sorted(m for m in ('answers', 'guide', 'planning', 'screening') if 'pinpoint.core.' + m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_guide_is_the_function_before_and_after_its_module_is_imported() -> None:
    """``guide`` names a module and its function; the package's name is the function, as when it imported
    everything up front, whichever is imported first."""
    code = (
        "import pinpoint.core as c;"
        "from pinpoint.core import guide as first;"
        "import pinpoint.core.guide, pinpoint.core.planning;"
        "from pinpoint.core import guide, plan, sessions;"
        "import pinpoint.core.guide as g;"
        "m = sys.modules['pinpoint.core.guide'];"
        "print(first is guide is c.guide is g is m.guide, callable(guide), plan is c.planning.plan,"
        " type(m).__name__, sessions.__name__)"
    )
    for prelude in ("import sys;", "import sys, pinpoint.core.guide;"):
        out = subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "True True True module pinpoint.core.sessions"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"^module 'pinpoint\.core' has no attribute 'nothing_here'$"):
        pinpoint.core.nothing_here  # noqa: B018 - the lookup is the test
