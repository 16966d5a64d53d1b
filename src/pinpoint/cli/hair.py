"""`pinpoint hair`: electrolysis areas, modalities, and a predicted, dated course (`hair plan`).

numpy and matplotlib are imported inside the commands only, so the rest of the CLI starts fast.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Annotated, Any

import typer

from pinpoint.cli.common import (
    JsonOpt,
    console,
    emit_json,
    fmt_span,
    parse_date,
    parse_json_text,
    read_data_file,
    read_text_file,
    table,
    today,
    with_line,
)
from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import InputError, PinpointError
from pinpoint.evidence.loader import load_evidence

__all__ = ["app"]

app = typer.Typer(
    help="Needle electrolysis: hair cycles by area, modalities, and course prediction.",
    no_args_is_help=True,
)

PLOT_SUFFIXES = (".png", ".svg")


SHORT = {
    "anagen_fraction": "share",
    "anagen_days": "A",
    "telogen_days": "T",
    "latency_days": "L",
    "density_per_cm2": "density",
    "depth_mm": "depth",
    "emergence_days": "emergence",
}


@app.command()
def areas(as_json: JsonOpt = False) -> None:
    """List the electrolysis areas: phase durations, anagen share, density, depth, with flags and sources."""
    from pinpoint.core.hair import area_summaries

    rows = area_summaries(load_evidence())
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table(
        "Electrolysis areas",
        ["id", "anagen", "A / C / T / L days", "per cm2", "cm2", "depth", "estimated"],
        [
            [
                r.id + ("*" if r.unverified else ""),
                f"{r.anagen_fraction:.0%}",
                f"{r.anagen_days:g} / {r.catagen_days:g} / {r.telogen_days:g} / {r.latency_days:g}",
                f"{r.density_per_cm2:g}",
                f"{r.area_cm2:g}" + ("~" if r.area_estimate else ""),
                fmt_span(r.depth_mm, "mm"),
                ", ".join(SHORT.get(e, e) for e in r.estimates) or "-",
            ]
            for r in rows
        ],
    )
    console().print(
        "A, C, T, L: anagen, catagen, telogen and empty-follicle latency (L reconciles the durations with the "
        "anagen share). * figures from the Richards & Meharg table as commonly cited, not checked against the "
        "original. ~ estimated area. Sources: --json."
    )


@app.command()
def modalities(as_json: JsonOpt = False) -> None:
    """List the modalities: seconds per follicle, regrowth and destruction chance, probes, cautions."""
    from pinpoint.core.hair import modality_summaries

    rows = modality_summaries(load_evidence())
    if as_json:
        emit_json([r.model_dump(mode="json") for r in rows])
        return
    table(
        "Electrolysis modalities",
        ["id", "current s", "s per follicle", "per minute", "regrowth", "destroyed"],
        [
            [
                r.id,
                fmt_span(r.current_seconds),
                f"{r.seconds_per_follicle:.3g}",
                f"{r.follicles_per_minute:.3g}",
                f"{r.regrowth_fraction.min:.0%}-{r.regrowth_fraction.max:.0%}"
                + (" (est.)" if r.regrowth_estimate else ""),
                f"{r.destroy_probability:.0%}",
            ]
            for r in rows
        ],
    )
    con = console()
    for r in rows:
        con.print(f"[bold]{r.id}[/bold] — {r.name}. {r.mechanism} Probes: {r.probe_types}.")
        for text in r.cautions:
            con.print(f"  caution: {text}")
    con.print("s per follicle = current + handling time; regrowth: share of treated growing hairs that survive.")


def _read_answers(path: Path) -> Any:
    raw, text = read_data_file(path, "answers")
    try:
        return parse_answers(raw, load_evidence())
    except PinpointError as exc:
        raise with_line(exc, path, text) from None


def _check_plot_path(plot: Path | None) -> None:
    if plot is not None and plot.suffix.lower() not in PLOT_SUFFIXES:
        raise InputError("--plot", f"--plot must end in .png or .svg, got '{plot.name}'")


@app.command()
def plan(
    area: Annotated[str, typer.Option("--area", help="Electrolysis area (zone id), see `pinpoint hair areas`.")],
    modality: Annotated[str, typer.Option("--modality", help="Modality id, see `pinpoint hair modalities`.")],
    density_per_cm2: Annotated[
        float | None,
        typer.Option(
            "--density-per-cm2", help="Terminal hairs per cm² (default: the area's estimated terminal density)."
        ),
    ] = None,
    area_cm2: Annotated[
        float | None, typer.Option("--area-cm2", help="Area treated, cm² (default: the zone's).")
    ] = None,
    session_minutes: Annotated[
        float | None, typer.Option("--session-minutes", help="Time budget of a session, minutes (default: hair.toml).")
    ] = None,
    interval_days: Annotated[int | None, typer.Option("--interval-days", help="Fixed days between sessions.")] = None,
    auto_interval: Annotated[
        bool, typer.Option("--auto-interval", help="Weekly at first, spacing out as the area clears (the default).")
    ] = False,
    months: Annotated[int, typer.Option("--months", help="Months to simulate.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same prediction).")] = 0,
    start: Annotated[str | None, typer.Option("--start", help="First session YYYY-MM-DD (default today).")] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the clearance curve to a .png or .svg file.")
    ] = None,
    answers: Annotated[
        Path | None, typer.Option("--answers", help="Screen this answers file first (as `pinpoint screen` reads).")
    ] = None,
    metal_implant: Annotated[
        bool | None,
        typer.Option(
            "--metal-implant/--no-metal-implant", help="Is there a metal implant, plate or pins under the area?"
        ),
    ] = None,
    anagen_only: Annotated[
        bool, typer.Option("--anagen-only", help="Treat growing hairs only, never resting ones.")
    ] = False,
    counts: Annotated[
        Path | None,
        typer.Option(
            "--counts",
            help="JSON or CSV rows of date, window_cm2, hairs_seen, hairs_removed: fit this client's course and "
            "forecast again.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Predict a course: dated sessions, hours, sessions to each reported reduction, the clearance curve."""
    from pinpoint.core.hair import CourseOptions, plan_course

    first = parse_date(start, "--start", None) or today()
    _check_plot_path(plot)
    parsed = _read_answers(answers) if answers is not None else None
    options = CourseOptions(
        density_per_cm2=density_per_cm2,
        area_cm2=area_cm2,
        session_minutes=session_minutes,
        interval_days=interval_days,
        auto_interval=auto_interval,
        months=months,
        seed=seed,
        treat_resting=not anagen_only,
        metal_implant_in_area=metal_implant,
    )
    evidence = load_evidence()
    rows = _read_counts(counts, evidence, area) if counts is not None else None
    result = plan_course(evidence, area, modality, start=first, options=options, answers=parsed)
    learned = _learn(evidence, (area, modality), rows, options) if rows is not None else None
    if plot is not None:
        _plot(result, plot)
    if as_json:
        out = result.model_dump(mode="json")
        if learned is not None:
            out["fitted"], out["reforecast"] = learned
        emit_json(out)
        return
    _print_plan(result, plot)
    if learned is not None:
        _print_fit(*learned)


def _read_counts(path: Path, evidence: Any, area: str) -> Any:
    """Rows of a JSON list (or ``{"counts": [...]}``) or a CSV file with a header, checked by core."""
    from pinpoint.core.hair import get_area
    from pinpoint.core.hair_fit import parse_counts

    text = read_text_file(path, "--counts")  # at most 5 MB: /dev/zero or an endless FIFO stops there
    if text.lstrip()[:1] in ("[", "{"):
        data = parse_json_text(text, path, "--counts")  # nesting, integer and number limits
        rows = data.get("counts") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise InputError("--counts", f"{path}: expected a list of rows, or an object with a 'counts' list")
    else:
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error as exc:
            raise InputError("--counts", f"{path}: not a CSV file with a header row ({exc})") from None
    return parse_counts(rows, get_area(evidence, area).density_per_cm2.value, on=today())


def _learn(evidence: Any, ids: tuple[str, str], rows: Any, options: Any) -> tuple[dict[str, Any], Any]:
    """The fit of ``rows`` (JSON-ready) and the re-forecast from the first count (``None`` if no fit)."""
    from pinpoint.core.hair_fit import fit_counts, reforecast

    area, modality = ids
    fit = fit_counts(evidence, area, modality, rows, seed=options.seed)
    again = reforecast(evidence, area, modality, fit, rows[0].date, options)
    return fit.model_dump(mode="json"), (again.model_dump(mode="json") if again is not None else None)


def _print_fit(fitted: dict[str, Any], again: dict[str, Any] | None) -> None:
    con = console()
    if not fitted["converged"]:
        con.print(f"[yellow]fit:[/yellow] {fitted['message']}")
        return
    kp, dens = fitted["kill_probability"], fitted["density_per_cm2"]
    con.print(
        f"Fitted to your counts ({fitted['sessions']} sessions): kill chance {kp['value']:.0%} "
        f"({kp['low']:.0%}-{kp['high']:.0%}), {dens['value']:g} hairs per cm² ({dens['low']:g}-{dens['high']:g})"
    )
    if again is not None:
        for q in ("80", "95"):
            band = again["dates_band"][q]
            con.print(
                f"Forecast again: {q}% on {again['dates_to'][q] or 'not within the months'} "
                f"(between {band['early'] or '-'} and {band['late'] or 'later'})"
            )


def _print_plan(p: Any, plot: Path | None) -> None:
    con = console()
    spacing = (
        f"every {p.interval_days} days"
        if p.interval_days
        else "automatic interval " + "/".join(str(d) for d in p.model.interval_steps_days) + " days"
    )
    con.print(
        f"[bold]{p.area} — {p.modality}[/bold]: {p.model.follicles:,} follicles "
        f"({p.area_cm2:g} cm² x {p.density_per_cm2:g} per cm²), {p.session_minutes:g}-minute sessions, {spacing}, "
        f"{p.start} to {p.end}"
    )
    reach = [
        [f"{k}%", str(n) if n else "not reached", str(p.dates_to[k]) if n else "-"] for k, n in p.sessions_to.items()
    ]
    table("Follicles destroyed", ["reduction", "sessions", "date"], reach)
    reported = ""
    if p.reported_hours:
        reported = f" (reported for this area: {fmt_span(p.reported_hours, 'h')})"
    con.print(f"Predicted: {p.sessions_total} sessions, {p.hours_total:g} hours of treatment{reported}")
    rows = [
        [
            str(s.session),
            s.date.isoformat(),
            f"{s.minutes_used:.0f}/{s.minutes_budget:g}",
            str(s.visible_before),
            f"{s.treated_growing}+{s.treated_resting}",
            str(s.destroyed),
            f"{s.reduction:.0%}",
        ]
        for s in p.sessions
    ]
    table(
        "Schedule",
        ["#", "date", "minutes", "hairs showing", "treated (growing+resting)", "destroyed", "reduction"],
        rows,
    )
    for finding in (*(p.screening.findings if p.screening else ()), *p.modality_findings):
        con.print(f"[yellow]{finding.verdict}:[/yellow] {finding.message}")
    for text in p.cautions:
        con.print(f"caution: {text}")
    for w in p.warnings:
        con.print(f"[yellow]warning:[/yellow] {w}")
    con.print("aftercare: " + "; ".join(a.text for a in p.aftercare))
    if plot is not None:
        con.print(f"clearance curve written to {plot}")


def _plot(p: Any, path: Path) -> None:
    """Draw visible hairs and follicles remaining against months since the first session."""
    import matplotlib as mpl

    mpl.use("Agg")
    import matplotlib.pyplot as plt

    days = [c.day for c in p.curve]
    months = [d / 30.44 for d in days]
    fig, ax = plt.subplots(figsize=(9, 5.2), dpi=120)
    ax.plot(months, [c.remaining for c in p.curve], color="#1f4e79", lw=2, label="follicles remaining (not destroyed)")
    ax.plot(months, [c.visible for c in p.curve], color="#c55a11", lw=1.4, label="hairs showing above the skin")
    session_months = [s.day / 30.44 for s in p.sessions]
    ax.plot(
        session_months,
        [s.visible_before for s in p.sessions],
        "o",
        ms=3,
        color="#c55a11",
        alpha=0.6,
        label="hairs showing at each session",
    )
    from pinpoint.core.hair import REDUCTIONS

    n = p.model.follicles
    styles = (":", "--", "-.")
    for i, q in enumerate(str(r) for r in REDUCTIONS):
        style = styles[i % len(styles)]
        when = p.sessions_to[q]
        label = f"{q}% of follicles destroyed" + (f" (session {when}, {p.dates_to[q]})" if when else " (not reached)")
        ax.axhline(n * (1 - int(q) / 100), color="grey", lw=0.9, ls=style, label=label)
    ax.set_xlim(0, months[-1])
    ax.set_ylim(0, n * 1.05)
    ax.set_xlabel("time since the first session (months)")
    ax.set_ylabel("count (hairs or follicles)")
    ax.set_title(
        f"Predicted electrolysis course: {p.area}, {p.modality}\n"
        f"{n:,} follicles, {p.session_minutes:g}-min sessions, {p.sessions_total} sessions, {p.hours_total:g} h"
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as exc:
        raise InputError("--plot", f"cannot write '{path}': {exc.strerror or exc}") from None
    finally:
        plt.close(fig)
