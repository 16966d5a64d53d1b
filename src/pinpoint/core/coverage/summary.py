"""Closed-form summary of a device (pure Python, used by the plan as well as the simulator)."""

from __future__ import annotations

from pinpoint.core.coverage.geometry import (
    Pattern,
    RollerGeometry,
    coverage_params,
    geometry_of,
    motion_of,
    needling_device,
)
from pinpoint.core.coverage.passes import Span
from pinpoint.core.coverage.results import DeviceSummary
from pinpoint.evidence.loader import Evidence

__all__ = ["device_summary"]

_GEOMETRY_FIELDS = (
    "needles",
    "needle_diameter_mm",
    "rings",
    "needles_per_ring",
    "drum_diameter_mm",
    "drum_width_mm",
    "needle_length_mm",
    "frequency_hz",
    "field_width_mm",
    "layout_rows",
    "layout_cols",
)


def device_summary(evidence: Evidence, device: str, speed_cm_s: float, pattern: Pattern = "lines") -> DeviceSummary:
    """The geometry of ``device`` and its closed forms at ``speed_cm_s`` (cm/s) in ``pattern``.

    Densities per cm2, lengths in mm, rates per second; sources are those of every catalog field
    used plus the derivations.
    """
    dev = needling_device(evidence, device)
    params = coverage_params(evidence)
    g = geometry_of(dev)
    motion = motion_of(g, pattern, speed_cm_s, params.pen_circle_radius_mm.value)
    sources = [s for name in _GEOMETRY_FIELDS if hasattr(dev, name) for s in getattr(dev, name).sources]
    common = {
        "id": device,
        "name": dev.name,
        "kind": dev.kind,
        "needles": g.needles,
        "needle_diameter_mm": g.needle_diameter_mm,
        "density_per_pass_per_cm2": motion.density_per_pass_per_cm2,
        "lane_mm": motion.lane_mm,
        "punctures_per_s": motion.punctures_per_s,
    }
    if isinstance(g, RollerGeometry):
        k = params.penetration_fraction
        shallow, deep = k.min * g.needle_length_mm, k.max * g.needle_length_mm
        sources += [*k.sources, "pinpoint-roller-density", "pinpoint-coverage-model"]
        return DeviceSummary(
            **common,
            axial_pitch_mm=g.axial_pitch_mm,
            circumferential_pitch_mm=g.circumferential_pitch_mm,
            lattice_half_diagonal_mm=g.lattice_half_diagonal_mm,
            needle_length_mm=g.needle_length_mm,
            effective_depth_mm=Span(min=shallow, max=deep),
            entry_tilt_deg=g.entry_tilt_deg(g.needle_length_mm),
            slot_mm=Span(min=g.slot_mm(shallow), max=g.slot_mm(deep)),
            sources=tuple(dict.fromkeys(sources)),
        )
    sources += ["pinpoint-coverage-model"]
    return DeviceSummary(
        **common,
        frequency_hz=g.frequency_hz,
        channels_per_s=g.channels_per_s,
        stamp_spacing_mm=g.stamp_spacing_mm(speed_cm_s),
        track_pitch_mm=g.track_pitch_mm,
        sources=tuple(dict.fromkeys(sources)),
    )
