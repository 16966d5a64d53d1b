"""The course chart as SVG: planned hairs showing per cm² with its band, counted and fitted values, re-forecast dates.

Drawn as a separate response (``image/svg+xml``, shown with ``<img>``): the Content-Security-Policy
forbids inline styles, and SVG presentation attributes are not styles. All numbers come from core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from pinpoint.core.hair import CurvePoint
from pinpoint.web.electrolysis.selectors import AreaForecast

__all__ = ["course_svg"]

W, H = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
STEP_DAYS = 7


def _poly(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


@dataclass(frozen=True)
class _Frame:
    """Days 0 to ``last`` across, hairs per cm² 0 to ``ymax`` up."""

    last: int
    ymax: float

    def x(self, day: float) -> float:
        return LEFT + (W - LEFT - RIGHT) * day / self.last

    def y(self, v: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - v / self.ymax)


def _frame(f: AreaForecast, area_cm2: float, offset: int) -> _Frame:
    plan, fit = f.planned.plan, f.learned.fit
    shown_days = [c.day for c in plan.curve if c.visible > 0]
    last = max([*shown_days, *(offset + d for d in fit.days), 56]) + STEP_DAYS * 4
    last = min(last, plan.curve[-1].day)
    ymax = max(
        [c.visible / area_cm2 for c in f.planned.high.curve if c.day <= last]
        + list(fit.observed_per_cm2)
        + list(fit.predicted_per_cm2)
        + [1.0]
    )
    return _Frame(last, ymax)


def _band(f: AreaForecast, fr: _Frame, area_cm2: float) -> list[str]:
    plan, low, high = f.planned.plan, f.planned.low, f.planned.high
    pick = [i for i, c in enumerate(plan.curve) if c.day <= fr.last and c.day % STEP_DAYS == 0]

    def line(curve: Sequence[CurvePoint]) -> list[tuple[float, float]]:
        return [(fr.x(curve[i].day), fr.y(curve[i].visible / area_cm2)) for i in pick if i < len(curve)]

    upper, lower = line(high.curve), line(low.curve)
    return [
        f'<polygon points="{_poly(upper + lower[::-1])}" fill="#cfe3f5" stroke="none"/>',
        f'<polyline points="{_poly(line(plan.curve))}" fill="none" stroke="#1f5f99" stroke-width="2"/>',
    ]


def _axes(fr: _Frame, start: dt.date) -> list[str]:
    parts = [
        f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#444"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}" stroke="#444"/>',
    ]
    weeks = max(fr.last // 7 // 6, 1) * 7
    year = None
    for d in range(0, fr.last + 1, weeks):
        day = start + dt.timedelta(days=d)
        label = f"{day.day} {day:%b}" + (f" {day.year}" if day.year != year else "")  # the year when it changes
        year = day.year
        parts.append(
            f'<text x="{fr.x(d):.1f}" y="{H - BOTTOM + 16}" font-size="11" text-anchor="middle" '
            f'fill="#333">{label}</text>'
        )
    for frac in (0, 0.5, 1):
        v = fr.ymax * frac
        parts.append(
            f'<text x="{LEFT - 6}" y="{fr.y(v) + 4:.1f}" font-size="11" text-anchor="end" fill="#333">{v:.0f}</text>'
        )
    parts.append(
        f'<text x="{LEFT}" y="{H - 6}" font-size="11" fill="#333">hairs showing per cm² — planned (line, band), '
        "counted (dots), fitted (squares)</text>"
    )
    return parts


def _counts(f: AreaForecast, fr: _Frame, offset: int) -> list[str]:
    fit = f.learned.fit
    parts = []
    if fit.converged:
        fitted = [(fr.x(offset + d), fr.y(v)) for d, v in zip(fit.days, fit.predicted_per_cm2, strict=True)]
        parts.append(f'<polyline points="{_poly(fitted)}" fill="none" stroke="#b35900" stroke-dasharray="4 3"/>')
        parts += [f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" fill="#b35900"/>' for px, py in fitted]
    for d, v in zip(fit.days, fit.observed_per_cm2, strict=True):
        parts.append(f'<circle cx="{fr.x(offset + d):.1f}" cy="{fr.y(v):.1f}" r="4" fill="#222"/>')
    return parts


def _reforecast(f: AreaForecast, fr: _Frame, start: dt.date) -> list[str]:
    again = f.learned.reforecast
    if again is None:
        return []
    parts = []
    for q, when in again.dates_to.items():
        if when is not None and (when - start).days <= fr.last:
            px = fr.x((when - start).days)
            parts.append(
                f'<line x1="{px:.1f}" y1="{TOP}" x2="{px:.1f}" y2="{H - BOTTOM}" '
                'stroke="#2e7d32" stroke-dasharray="2 3"/>'
            )
            parts.append(f'<text x="{px + 3:.1f}" y="{TOP + 10}" font-size="11" fill="#2e7d32">{q} %</text>')
    return parts


def course_svg(f: AreaForecast, area_cm2: float, start: dt.date, title: str) -> str:
    """The chart of one area of a course (see the module docstring), as an SVG document."""
    offset = (f.recorded[0][1] - start).days if f.recorded else 0
    fr = _frame(f, area_cm2, offset)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>',
        *_band(f, fr, area_cm2),
        *_axes(fr, start),
        *_counts(f, fr, offset),
        *_reforecast(f, fr, start),
        "</svg>",
    ]
    return "\n".join(parts)
