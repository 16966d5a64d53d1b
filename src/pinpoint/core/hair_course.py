"""An electrolysis course as the web app shows it: the planned forecast with its band, and the forecast that learns.

A course starts from the client's own count: hairs in a marked window (``window_cm2``, the
band is the count's 95% Poisson interval), an estimate by eye of the hairs on the whole area with
its uncertainty (percent), or nothing (the area's estimated terminal-hair density range from
``hair.toml``). :func:`plan_forecast` plans the course at the middle density and at both ends of
the band. :func:`learned_forecast` fits the counts of the signed sessions
(:func:`pinpoint.core.hair_fit.fit_counts`) and forecasts again; a fit that does not converge
says why and keeps the planned forecast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pinpoint.core.answers import Answers
from pinpoint.core.errors import InputError
from pinpoint.core.hair import CourseOptions, HairPlan, get_area, hair_data, plan_course
from pinpoint.core.hair_fit import CountFit, Estimate, Reforecast, fit_counts, parse_counts, reforecast
from pinpoint.evidence.loader import Evidence

__all__ = [
    "COUNT_KINDS",
    "CourseForecast",
    "Learned",
    "StartCount",
    "check_count_areas",
    "learned_forecast",
    "longest_spacing_days",
    "next_due",
    "plan_forecast",
    "planned_schedule",
    "start_density",
    "window_removed",
]

CountKind = Literal["window", "estimate", "default"]
COUNT_KINDS: tuple[tuple[CountKind, str], ...] = (
    ("window", "Hairs counted in a marked window"),
    ("estimate", "Hairs on the whole area, estimated by eye"),
    ("default", "No count: the area's usual density"),
)
Z95 = 1.96


@dataclass(frozen=True)
class StartCount:
    """How the course's starting hair count was taken (see the module docstring); units in the names."""

    kind: CountKind = "default"
    window_cm2: float | None = None
    hairs_seen: int | None = None
    hairs_estimate: int | None = None
    uncertainty_percent: float | None = None


def check_count_areas(areas: Sequence[str], count: StartCount) -> None:
    """Refuse (``InputError`` on ``count_kind``) a window count or an estimate for more than one area.

    A count describes the area it was taken on: the same hairs per window, or hairs on the whole
    area, would give every other area of the course a density nobody counted.
    """
    if count.kind != "default" and len(areas) > 1:
        raise InputError(
            "count_kind",
            "a starting count describes one area: plan a course for each counted area, or choose no count",
        )


def start_density(evidence: Evidence, area: str, count: StartCount) -> Estimate:
    """The terminal hairs per cm² a course starts from, with its band (per cm²).

    Raises :class:`InputError` naming the field when the count is missing, negative or more than
    the area's follicles allow.
    """
    ar = get_area(evidence, area)
    area_cm2 = evidence.zones[area].area_cm2.value
    cap = ar.density_per_cm2.value
    if count.kind == "default":
        r = ar.terminal_density_per_cm2
        return Estimate(value=r.mid, low=r.min, high=r.max)
    if count.kind == "window":
        w, n = count.window_cm2, count.hairs_seen
        if w is None or not 0 < w <= area_cm2:
            raise InputError("window_cm2", f"the window must be more than 0 and at most the area's {area_cm2:g} cm²")
        if n is None or n < 0:
            raise InputError("hairs_seen", "give the hairs counted in the window (0 or more)")
        if n > cap * w:
            msg = f"{n} hairs is impossible in {w:g} cm²: the area has at most {cap:g} follicles per cm²"
            raise InputError("hairs_seen", msg)
        half = Z95 * math.sqrt(max(n, 1))
        return Estimate(value=n / w, low=max(n - half, 0.0) / w, high=min((n + half) / w, cap))
    n, pct = count.hairs_estimate, count.uncertainty_percent
    if n is None or n < 0:
        raise InputError("hairs_estimate", "give the hairs you estimate on the whole area (0 or more)")
    if n > cap * area_cm2:
        msg = f"{n} hairs is more than the {cap * area_cm2:g} follicles of the whole area"
        raise InputError("hairs_estimate", msg)
    if pct is None or not 0 <= pct <= 100:
        raise InputError("uncertainty_percent", "the uncertainty must be 0-100 %")
    d = n / area_cm2
    return Estimate(value=d, low=d * (1 - pct / 100), high=min(d * (1 + pct / 100), cap))


class CourseForecast(BaseModel):
    """A planned course: ``plan`` at the middle density, ``low`` and ``high`` at the band's ends (hairs per cm²)."""

    model_config = ConfigDict(frozen=True)

    density: Estimate
    plan: HairPlan
    low: HairPlan
    high: HairPlan


def plan_forecast(
    evidence: Evidence,
    area: str,
    modality: str,
    *,
    start: dt.date,
    count: StartCount,
    answers: Answers | None = None,
    months: int = 24,
) -> CourseForecast:
    """Plan ``modality`` on ``area`` from ``start`` at the starting density and at both ends of its band.

    ``answers`` (the client's electrolysis questionnaire) screen the plan: a blocking verdict raises
    :class:`~pinpoint.core.errors.ScreeningBlockedError`. Hours and sessions: see :class:`HairPlan`.
    """
    density = start_density(evidence, area, count)
    opt = CourseOptions(density_per_cm2=max(density.value, 0.01), months=months)
    plan = plan_course(evidence, area, modality, start=start, options=opt, answers=answers)
    low, high = (
        plan_course(evidence, area, modality, start=start, options=dataclasses.replace(opt, density_per_cm2=d))
        for d in (max(density.low, 0.01), max(density.high, 0.01))
    )
    return CourseForecast(density=density, plan=plan, low=low, high=high)


def planned_schedule(
    evidence: Evidence, area: str, modality: str, *, start: dt.date, count: StartCount
) -> tuple[dt.date, ...]:
    """The planned dates of ``modality`` on ``area`` from ``start`` at the starting density (one plan, no band)."""
    density = start_density(evidence, area, count)
    opt = CourseOptions(density_per_cm2=max(density.value, 0.01))
    return plan_course(evidence, area, modality, start=start, options=opt).schedule


def longest_spacing_days(evidence: Evidence) -> int:
    """The most days a planned schedule (:func:`planned_schedule`) leaves between two sessions.

    Its automatic interval moves between the evidence's interval steps, so :func:`next_due` is
    never more than this many days after the last session held.
    """
    return max(hair_data(evidence).schedule.steps_days())


def next_due(schedule: Sequence[dt.date], held: int, last: dt.date | None) -> dt.date | None:
    """The day the next session is due: the last one held plus the planned spacing (days) after ``held`` sessions.

    ``schedule`` is the planned course's dates in order; with nothing held the first planned date is
    due. ``None`` when the planned course has no session after ``held``.
    """
    if held <= 0 or last is None:
        return schedule[0] if schedule else None
    if held >= len(schedule):
        return None
    return last + (schedule[held] - schedule[held - 1])


def window_removed(area_cm2: float, window_cm2: float, hairs_seen: int, hairs_removed: int) -> int:
    """Hairs treated in the window (count), from the hairs removed on the whole area at that session.

    A session treats as many of the area's showing hairs as its minutes allow, not necessarily the
    window's: the window's share treated is taken as the area's, ``hairs_removed`` over the hairs
    the window count implies on the whole area (``hairs_seen / window_cm2 * area_cm2``), at most all.
    """
    if hairs_seen <= 0 or window_cm2 <= 0:
        return 0
    showing = hairs_seen / window_cm2 * area_cm2
    return round(hairs_seen * min(1.0, hairs_removed / showing))


class Learned(BaseModel):
    """The fit of a course's counted sessions and the forecast again (``None`` when the fit did not converge)."""

    model_config = ConfigDict(frozen=True)

    fit: CountFit
    reforecast: Reforecast | None


def learned_forecast(
    evidence: Evidence,
    area: str,
    modality: str,
    counts: Sequence[Mapping[str, object]],
    *,
    months: int = 24,
    seed: int = 0,
) -> Learned:
    """Fit ``counts`` (rows ``{date, window_cm2, hairs_seen, hairs_removed}``, date order) and forecast again.

    The re-forecast starts at the first count and keeps the counted sessions on their dates; the
    same counts and ``seed`` give the same result. Impossible rows raise :class:`InputError` naming the row.
    """
    ar = get_area(evidence, area)
    rows = parse_counts(counts, ar.density_per_cm2.value) if counts else ()
    fit = fit_counts(evidence, area, modality, rows, seed=seed)
    again = None
    if rows:
        again = reforecast(evidence, area, modality, fit, rows[0].date, CourseOptions(months=months, seed=seed))
    return Learned(fit=fit, reforecast=again)
