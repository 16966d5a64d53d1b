"""Pictures of a simulated treatment: a density heatmap of the zone and the punctures of a small window.

Drawn with matplotlib's object API on the Agg canvas (no pyplot, no global state) and returned as
bytes, so callers decide where they go. Lengths on the axes are in mm; each panel has a scale bar.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Literal

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import EllipseCollection
from matplotlib.colors import BoundaryNorm
from matplotlib.figure import Figure
from matplotlib.patches import Circle

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes

    from pinpoint.core.coverage.engine import Simulation

__all__ = ["Format", "render", "render_all", "scatter_window_mm"]

Format = Literal["png", "svg"]

_WINDOW_PUNCTURES = 600


def scatter_window_mm(density_per_cm2: float, side_mm: float) -> float:
    """Side (mm) of the scatter window: about 600 punctures, 3-20 mm, never more than the zone."""
    side = math.sqrt(_WINDOW_PUNCTURES / max(density_per_cm2 / 100.0, 1e-9))
    return min(max(side, 3.0), 20.0, side_mm)


def _nice_length(span_mm: float) -> float:
    """A round scale-bar length of about a fifth of ``span_mm``."""
    target = span_mm / 5
    base = 10.0 ** math.floor(math.log10(target))
    return next((m * base for m in (5.0, 2.0, 1.0) if m * base <= target), base)


def _scale_bar(ax: Axes, x0: float, y0: float, span_mm: float) -> None:
    length = _nice_length(span_mm)
    pad = span_mm * 0.04
    x, y = x0 + pad, y0 + pad
    ax.plot([x, x + length], [y, y], color="white", linewidth=6, solid_capstyle="butt", zorder=5)
    ax.plot([x, x + length], [y, y], color="black", linewidth=3, solid_capstyle="butt", zorder=6)
    ax.text(
        x + length / 2, y + pad * 0.6, f"{length:g} mm", ha="center", va="bottom", fontsize=9, zorder=6,
        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
    )


def _heatmap(fig: Figure, ax: Axes, cax: Axes, sim: Simulation) -> None:
    res, m = sim.result, sim.metrics
    side = sim.field.side_mm
    grid = m.density_grid_per_cm2
    target = res.target_density_per_cm2
    top = 1.05 * float(grid.max()) if grid.max() > 0 else 1.0
    image = ax.imshow(
        grid.T, origin="lower", extent=(0.0, side, 0.0, side), cmap="viridis", interpolation="nearest",
        vmin=0.0, vmax=top,
    )
    bar = fig.colorbar(image, cax=cax)
    bar.set_label("punctures per cm²")
    shown = [level for level in (target.min, target.max) if level <= top]
    for level in shown:
        bar.ax.axhline(level, color="white", linewidth=1.2, linestyle="--")
    aim = f"target {target.min:g}-{target.max:g}/cm²"
    if shown:
        aim += " dashed"
    elif top < target.min:
        aim = "all below the " + aim
    else:
        aim = "all above the " + aim
    zone = res.inputs.zone or "zone"
    ax.set_title(
        f"Density over {zone} ({res.inputs.area_cm2:g} cm², shown as a square)\n"
        f"mean {res.density_per_cm2:.0f}/cm², CV {res.density_cv:.2f} over {m.cell_mm:.1f} mm cells; {aim}",
        fontsize=10,
    )
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    _scale_bar(ax, 0.0, 0.0, side)


def _window(sim: Simulation) -> tuple[float, float, float]:
    side = sim.field.side_mm
    w = scatter_window_mm(sim.result.density_per_cm2, side)
    cx, cy = sim.metrics.largest_gap_centre_mm
    x0 = min(max(cx - w / 2, 0.0), side - w)
    y0 = min(max(cy - w / 2, 0.0), side - w)
    return x0, y0, w


def _scatter(fig: Figure, ax: Axes, cax: Axes, sim: Simulation) -> None:
    res, field = sim.result, sim.field
    x0, y0, w = _window(sim)
    xy = field.xy
    sel = (xy[:, 0] >= x0 - 1) & (xy[:, 0] <= x0 + w + 1) & (xy[:, 1] >= y0 - 1) & (xy[:, 1] <= y0 + w + 1)
    pts, passes = xy[sel], field.pass_index[sel] + 1
    n_pass = res.passes
    cmap = "tab20" if n_pass <= 20 else "viridis"
    norm = BoundaryNorm(np.arange(0.5, n_pass + 1.5), n_pass if n_pass > 1 else 2, clip=True)
    needle = res.device.needle_diameter_mm
    size = max(needle, w / 150)  # too small to see at this scale: drawn larger, and said so
    dots = EllipseCollection(
        widths=size, heights=size, angles=0.0, units="xy", offsets=pts, offset_transform=ax.transData,
        array=passes.astype(float), cmap=cmap, norm=norm, edgecolors="black", linewidths=0.3,
    )
    ax.add_collection(dots)
    bar = fig.colorbar(dots, cax=cax)
    bar.set_label("pass")
    if n_pass <= 20:
        bar.set_ticks(list(range(1, n_pass + 1, max(1, n_pass // 8))))
    cx, cy = sim.metrics.largest_gap_centre_mm
    ax.add_patch(Circle((cx, cy), res.largest_gap_mm, fill=False, edgecolor="red", linewidth=1.5, zorder=4))
    drawn = f"dots at needle size ({needle:g} mm)" if size == needle else f"dots {size:.2f} mm ({needle:g} mm needles)"
    ax.set_xlim(x0, x0 + w)
    ax.set_ylim(y0, y0 + w)
    ax.set_aspect("equal")
    ax.set_title(
        f"Punctures in a {w:.1f} mm window, {drawn}\n"
        f"red: largest gap in the zone, radius {res.largest_gap_mm:.2f} mm",
        fontsize=10,
    )
    ax.set_xlabel("x (mm)")
    ax.set_ylabel("y (mm)")
    _scale_bar(ax, x0, y0, w)


def render(sim: Simulation, fmt: Format = "png", *, dpi: int = 110) -> bytes:
    """The density heatmap and the puncture window of ``sim`` side by side, as PNG or SVG bytes."""
    return render_all(sim, (fmt,), dpi=dpi)[fmt]


def render_all(sim: Simulation, formats: Sequence[Format], *, dpi: int = 110) -> dict[Format, bytes]:
    """The picture of :func:`render`, drawn once and saved in each of ``formats`` (PNG, SVG)."""
    fig = _draw(sim)
    out: dict[Format, bytes] = {}
    for fmt in dict.fromkeys(formats):
        buf = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {}
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
        out[fmt] = buf.getvalue()
    return out


def _draw(sim: Simulation) -> Figure:
    res = sim.result
    width, height = 12.5, 5.8
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    side = 4.3 / height  # square panels 4.3 in high, placed by hand (faster than a layout engine)
    panel = 4.3 / width
    bottom = 0.09
    heat = fig.add_axes((0.065, bottom, panel, side))
    heat_bar = fig.add_axes((0.065 + panel + 0.012, bottom, 0.012, side))
    dots = fig.add_axes((0.565, bottom, panel, side))
    dots_bar = fig.add_axes((0.565 + panel + 0.012, bottom, 0.012, side))
    _heatmap(fig, heat, heat_bar, sim)
    _scatter(fig, dots, dots_bar, sim)
    per_direction = ", ".join(f"{k}×{v}" for k, v in res.passes_per_direction.items() if v)
    fig.suptitle(
        f"{res.device.name}: {res.passes} pass{'' if res.passes == 1 else 'es'} ({per_direction}), "
        f"{res.inputs.speed_cm_s:g} cm/s, "
        f"seed {res.inputs.seed}",
        fontsize=11,
        y=0.985,
    )
    return fig
