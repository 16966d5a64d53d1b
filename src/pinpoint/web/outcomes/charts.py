"""A course's scores drawn server-side as SVG (matplotlib, no global state): one small panel per scale and rater."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
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
        locator = AutoDateLocator(minticks=2, maxticks=5)  # type: ignore[no-untyped-call]  # matplotlib is untyped here
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
        ax.grid(visible=True, alpha=0.3)
        ax.tick_params(labelsize=9)
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()
