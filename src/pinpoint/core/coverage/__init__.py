"""Needling coverage engine: puncture density, gaps and pass planning for rollers and pens.

Modules, lightest first:

* :mod:`.geometry` — devices, movement and closed forms (pure Python);
* :mod:`.passes` — the plan's pass count by closed form (:func:`zone_coverage`);
* :mod:`.treatment` — validated inputs of a simulation (:func:`make_treatment`);
* :mod:`.recommend` — passes for a density and/or gap criterion (:func:`recommend_passes`);
* :mod:`.field`, :mod:`.metrics`, :mod:`.engine` — the simulator (numpy, scipy): :func:`simulate`;
* :mod:`.figures` — pictures of a simulation (Pillow).

Names are loaded on first use, so ``import pinpoint.core.coverage`` costs nothing; the
simulator's numpy and scipy load only with :mod:`.engine`. The public names are listed once,
by module, in ``_HOME``; typed code imports them from their module.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME: dict[str, tuple[str, ...]] = {
    "engine": ("Simulation", "simulate"),
    "geometry": (
        "DIRECTIONS",
        "PenGeometry",
        "RollerGeometry",
        "coverage_params",
        "density_for_gap",
        "gap_fraction_se",
        "geometry_of",
        "needling_device",
        "parse_directions",
        "passes_for_density",
        "poisson_gap_fraction",
        "split_passes",
        "square_lattice_gap_fraction",
        "square_lattice_largest_gap_mm",
        "superposed_lattice_gap_fraction",
    ),
    "passes": ("ZoneCoverage", "zone_coverage"),
    "recommend": ("Recommendation", "recommend_passes"),
    "results": ("UNITS", "CoverageResult", "DeviceSummary", "GapFraction"),
    "summary": ("device_summary",),
    "treatment": ("Treatment", "make_treatment"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = list(_MODULE_OF)


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562)."""
    module = _MODULE_OF.get(name)
    if module is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
