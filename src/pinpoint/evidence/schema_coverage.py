"""Schema of ``coverage.toml``: physical parameters of the needling coverage model.

Device geometry lives in ``devices.toml``; this file holds what the catalog does not: the target
density, the penetration fraction, the injury margin around a channel, the capture radius of
hole re-use, operator jitter, default speeds and the reporting radius and cell size.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from pinpoint.evidence.schema import Model, Range, Value, _unit

__all__ = ["Data"]


def _positive(v: Range | Value) -> Range | Value:
    low = v.min if isinstance(v, Range) else v.value
    if low <= 0:
        msg = f"must be positive, got {low:g}"
        raise ValueError(msg)
    return v


def _non_negative(v: Value) -> Value:
    if v.value < 0:
        msg = f"must not be negative, got {v.value:g}"
        raise ValueError(msg)
    return v


def _fraction(v: Range) -> Range:
    if not 0 < v.min <= v.max <= 1:
        msg = f"a fraction must lie in (0, 1], got {v.min:g}-{v.max:g}"
        raise ValueError(msg)
    return v


PerCm2Range = Annotated[Range, _unit("per_cm2"), AfterValidator(_positive)]
FractionRange = Annotated[Range, _unit("fraction"), AfterValidator(_fraction)]
PositiveMm = Annotated[Value, _unit("mm"), AfterValidator(_positive)]
NonNegativeMm = Annotated[Value, _unit("mm"), AfterValidator(_non_negative)]
NonNegativeDegrees = Annotated[Value, _unit("degrees"), AfterValidator(_non_negative)]
Speed = Annotated[Value, _unit("cm_per_s"), AfterValidator(_positive)]


class Data(Model):
    """The whole of ``coverage.toml``."""

    target_density_per_cm2: PerCm2Range
    penetration_fraction: FractionRange
    injury_margin_mm: NonNegativeMm
    capture_radius_mm: NonNegativeMm
    lateral_jitter_mm: NonNegativeMm
    angle_jitter_deg: NonNegativeDegrees
    roller_speed_cm_s: Speed
    pen_speed_cm_s: Speed
    pen_circle_radius_mm: PositiveMm
    gap_radius_mm: PositiveMm
    uniformity_cell_mm: PositiveMm
