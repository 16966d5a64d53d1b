"""The course chart as SVG: planned hairs showing per cm² with its band, counted and fitted values, re-forecast dates.

Drawn as a separate response (``image/svg+xml``, shown with ``<img>``): the Content-Security-Policy
forbids inline styles, and SVG presentation attributes are not styles. All numbers come from core.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from pinpoint.web.electrolysis.selectors import AreaForecast

__all__ = ["course_svg"]

W, H = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40
STEP_DAYS = 7


def _poly(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def course_svg(f: AreaForecast, area_cm2: float, start: dt.date, title: str) -> str:
    """The chart of one area of a course (see the module docstring), as an SVG document."""
    plan, low, high = f.planned.plan, f.planned.low, f.planned.high
    fit = f.learned.fit
    offset = (f.recorded[0][1] - start).days if f.recorded else 0
    shown_days = [c.day for c in plan.curve if c.visible > 0]
    last = max([*shown_days, *(offset + d for d in fit.days), 56]) + STEP_DAYS * 4
    last = min(last, plan.curve[-1].day)
    ymax = max(
        [c.visible / area_cm2 for c in high.curve if c.day <= last]
        + list(fit.observed_per_cm2)
        + list(fit.predicted_per_cm2)
        + [1.0]
    )

    def x(day: float) -> float:
        return LEFT + (W - LEFT - RIGHT) * day / last

    def y(v: float) -> float:
        return TOP + (H - TOP - BOTTOM) * (1 - v / ymax)

    pick = [i for i, c in enumerate(plan.curve) if c.day <= last and c.day % STEP_DAYS == 0]
    mid = [(x(plan.curve[i].day), y(plan.curve[i].visible / area_cm2)) for i in pick]
    upper = [(x(high.curve[i].day), y(high.curve[i].visible / area_cm2)) for i in pick if i < len(high.curve)]
    lower = [(x(low.curve[i].day), y(low.curve[i].visible / area_cm2)) for i in pick if i < len(low.curve)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        f'role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{W}" height="{H}" fill="#ffffff"/>',
        f'<polygon points="{_poly(upper + lower[::-1])}" fill="#cfe3f5" stroke="none"/>',
        f'<polyline points="{_poly(mid)}" fill="none" stroke="#1f5f99" stroke-width="2"/>',
        f'<line x1="{LEFT}" y1="{H - BOTTOM}" x2="{W - RIGHT}" y2="{H - BOTTOM}" stroke="#444"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{H - BOTTOM}" stroke="#444"/>',
    ]
    weeks = max(last // 7 // 6, 1) * 7
    for d in range(0, last + 1, weeks):
        label = (start + dt.timedelta(days=d)).strftime("%d %b")
        parts.append(
            f'<text x="{x(d):.1f}" y="{H - BOTTOM + 16}" font-size="11" text-anchor="middle" fill="#333">{label}</text>'
        )
    for frac in (0, 0.5, 1):
        v = ymax * frac
        parts.append(
            f'<text x="{LEFT - 6}" y="{y(v) + 4:.1f}" font-size="11" text-anchor="end" fill="#333">{v:.0f}</text>'
        )
    parts.append(
        f'<text x="{LEFT}" y="{H - 6}" font-size="11" fill="#333">hairs showing per cm² — planned (line, band), '
        "counted (dots), fitted (squares)</text>"
    )
    if fit.converged:
        fitted = [(x(offset + d), y(v)) for d, v in zip(fit.days, fit.predicted_per_cm2, strict=True)]
        parts.append(f'<polyline points="{_poly(fitted)}" fill="none" stroke="#b35900" stroke-dasharray="4 3"/>')
        parts += [f'<rect x="{px - 3:.1f}" y="{py - 3:.1f}" width="6" height="6" fill="#b35900"/>' for px, py in fitted]
    for d, v in zip(fit.days, fit.observed_per_cm2, strict=True):
        parts.append(f'<circle cx="{x(offset + d):.1f}" cy="{y(v):.1f}" r="4" fill="#222"/>')
    again = f.learned.reforecast
    if again is not None:
        for q, when in again.dates_to.items():
            if when is not None and (when - start).days <= last:
                px = x((when - start).days)
                parts.append(
                    f'<line x1="{px:.1f}" y1="{TOP}" x2="{px:.1f}" y2="{H - BOTTOM}" '
                    'stroke="#2e7d32" stroke-dasharray="2 3"/>'
                )
                parts.append(f'<text x="{px + 3:.1f}" y="{TOP + 10}" font-size="11" fill="#2e7d32">{q} %</text>')
    parts.append("</svg>")
    return "\n".join(parts)
