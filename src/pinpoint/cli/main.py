"""The ``pinpoint`` command line: tables for people, ``--json`` for machines.

Errors print one line on stderr and exit with status 2; never a traceback.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.main
from typer.core import TyperGroup

from pinpoint.cli.common import (
    JsonOpt,
    console,
    emit_json,
    evidence_with_policy,
    fmt_span,
    one_line,
    parse_date,
    read_data_file,
    table,
    today,
    with_line,
)
from pinpoint.core.errors import InputError, PinpointError
from pinpoint.core.vocab import ROMAN, SETTINGS, check_setting
from pinpoint.evidence.loader import EvidenceError, PolicyError, load_evidence

__all__ = ["COMMANDS", "app", "main"]

# Every command, in the order ``pinpoint --help`` lists them: "module:attribute", a function (one
# command) or a Typer app (a group of them). A command's module is imported, and its click command
# built, only when that command runs or a help page lists it: ``pinpoint plan`` does not load the
# coverage engine's, the records' or the exports' command-line modules, nor build their options.
COMMANDS: dict[str, str] = {
    "verify": "pinpoint.cli.records:verify",
    "export": "pinpoint.cli.export:export",
    "import": "pinpoint.cli.importer:import_",
    "pdf": "pinpoint.cli.pdf:pdf",
    "reminders": "pinpoint.cli.reminders:reminders",
    "calendar": "pinpoint.cli.calendar:calendar",
    "backup": "pinpoint.cli.data:backup",
    "restore": "pinpoint.cli.data:restore",
    "zones": f"{__name__}:zones",
    "indications": f"{__name__}:indications",
    "devices": f"{__name__}:devices",
    "sources": f"{__name__}:sources",
    "screen": f"{__name__}:screen",
    "plan": f"{__name__}:plan",
    "guide": f"{__name__}:guide",
    "serve": f"{__name__}:serve",
    "coverage": "pinpoint.cli.coverage:app",
    "hair": "pinpoint.cli.hair:app",
    "token": "pinpoint.cli.tokens:app",
}

_SETTINGS: dict[str, Any] = {"add_completion": False, "pretty_exceptions_enable": False, "rich_markup_mode": None}


def _build(name: str) -> Any:
    """The click command ``name``, built by Typer as if it had been added to ``app`` directly."""
    module, _, attribute = COMMANDS[name].partition(":")
    target = getattr(sys.modules[__name__] if module == __name__ else importlib.import_module(module), attribute)
    holder = typer.Typer(**_SETTINGS)
    if isinstance(target, typer.Typer):
        holder.add_typer(target, name=name)
        holder.callback()(_no_options)
        return typer.main.get_command(holder).commands[name]  # type: ignore[attr-defined]
    holder.command(name)(target)
    return typer.main.get_command(holder)


class _Table(MutableMapping[str, Any]):
    """``COMMANDS`` as click's table of commands: each built on first use, then kept."""

    def __init__(self) -> None:
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            if name not in COMMANDS:
                raise KeyError(name)
            self._built[name] = _build(name)
        return self._built[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter([*COMMANDS, *(k for k in self._built if k not in COMMANDS)])

    def __len__(self) -> int:
        return len(set(COMMANDS) | set(self._built))


class _Commands(TyperGroup):
    """The ``pinpoint`` group, whose table of commands builds each one when it is first named."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.commands = _Table()


def _no_options() -> None:
    """The group itself takes no options; its commands do the work."""


app = typer.Typer(
    name="pinpoint",
    help="Plan, screen and guide micro-needle skin treatments. Every clinical number shown carries its source.",
    no_args_is_help=True,
    cls=_Commands,
    **_SETTINGS,
)
app.callback()(_no_options)

PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="JSON or TOML file overriding policy defaults (shown in the output).")
]
ZoneOpt = Annotated[list[str], typer.Option("--zone", help="Zone id; repeat for several zones.")]
SettingOpt = Annotated[str, typer.Option("--setting", help=" or ".join(SETTINGS) + ".")]
DeviceOpt = Annotated[str | None, typer.Option("--device", help="Device id from `pinpoint devices`.")]
SKIN_HELP = f"Fitzpatrick {next(iter(ROMAN))}..{list(ROMAN)[-1]}."


def _src(ids: Any) -> str:
    return ", ".join(ids)


def zones(as_json: JsonOpt = False) -> None:
    """List the body zones: area, needle-depth range and what is treated there."""
    ev = load_evidence()
    data = [{"id": k, **z.model_dump(mode="json")} for k, z in ev.zones.items()]
    if as_json:
        emit_json(data)
        return
    rows = [
        [
            k,
            z.name,
            f"{z.area_cm2.value:g}" + (" (est.)" if z.area_cm2.estimate else ""),
            fmt_span(z.depth_mm, "mm") if z.depth_mm else ("parts: " + ", ".join(z.parts) if z.parts else "-"),
            ", ".join(z.treatments),
            _src((*z.area_cm2.sources, *(z.depth_mm.sources if z.depth_mm else ()))),
        ]
        for k, z in ev.zones.items()
    ]
    table("Zones", ["id", "name", "area cm2", "depth", "treatments", "sources"], rows)


def indications(as_json: JsonOpt = False) -> None:
    """List the indications with their zones, sessions and time to visible result."""
    ev = load_evidence()
    data = [{"id": k, **i.model_dump(mode="json")} for k, i in ev.indications.items()]
    if as_json:
        emit_json(data)
        return
    rows = []
    for k, i in ev.indications.items():
        settings = sorted({r.setting for r in i.depth})
        rows.append(
            [
                k,
                i.name,
                ", ".join(i.zones),
                ", ".join(settings),
                fmt_span(i.sessions) if i.sessions else "policy",
                fmt_span(i.visible_result_days, "days"),
            ]
        )
    table("Indications", ["id", "name", "zones", "settings", "sessions", "visible after"], rows)


def devices(as_json: JsonOpt = False) -> None:
    """List the device catalog: rollers and pens with their geometry."""
    ev = load_evidence()
    data = [{"id": k, **d.model_dump(mode="json")} for k, d in ev.devices.items()]
    if as_json:
        emit_json(data)
        return
    rows = []
    for k, d in ev.devices.items():
        if d.kind == "roller":
            geo = (
                f"{d.needles.value:g} needles ({d.rings.value:g}x{d.needles_per_ring.value:g}), "
                f"drum {d.drum_diameter_mm.value:g}x{d.drum_width_mm.value:g} mm, {d.needle_length_mm.value:g} mm"
            )
        else:
            geo = f"{d.needles.value:g} needles at {d.frequency_hz.value:g} Hz, depth {fmt_span(d.depth_mm, 'mm')}"
        rows.append([k, d.kind, d.name, geo, ", ".join(d.settings), d.reuse])
    table("Devices", ["id", "kind", "name", "geometry", "settings", "reuse"], rows)


def sources(as_json: JsonOpt = False) -> None:
    """List the evidence sources with their grade."""
    ev = load_evidence()
    data = [{"id": k, **s.model_dump(mode="json")} for k, s in ev.sources.items()]
    if as_json:
        emit_json(data)
        return
    table("Sources", ["id", "grade", "citation"], [[k, s.grade, s.citation] for k, s in ev.sources.items()])


def screen(
    answers_file: Annotated[Path, typer.Argument(help="Answers file (JSON or TOML), see docs/cli.md.")],
    on: Annotated[str | None, typer.Option("--on", help="Screening date YYYY-MM-DD (default today).")] = None,
    policy: PolicyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Screen a client: proceed, caution, defer (until a date), refer or contraindicated, with reasons."""
    from pinpoint.core.answers import parse_answers
    from pinpoint.core.screening import screen as do_screen

    ev = evidence_with_policy(policy)
    day = parse_date(on, "--on", today()) or today()
    raw, text = read_data_file(answers_file, "answers")
    try:
        answers = parse_answers(raw, ev)
        result = do_screen(answers, day, ev)
    except PinpointError as exc:
        raise with_line(exc, answers_file, text) from None
    data = result.model_dump(mode="json")
    if as_json:
        emit_json(data)
        return
    until = f" until {result.defer_until}" if result.defer_until else ""
    console().print(f"[bold]Verdict: {result.verdict}{until}[/bold]  ({result.treatment}, {day})")
    rows = [[f.verdict, f.rule, ", ".join(f.zones), f.message, _src(f.sources)] for f in result.findings]
    if rows:
        table("Findings", ["verdict", "rule", "zones", "message", "sources"], rows)
    for note in result.policy_overrides:
        console().print(note.sentence)


def _plan_inputs(indication: str, zone: list[str], setting: str, skin_type: str | None) -> tuple[Any, ...]:
    from pinpoint.core.answers import parse_skin_type

    where = check_setting(setting, "--setting")
    if not zone:
        raise InputError("--zone", "--zone is required (repeat it for several zones)")
    skin = parse_skin_type(skin_type, "--skin-type") if skin_type is not None else None
    return indication, tuple(zone), where, skin


def plan(
    indication: Annotated[str, typer.Option("--indication", help="Indication id.")],
    zone: ZoneOpt,
    setting: SettingOpt,
    device: DeviceOpt = None,
    start: Annotated[str | None, typer.Option("--start", help="First session YYYY-MM-DD (default today).")] = None,
    skin_type: Annotated[str | None, typer.Option("--skin-type", help=SKIN_HELP)] = None,
    answers: Annotated[Path | None, typer.Option("--answers", help="Screen this answers file first.")] = None,
    policy: PolicyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Plan a course: depth, passes, interval and sessions per zone, a dated schedule and aftercare."""
    from pinpoint.core.planning import plan as do_plan

    ev = evidence_with_policy(policy)
    ind, zones_, setting_, skin = _plan_inputs(indication, zone, setting, skin_type)
    first = parse_date(start, "--start", today())
    parsed = _read_answers(answers, ev, first or today())
    if parsed is not None and skin is None:
        skin = parsed.skin_type
    result = do_plan(ev, ind, zones_, setting_, device=device, start=first, skin_type=skin, answers=parsed)
    data = result.model_dump(mode="json")
    if as_json:
        emit_json(data)
        return
    con = console()
    con.print(f"[bold]{ev.indications[ind].name}[/bold] — {setting_}, {result.device or result.device_kind}")
    rows = [
        [
            z.zone + (f" ({z.part_of})" if z.part_of != z.zone else ""),
            fmt_span(z.depth_mm, "mm"),
            fmt_span(z.passes) + _device_passes(z.coverage),
            fmt_span(z.interval_days, "d"),
            fmt_span(z.sessions),
            z.endpoint,
            _src(z.sources),
        ]
        for z in result.zones
    ]
    table("Per zone", ["zone", "depth", "passes", "interval", "sessions", "endpoint", "sources"], rows)
    table(
        "Schedule",
        ["session", "visit", "date", "zones"],
        [[str(s.session), str(s.visit), s.date.isoformat(), _day_zones(s)] for s in result.schedule],
    )
    _print_rules(result.rules)
    _print_aftercare(result.aftercare)
    for w in result.warnings:
        con.print(f"[yellow]warning:[/yellow] {w}")


def _day_zones(day: Any) -> str:
    """The zones of a schedule day in words, with the portion of a zone split across visits."""
    return ", ".join(p.label for p in day.parts) or ", ".join(day.zones)


def _print_rules(rules: Any) -> None:
    if rules:
        table(
            "Whole-plan rules applied",
            ["rule", "effect", "sources"],
            [[r.id, r.effect, _src(r.sources)] for r in rules],
        )


def _read_answers(answers: Path | None, ev: Any, on: dt.date) -> Any:
    """The answers file, its dates checked as seen on ``on`` (an error names the file, line and field)."""
    if answers is None:
        return None
    from pinpoint.core.answers import parse_answers

    raw, text = read_data_file(answers, "answers")
    try:
        return parse_answers(raw, ev, on=on)
    except PinpointError as exc:
        raise with_line(exc, answers, text) from None


def _device_passes(cov: Any) -> str:
    """The device-specific passes of a zone, as shown under the literature range."""
    if cov is None:
        return ""
    flag = "" if cov.within_published_passes else ", outside the published range"
    est = " (estimate)" if cov.estimate else ""
    return (
        f"\n{cov.device}: {cov.passes} to {cov.target_density_per_cm2:g}/cm2, "
        f"~{cov.seconds / 60:.1f} min{flag}{est}"
    )


def _print_aftercare(items: Any) -> None:
    rows = [[a.kind, a.text, fmt_span(a.hours, "h"), _src(a.sources)] for a in items]
    table("Aftercare", ["kind", "what", "for", "sources"], rows)


def guide(
    indication: Annotated[str, typer.Option("--indication", help="Indication id.")],
    zone: ZoneOpt,
    setting: SettingOpt,
    device: DeviceOpt = None,
    skin_type: Annotated[str | None, typer.Option("--skin-type", help=SKIN_HELP)] = None,
    answers: Annotated[
        Path | None, typer.Option("--answers", help="Screen this answers file first; its findings shape the steps.")
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="Session date YYYY-MM-DD (default today).")] = None,
    visit: Annotated[int, typer.Option("--visit", help="Which visit of a session split into visits (1, 2, ...).")] = 1,
    policy: PolicyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The step-by-step procedure of one session (one visit of it), in the order it is done, then the aftercare."""
    from pinpoint.core.guide import guide_for_plan
    from pinpoint.core.planning import plan as do_plan

    ev = evidence_with_policy(policy)
    ind, zones_, setting_, skin = _plan_inputs(indication, zone, setting, skin_type)
    day = parse_date(on, "--on", today())
    parsed = _read_answers(answers, ev, day or today())
    if parsed is not None and skin is None:
        skin = parsed.skin_type
    the_plan = do_plan(ev, ind, zones_, setting_, device=device, start=day, skin_type=skin, answers=parsed)
    result = guide_for_plan(ev, the_plan, visit=visit)
    if as_json:
        emit_json(result.model_dump(mode="json"))
        return
    rows = [
        [
            str(i),
            s.kind,
            s.title + (f" — {s.detail}" if s.detail else ""),
            fmt_span(s.minutes, "min"),
            ", ".join(s.zones),
        ]
        for i, s in enumerate(result.steps, 1)
    ]
    title = "Session steps" + (
        f" (visit {result.visit} of {result.visits}: {', '.join(p.label for p in result.parts)})"
        if result.visits > 1
        else ""
    )
    for i, s in enumerate(result.steps):
        if s.cautions:
            rows[i][2] += "".join(f"\ncaution: {c}" for c in s.cautions)
    table(title, ["#", "kind", "step", "time", "zones"], rows)
    _print_rules(result.rules)
    _print_aftercare(result.aftercare)


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo/--no-demo", help="Load the demo clinic and personal space.")] = True,
    prepare_only: Annotated[
        bool, typer.Option("--prepare-only", help="Migrate the database and load the demo, then exit.")
    ] = False,
) -> None:
    """Serve the web app: migrate the database (./var by default), load the demo, print the logins, serve."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import OperationalError

    from pinpoint.web.serve import prepare
    from pinpoint.web.serve import serve as run_server

    try:
        if prepare_only:
            prepare(demo=demo)
        else:
            run_server(host, port, demo=demo)
    except (ImproperlyConfigured, OperationalError) as exc:
        raise InputError("environment", f"cannot start the web app: {str(exc).splitlines()[0]}") from None


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app; user errors print one line on stderr and exit 2."""
    try:
        app(args=argv, prog_name="pinpoint", standalone_mode=False)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("pinpoint: aborted\n")
        sys.exit(1)
    except typer.TyperException as exc:  # usage errors: missing or malformed options
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        if type(exc).__name__ == "NoArgsIsHelpError":  # a bare command group: its help, not an error
            sys.stdout.write(message.removeprefix("Usage: ").join(["Usage: ", "\n"]))
            sys.exit(0)
        sys.stderr.write(f"pinpoint: error: {one_line(message)}\n")
        sys.exit(2)
    except PinpointError as exc:
        sys.stderr.write(f"pinpoint: error: {one_line(exc.message)}\n")
        sys.exit(2)
    except (EvidenceError, PolicyError) as exc:
        sys.stderr.write(f"pinpoint: error: {one_line(str(exc))}\n")
        sys.exit(2)
    except (OverflowError, RecursionError, MemoryError) as exc:  # past every input guard: still one line
        what = "nested too deeply" if isinstance(exc, RecursionError) else "too large"
        detail = f" ({one_line(str(exc))})" if isinstance(exc, OverflowError) else ""
        sys.stderr.write(f"pinpoint: error: a number, date or input is {what} to handle{detail}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
