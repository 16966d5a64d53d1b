"""`pinpoint coverage`: simulate a roller or pen treatment, or recommend its passes.

numpy, scipy, Pillow and rich are imported inside the commands only, so ``pinpoint --help``
and ``pinpoint plan`` start fast.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pinpoint.cli.common import JsonOpt, console, emit_json, table
from pinpoint.core.errors import InputError

if TYPE_CHECKING:
    from pinpoint.core.coverage.figures import Format

__all__ = ["app"]

app = typer.Typer(
    help="Needling coverage: puncture density, gaps, re-hits and passes for rollers and pens.",
    no_args_is_help=True,
)

DeviceOpt = Annotated[str, typer.Option("--device", help="Roller or pen id from `pinpoint devices`.")]
ZoneOpt = Annotated[
    str | None, typer.Option("--zone", help="Zone id (its area from `pinpoint zones`); default full_face.")
]
AreaOpt = Annotated[float | None, typer.Option("--area-cm2", help="Area in cm2 instead of a zone.")]
SpeedOpt = Annotated[
    float | None, typer.Option("--speed-cm-s", help="Rolling or gliding speed in cm/s (default: the model's estimate).")
]
DirectionsOpt = Annotated[
    str | None,
    typer.Option("--directions", help="Pass directions cycled in order: h, v, d1, d2 (e.g. h,v,d1,d2)."),
]
PatternOpt = Annotated[
    str | None, typer.Option("--pattern", help="Pen pattern: lines, cross-hatch (h,v) or circles.")
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Seed of the random offsets and jitter.")]

_PROGRESS_FROM = 300_000  # punctures: below this a simulation takes well under a second


def _progress(show: bool) -> tuple[AbstractContextManager[Any], Any]:
    """A rich progress bar on stderr and the callback that drives it (or nothing)."""
    if not show:
        return nullcontext(), None
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:  # no bar in logs and pipes
        return nullcontext(), None
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task("starting", total=1)

    def update(stage: str, done: int, total: int) -> None:
        bar.update(task, description=stage, completed=done, total=total)

    return bar, update


def _plot_paths(plots: list[Path]) -> list[tuple[Path, Format]]:
    out: list[tuple[Path, Format]] = []
    for plot in plots:
        suffix = plot.suffix.lower()
        if suffix not in (".png", ".svg"):
            raise InputError("--plot", f"--plot: name a .png or .svg file, got '{plot}'")
        out.append((plot, "png" if suffix == ".png" else "svg"))
    return out


def _write_plots(sim: Any, plots: list[Path]) -> list[str]:
    """Draw the picture once and write each file asked for, in the format its name ends with."""
    from pinpoint.core.coverage.figures import render_all

    paths = _plot_paths(plots)
    images = render_all(sim, [fmt for _, fmt in paths])
    written = []
    for path, fmt in paths:
        try:
            path.write_bytes(images[fmt])
        except OSError as exc:
            raise InputError("--plot", f"--plot: cannot write '{path}': {exc.strerror or exc}") from None
        written.append(str(path))
    return written


def _per_direction(counts: dict[str, int]) -> str:
    return ", ".join(f"{k}×{v}" for k, v in counts.items() if v)


def _passes(n: int) -> str:
    return f"{n} pass" if n == 1 else f"{n} passes"


def _print_result(res: Any, written: list[str]) -> None:
    g = res.gap_fraction
    ref = res.reference
    rows = [
        ("passes", f"{res.passes} ({_per_direction(res.passes_per_direction)})", ""),
        ("time", f"{res.seconds / 60:.1f} min", f"{res.seconds:.0f} s at {res.inputs.speed_cm_s:g} cm/s"),
        ("area", f"{res.inputs.area_cm2:g} cm²", res.inputs.zone or "given area"),
        ("density", f"{res.density_per_cm2:.1f} /cm²", f"closed form {res.density_per_cm2_expected:.1f} /cm²"),
        (
            "uniformity (CV)",
            f"{res.density_cv:.3f}",
            f"{res.cell_mm:.1f} mm cells; {100 * res.cells_below_target_fraction:.0f}% below "
            f"{res.target_density_per_cm2.min:g}/cm²",
        ),
        (
            f"gap fraction (> {g.r_mm:g} mm)",
            f"{100 * g.value:.2f} %",
            f"± {100 * g.se:.2f}; random field {100 * g.poisson:.2f} %, square lattice {100 * g.square_lattice:.2f} %",
        ),
        (
            "largest gap (radius)",
            f"{res.largest_gap_mm:.3f} mm",
            f"square lattice {ref.square_lattice_largest_gap_mm:.3f} mm",
        ),
        ("re-hits", f"{100 * res.rehit_fraction:.1f} %", f"within {res.rehit_distance_mm:g} mm of an earlier puncture"),
        (
            "injured area",
            f"{100 * res.injured_fraction:.1f} %",
            f"channel radius {res.channel_radius_mm:g} mm; random field {100 * ref.boolean_injured_fraction:.1f} %",
        ),
    ]
    table(f"Coverage — {res.device.name}", ["metric", "value", "reference"], [list(row) for row in rows])
    con = console()
    con.print(f"sources: {', '.join(res.sources)}")
    con.print("estimates: speed, operator jitter and pen cartridge layout are model estimates (docs/coverage.md)")
    for path in written:
        con.print(f"picture written to {path}")


@app.command()
def simulate(
    device: DeviceOpt,
    passes: Annotated[int, typer.Option("--passes", help="Number of passes over the zone.")],
    directions: DirectionsOpt = None,
    pattern: PatternOpt = None,
    zone: ZoneOpt = None,
    area_cm2: AreaOpt = None,
    speed_cm_s: SpeedOpt = None,
    seed: SeedOpt = 0,
    gap_r_mm: Annotated[
        float | None, typer.Option("--gap-r-mm", help="Distance r (mm) of the gap fraction (default: the model's).")
    ] = None,
    channel_radius_mm: Annotated[
        float | None,
        typer.Option("--channel-radius-mm", help="Injury radius around a hole, mm (default: needle + margin)."),
    ] = None,
    lateral_jitter_mm: Annotated[
        float | None, typer.Option("--lateral-jitter-mm", help="Spacing error between lanes, SD in mm.")
    ] = None,
    angle_jitter_deg: Annotated[
        float | None, typer.Option("--angle-jitter-deg", help="Direction error of a pass, SD in degrees.")
    ] = None,
    capture_radius_mm: Annotated[
        float | None, typer.Option("--capture-radius-mm", help="A puncture this close to a hole re-uses it (mm).")
    ] = None,
    plot: Annotated[
        list[Path] | None,
        typer.Option("--plot", help="Write the heatmap and puncture window to FILE.png or FILE.svg; repeat for both."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate passes of a roller or pen over a zone: density, uniformity, gaps, re-hits, time."""
    from pinpoint.core.coverage import make_treatment
    from pinpoint.core.coverage.engine import simulate as run
    from pinpoint.core.coverage.treatment import check_channel_radius, check_gap_r, expected_punctures
    from pinpoint.evidence.loader import load_evidence

    if plot:
        _plot_paths(plot)
    ev = load_evidence()
    treatment = make_treatment(
        ev, device, passes, directions=directions, pattern=pattern, zone=zone, area_cm2=area_cm2,
        speed_cm_s=speed_cm_s, lateral_jitter_mm=lateral_jitter_mm, angle_jitter_deg=angle_jitter_deg,
        capture_radius_mm=capture_radius_mm, seed=seed,
    )
    check_gap_r(gap_r_mm)
    check_channel_radius(channel_radius_mm)
    bar, update = _progress(not as_json and expected_punctures(ev, treatment) > _PROGRESS_FROM)
    with bar:
        sim = run(ev, treatment, gap_r_mm=gap_r_mm, channel_radius_mm=channel_radius_mm, progress=update)
        written = _write_plots(sim, plot) if plot else []
    if as_json:
        emit_json({**sim.result.model_dump(mode="json"), "plots": written})
        return
    _print_result(sim.result, written)


@app.command()
def recommend(
    device: DeviceOpt,
    target_density: Annotated[
        float | None, typer.Option("--target-density", help="Punctures per cm2 to reach (the aim: docs/coverage.md).")
    ] = None,
    max_gap_mm: Annotated[
        float | None, typer.Option("--max-gap-mm", help="Gap criterion: distance r in mm ...")
    ] = None,
    max_gap_fraction: Annotated[
        float | None,
        typer.Option("--max-gap-fraction", help="... and the largest fraction of skin allowed farther than r (0-1)."),
    ] = None,
    zone: ZoneOpt = None,
    area_cm2: AreaOpt = None,
    speed_cm_s: SpeedOpt = None,
    directions: DirectionsOpt = None,
    pattern: PatternOpt = None,
    max_passes: Annotated[
        int | None,
        typer.Option("--max-passes", help="Cap on passes (default: the most the published technique uses)."),
    ] = None,
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """Fewest passes of a device that reach a target density and/or a gap criterion on a zone, and the time."""
    from pinpoint.core.coverage import recommend_passes
    from pinpoint.evidence.loader import load_evidence

    ev = load_evidence()
    bar, update = _progress(not as_json)
    with bar:
        rec = recommend_passes(
            ev, device, target_density_per_cm2=target_density, max_gap_mm=max_gap_mm,
            max_gap_fraction=max_gap_fraction, zone=zone, area_cm2=area_cm2, speed_cm_s=speed_cm_s,
            directions=directions, pattern=pattern, max_passes=max_passes, seed=seed, progress=update,
        )
    if as_json:
        emit_json(rec.model_dump(mode="json"))
        return
    _print_recommendation(rec)


def _print_recommendation(rec: Any) -> None:
    con = console()
    where = rec.inputs.zone or f"{rec.inputs.area_cm2:g} cm²"
    con.print(
        f"[bold]{_passes(rec.passes)}[/bold] ({_per_direction(rec.passes_per_direction)}) of {rec.inputs.device} "
        f"on {where}: about {rec.seconds / 60:.1f} min at {rec.inputs.speed_cm_s:g} cm/s"
    )
    if rec.passes_for_density is not None:
        con.print(
            f"  density: {rec.target_density_per_cm2:g}/cm² needs {_passes(rec.passes_for_density)} of "
            f"{rec.density_per_pass_per_cm2:.1f}/cm² (re-hits ignored: a lower bound)"
        )
    if rec.passes_for_gap is not None:
        found = rec.passes_for_gap
        con.print(
            f"  gaps: at most {100 * rec.max_gap_fraction:g}% of skin farther than {rec.max_gap_mm:g} mm after "
            f"{_passes(rec.passes_for_gap)} in a {rec.gap_search_window_cm2:g} cm² window"
            + (f"; the whole zone needed {rec.passes}" if rec.passes > max(found, rec.passes_for_density or 0) else "")
        )
    span = rec.published_passes
    inside = "within" if rec.within_published_passes else "outside"
    con.print(f"  published technique: {span.min:g}-{span.max:g} passes ({inside})")
    if rec.achieved is not None:
        a = rec.achieved
        con.print(
            f"  simulated: {a.density_per_cm2:.0f}/cm², {100 * a.gap_fraction.value:.1f}% of skin farther than "
            f"{a.gap_fraction.r_mm:g} mm, largest gap {a.largest_gap_mm:.2f} mm, re-hits {100 * a.rehit_fraction:.1f}%"
        )
    con.print(f"sources: {', '.join(rec.sources)}")
