"""A course's scores drawn server-side as SVG (matplotlib, no global state): one small panel per scale and rater."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, DateFormatter
from matplotlib.figure import Figure

from pinpoint.core.outcomes import Series

__all__ = ["course_chart_svg"]

PANEL_HEIGHT_IN = 2.0
WIDTH_IN = 5.0


def course_chart_svg(series: Sequence[Series]) -> bytes:
    """SVG bytes: one panel per series (dates across, score up), titled with the rater and which way is better.

    Narrow (5 in) and stacked, so it stays legible when a phone scales it to its width.
    """
    n = max(len(series), 1)
    fig = Figure(figsize=(WIDTH_IN, PANEL_HEIGHT_IN * n), layout="constrained")
    axes = fig.subplots(n, 1, squeeze=False)[:, 0]
    if not series:
        axes[0].axis("off")
        axes[0].text(0.5, 0.5, "No scores yet", ha="center", va="center", fontsize=12)
    for ax, s in zip(axes, series, strict=False):
        dates = [d for d, _ in s.points]
        values = [v for _, v in s.points]
        ax.plot(dates, values, marker="o", linewidth=1.5, color="#1f5f8b")
        ax.set_title(s.title, fontsize=10, loc="left")
        lo = s.scale.min
        hi = s.scale.max if s.scale.max is not None else max([*values, lo + 1]) * 1.1
        pad = (hi - lo) * 0.08 or 0.5
        ax.set_ylim(lo - pad, hi + pad)
        if s.scale.labels:
            ax.set_yticks(sorted(s.scale.labels))
        _date_axis(ax, dates)
        ax.grid(visible=True, alpha=0.3)
        ax.tick_params(labelsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


MAX_DATE_TICKS = 4


def _date_axis(ax: Axes, dates: Sequence[dt.date]) -> None:
    """Days as people write them ("15 Nov 2026"), ticks on the scoring dates when there are few, a few days' margin."""
    if not dates:
        return
    first, last = min(dates), max(dates)
    margin = max(dt.timedelta(days=3), (last - first) / 20)
    ax.set_xlim(first - margin, last + margin)  # type: ignore[arg-type]  # matplotlib takes dates here
    unique = sorted(set(dates))
    if len(unique) <= MAX_DATE_TICKS:
        ax.set_xticks(unique)  # type: ignore[arg-type]
    else:
        ax.xaxis.set_major_locator(AutoDateLocator(minticks=2, maxticks=MAX_DATE_TICKS))  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(DateFormatter("%-d %b %Y"))  # type: ignore[no-untyped-call]
