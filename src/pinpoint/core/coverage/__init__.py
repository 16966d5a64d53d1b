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

from pinpoint.core._exports import lazy_exports, module_of

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
_MODULE_OF = module_of(_HOME)

__all__ = list(_MODULE_OF)


__getattr__ = lazy_exports(__name__, _HOME)
