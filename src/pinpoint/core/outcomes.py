"""Outcome scores: the scales of ``outcomes.toml``, checking a score against its scale, the mMASI sum.

Interfaces list the scales with :func:`scales`, check what was entered with :func:`check_score`
(which also computes the mMASI from its regions) and draw a course's scores as they come back
from :func:`series`. Dates are parameters (no clock).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from pinpoint.core.dates import check_past_date
from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.evidence.loader import Evidence

if TYPE_CHECKING:
    from pinpoint.evidence.schema_outcomes import Data, Scale

__all__ = [
    "MAX_COUNT",
    "RATERS",
    "Point",
    "ScaleInfo",
    "Score",
    "Series",
    "check_score",
    "mmasi_regions",
    "scale",
    "scales",
    "series",
]

RATERS: Mapping[str, str] = {"practitioner": "practitioner", "client": "client"}
"""Who gives a score, in people's words."""

MAX_COUNT = 99_999
"""Largest count or total one score may hold (a typing guard, not a clinical limit)."""


class ScaleInfo(BaseModel):
    """A scale as interfaces show it: bounds (``max`` ``None`` for counts), labels by value, who rates it."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    short: str
    kind: str
    raters: tuple[str, ...]
    better: str
    min: float
    max: float | None
    labels: dict[int, str]
    note: str
    sources: tuple[str, ...]


class Score(BaseModel):
    """A checked score: its value (the mMASI computed from ``components``), with the label of a level."""

    model_config = ConfigDict(frozen=True)

    scale: str
    rater: str
    value: float
    label: str
    components: dict[str, dict[str, int]]


class Point(BaseModel):
    """One recorded score of a course, as plain values."""

    model_config = ConfigDict(frozen=True)

    scale: str
    rater: str
    taken_on: dt.date
    value: float


class Series(BaseModel):
    """The scores of one scale by one rater, in date order, for a chart."""

    model_config = ConfigDict(frozen=True)

    scale: ScaleInfo
    rater: str
    points: tuple[tuple[dt.date, float], ...]

    @property
    def title(self) -> str:
        """'GAIS, by the client (lower is better)'."""
        return f"{self.scale.short}, by the {RATERS[self.rater]} ({self.scale.better} is better)"


def _data(ev: Evidence) -> Data:
    return ev.extra["outcomes"]  # type: ignore[no-any-return]


def _info(sid: str, s: Scale) -> ScaleInfo:
    lo = s.range.min if s.range is not None else s.floor.value if s.floor is not None else 0.0
    return ScaleInfo(
        id=sid,
        name=s.name,
        short=s.short,
        kind=s.kind,
        raters=s.raters,
        better=s.better,
        min=lo,
        max=s.range.max if s.range is not None else None,
        labels={int(k): v for k, v in s.labels.items()},
        note=s.note,
        sources=s.sources,
    )


def scales(ev: Evidence) -> tuple[ScaleInfo, ...]:
    """Every outcome scale of the evidence base, in file order."""
    return tuple(_info(k, s) for k, s in _data(ev).scales.items())


def scale(ev: Evidence, scale_id: str) -> ScaleInfo:
    """The scale ``scale_id``, else :class:`UnknownIdError` on ``scale``."""
    data = _data(ev).scales
    if scale_id not in data:
        raise UnknownIdError("scale", "scale", scale_id, data)
    return _info(scale_id, data[scale_id])


def mmasi_regions(ev: Evidence) -> tuple[tuple[str, str, float], ...]:
    """The mMASI regions: (id, name, weight)."""
    return tuple((k, r.name, r.weight.value) for k, r in _data(ev).mmasi.regions.items())


def _whole(field: str, value: float | None, what: str) -> int:
    if value is None or not math.isfinite(value) or value != int(value):
        raise InputError(field, f"{what} is a whole number")
    return int(value)


Grades = Mapping[str, Mapping[str, float]]


def _mmasi(ev: Evidence, components: Grades | None) -> tuple[float, dict[str, dict[str, int]]]:
    """Σ weight x area x darkness over the regions (each region needs an area and a darkness grade)."""
    m = _data(ev).mmasi
    given = dict(components or {})
    unknown = sorted(set(given) - set(m.regions))
    if unknown:
        raise UnknownIdError("components", "mMASI region", unknown[0], m.regions)
    total = 0.0
    out: dict[str, dict[str, int]] = {}
    for rid, region in m.regions.items():
        grades = given.get(rid, {})
        values = {}
        for part, bounds in (("area", m.area), ("darkness", m.darkness)):
            field = f"{rid}_{part}"
            what = f"{region.name}: {part}"
            v = _whole(field, grades.get(part), f"{what} grade")
            if not bounds.min <= v <= bounds.max:
                raise InputError(field, f"{what} is a grade from {bounds.min:g} to {bounds.max:g}, got {v}")
            values[part] = v
        out[rid] = values
        total += region.weight.value * values["area"] * values["darkness"]
    return round(total, 1), out


def check_score(
    ev: Evidence,
    scale_id: str,
    rater: str,
    value: float | None = None,
    *,
    components: Grades | None = None,
    taken_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Score:
    """Check a score of scale ``scale_id`` given by ``rater`` and return it with its label.

    ``value`` must be a whole number within the scale's range (from its floor for a count, up to
    :data:`MAX_COUNT`); an mMASI is computed from ``components`` instead (region id ->
    ``{"area": 0-6, "darkness": 0-4}``), rounded to 0.1 point. With ``taken_on`` and ``today``,
    the assessment date must not be in the future. Raises :class:`InputError` or
    :class:`UnknownIdError` naming the field (``scale``, ``rater``, ``value``, ``<region>_area``...).
    """
    s = scale(ev, scale_id)
    if rater not in s.raters:
        allowed = " or ".join(f"the {RATERS[r]}" for r in s.raters)
        raise InputError("rater", f"{s.short} is rated by {allowed}, not the {RATERS.get(rater, rater)}")
    if taken_on is not None and today is not None:
        check_past_date("taken_on", taken_on, today, label="assessment date")
    if s.kind == "mmasi":
        total, parts = _mmasi(ev, components)
        return Score(scale=scale_id, rater=rater, value=total, label="", components=parts)
    v = _whole("value", value, f"a {s.short} score")
    hi = s.max if s.max is not None else MAX_COUNT
    if not s.min <= v <= hi:
        raise InputError("value", f"a {s.short} score is from {s.min:g} to {hi:g}, got {v}")
    return Score(scale=scale_id, rater=rater, value=float(v), label=s.labels.get(v, ""), components={})


def series(ev: Evidence, points: Iterable[Point]) -> tuple[Series, ...]:
    """The points grouped by scale and rater (scales in file order, the practitioner first), each by date."""
    infos = {s.id: s for s in scales(ev)}
    groups: dict[tuple[str, str], list[tuple[dt.date, float]]] = {}
    for p in points:
        groups.setdefault((p.scale, p.rater), []).append((p.taken_on, p.value))
    order = list(infos)
    keys = sorted((k for k in groups if k[0] in infos), key=lambda k: (order.index(k[0]), k[1] != "practitioner"))
    return tuple(Series(scale=infos[k[0]], rater=k[1], points=tuple(sorted(groups[k]))) for k in keys)
