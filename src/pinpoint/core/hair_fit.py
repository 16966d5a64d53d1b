"""A forecast that learns: fit a client's kill probability and hair density to their own counts.

At each session the practitioner counts the hairs showing in a marked window of the area
(``window_cm2``) and how many of them were treated. The simulator of :mod:`pinpoint.core.hair_sim`
predicts, for a kill probability ``p``, how many hairs show per follicle at each of those dates
(``e_k(p)``, from a simulated course with the observed dates and the observed share treated);
the count in a window of ``w`` cm² with ``d`` terminal hairs per cm² is then taken as Poisson with
mean ``d * w * e_k(p)``. The estimate maximises that (composite) likelihood: for each ``p`` on a
grid the best ``d`` is closed-form, and ``p`` is the grid point (refined by a parabola) with the
highest profile. Every ``p`` uses the same seed, so the profile is smooth in ``p``.

Intervals are profile-likelihood intervals (a drop of 1.92, the 95% chi-square with one degree of
freedom), widened by the Pearson dispersion when the counts scatter more than Poisson; counts of
the same follicles session after session are correlated, which this treats only through that
dispersion. A fit whose best ``p`` lies at the edge of the grid, or whose interval covers all of
it, has not converged: it says so and the forecast keeps the evidence's defaults.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from pydantic import BaseModel, ConfigDict

from pinpoint.core.dates import check_past_date
from pinpoint.core.errors import InputError
from pinpoint.core.hair import (
    REDUCTIONS,
    CourseOptions,
    HairPlan,
    cycle_for,
    get_area,
    get_modality,
    hair_data,
    plan_course,
    treatment_for,
)
from pinpoint.core.hair_sim import Regimen, simulate
from pinpoint.evidence.loader import Evidence

__all__ = [
    "FIT_FOLLICLES",
    "KILL_GRID",
    "CountFit",
    "CountRow",
    "Estimate",
    "Reforecast",
    "fit_counts",
    "parse_counts",
    "reforecast",
]

FIT_FOLLICLES = 2_000
"""Follicles in each simulated course of the fit: the smallest that meets the tolerance of
``tests/test_hair_fit.py`` (docs/electrolysis.md, "The fit")."""

KILL_GRID: tuple[float, ...] = tuple(round(0.02 * k, 2) for k in range(1, 50))
"""Kill probabilities tried (0.02 to 0.98)."""

_DROP_95 = 1.92  # half the 95% quantile of chi-square(1): profile-likelihood interval
_MAX_ROWS = 500
_MAX_WINDOW_CM2 = 100.0
_FIELDS = ("date", "window_cm2", "hairs_seen", "hairs_removed")


@dataclass(frozen=True)
class CountRow:
    """One session's count: date, window (cm²), hairs showing in it, hairs treated in it."""

    date: dt.date
    window_cm2: float
    hairs_seen: int
    hairs_removed: int


class Estimate(BaseModel):
    """A fitted value with its 95% interval (``low`` to ``high``), in the value's unit."""

    model_config = ConfigDict(frozen=True)

    value: float
    low: float
    high: float


class CountFit(BaseModel):
    """The fit of one client's counts on one area.

    ``kill_probability``: chance one treatment destroys a growing follicle (fraction).
    ``density_per_cm2``: terminal hairs per cm² at the first count. ``observed_per_cm2``,
    ``predicted_per_cm2`` and ``prior_per_cm2``: hairs showing per cm² at each counted session,
    as counted, as the fitted model predicts, and as the evidence's defaults predict.
    ``dispersion``: Pearson chi-square per degree of freedom (1 = Poisson scatter).
    """

    model_config = ConfigDict(frozen=True)

    converged: bool
    message: str
    kill_probability: Estimate | None
    density_per_cm2: Estimate | None
    sessions: int
    days: tuple[int, ...]
    observed_per_cm2: tuple[float, ...]
    predicted_per_cm2: tuple[float, ...]
    prior_per_cm2: tuple[float, ...]
    dispersion: float | None
    simulated_follicles: int
    seed: int
    sources: tuple[str, ...]


class Reforecast(BaseModel):
    """The course forecast again from the first count with the fitted values (dates; counts; hours).

    ``dates_band`` gives, for each reduction, the dates at the high and the low end of the kill
    probability's interval (``early``, ``late``; ``None``: not within the forecast's months).
    """

    model_config = ConfigDict(frozen=True)

    start: dt.date
    sessions_to: dict[str, int | None]
    dates_to: dict[str, dt.date | None]
    dates_band: dict[str, dict[str, dt.date | None]]
    sessions_total: int
    hours_total: float


# --------------------------------------------------------------------------- input


def _row_error(n: int, text: str) -> InputError:
    return InputError("counts", f"counts row {n}: {text}")


def _number(raw: object, n: int, name: str) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise _row_error(n, f"{name} must be a number")
    try:
        value = float(raw)
    except ValueError:
        raise _row_error(n, f"{name} must be a number, got '{raw}'") from None
    if not math.isfinite(value):
        raise _row_error(n, f"{name} must be a finite number")
    return value


def _count(raw: object, n: int, name: str) -> int:
    value = _number(raw, n, name)
    if value < 0 or value != int(value):
        raise _row_error(n, f"{name} must be a whole number of hairs, 0 or more, got {raw}")
    return int(value)


def _date(raw: object, n: int) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise _row_error(n, f"date must be YYYY-MM-DD, got '{raw}'") from None


def _one_row(raw: Mapping[str, object], n: int, follicles_per_cm2: float) -> CountRow:
    missing = [f for f in _FIELDS if f not in raw or raw[f] in (None, "")]
    if missing:
        raise _row_error(n, f"missing {', '.join(missing)} (each row needs {', '.join(_FIELDS)})")
    window = _number(raw["window_cm2"], n, "window_cm2")
    if not 0 < window <= _MAX_WINDOW_CM2:
        raise _row_error(n, f"window_cm2 must be above 0 and at most {_MAX_WINDOW_CM2:g} cm², got {window:g}")
    seen, removed = _count(raw["hairs_seen"], n, "hairs_seen"), _count(raw["hairs_removed"], n, "hairs_removed")
    room = math.floor(window * follicles_per_cm2)
    if seen > room:
        raise _row_error(
            n,
            f"{seen} hairs seen in a {window:g} cm² window: the window holds at most {room} "
            f"({follicles_per_cm2:g} follicles per cm²)",
        )
    if removed > seen:
        raise _row_error(n, f"{removed} hairs removed but only {seen} seen in the window")
    return CountRow(date=_date(raw["date"], n), window_cm2=window, hairs_seen=seen, hairs_removed=removed)


def parse_counts(
    rows: Sequence[Mapping[str, object]], follicles_per_cm2: float, *, on: dt.date | None = None
) -> tuple[CountRow, ...]:
    """Check counts rows (``date``, ``window_cm2`` in cm², ``hairs_seen``, ``hairs_removed``).

    ``follicles_per_cm2`` is the most hairs a cm² can hold (the site's follicle density). Raises
    :class:`InputError` naming the row (1-based) for a missing or malformed field, a count the
    window cannot hold, more hairs removed than seen, or dates that do not increase. With ``on``
    (today), a count is of a session held: its date is not after ``on`` nor more than 120 years
    before it (:func:`pinpoint.core.dates.check_past_date`), so no date runs the fit off the calendar.
    """
    if not rows:
        raise InputError("counts", "no counts rows: give one row per counted session")
    if len(rows) > _MAX_ROWS:
        raise InputError("counts", f"at most {_MAX_ROWS} counts rows, got {len(rows)}")
    out: list[CountRow] = []
    for n, raw in enumerate(rows, start=1):
        if not isinstance(raw, Mapping):
            raise _row_error(n, f"must be an object with {', '.join(_FIELDS)}")
        row = _one_row(raw, n, follicles_per_cm2)
        if on is not None:
            try:
                check_past_date("date", row.date, on, label="date")
            except InputError as exc:
                raise _row_error(n, exc.message) from None
        if out and row.date <= out[-1].date:
            raise _row_error(n, f"date {row.date} is not after the previous row's {out[-1].date}")
        out.append(row)
    return tuple(out)


# --------------------------------------------------------------------------- fit


def _shown_per_follicle(
    evidence: Evidence, area: str, modality: str, counts: Sequence[CountRow], seed: int
) -> tuple[np.ndarray, tuple[int, ...]]:
    """``e[j, k]``: hairs showing per follicle at counted session ``k`` for kill probability ``KILL_GRID[j]``."""
    data = hair_data(evidence)
    cycle = cycle_for(data, get_area(evidence, area))
    base = treatment_for(data, get_modality(evidence, modality))
    days = tuple((c.date - counts[0].date).days for c in counts)
    shares = tuple(c.hairs_removed / c.hairs_seen if c.hairs_seen else 1.0 for c in counts)
    regimen = Regimen(session_minutes=1e6, interval_days=None, days=days, shares=shares)
    e = np.zeros((len(KILL_GRID), len(counts)))
    for j, p in enumerate(KILL_GRID):
        sim = simulate(
            cycle,
            FIT_FOLLICLES,
            horizon_days=days[-1],
            treatment=dataclasses.replace(base, destroy_probability=p),
            regimen=regimen,
            rng=seed,
        )
        shown = [s.visible_before for s in sim.sessions]
        e[j, : len(shown)] = np.array(shown, dtype=np.float64) / FIT_FOLLICLES
    return e, days


def _loglik(seen: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Poisson log-likelihood (without the constant) summed over the last axis; -inf where a count has mean 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(seen > 0, seen * np.log(mean), 0.0) - mean
    return np.asarray(terms.sum(axis=-1))


def _interval(grid: np.ndarray, profile: np.ndarray, cut: float) -> tuple[float, float]:
    """Ends of ``{x : profile(x) >= cut}`` around the maximum, linearly interpolated on ``grid``."""
    best = int(np.argmax(profile))
    lo = best
    while lo > 0 and profile[lo - 1] >= cut:
        lo -= 1
    hi = best
    while hi < grid.size - 1 and profile[hi + 1] >= cut:
        hi += 1

    def cross(i: int, k: int) -> float:
        a, b = profile[i], profile[k]
        if not np.isfinite(b) or a == b:
            return float(grid[i])
        return float(grid[i] + (grid[k] - grid[i]) * (a - cut) / (a - b))

    low = cross(lo, lo - 1) if lo > 0 else float(grid[0])
    high = cross(hi, hi + 1) if hi < grid.size - 1 else float(grid[-1])
    return low, high


def _refine(grid: np.ndarray, profile: np.ndarray) -> float:
    """Grid maximum moved to the top of the parabola through it and its two neighbours."""
    j = int(np.argmax(profile))
    if j in (0, grid.size - 1):
        return float(grid[j])
    a, b, c = profile[j - 1], profile[j], profile[j + 1]
    denom = a - 2 * b + c
    if not np.isfinite(denom) or denom >= 0:
        return float(grid[j])
    shift = 0.5 * (a - c) / denom
    return float(grid[j] + shift * (grid[1] - grid[0]))


def _failed(message: str, counts: Sequence[CountRow], days: tuple[int, ...], seed: int) -> CountFit:
    return CountFit(
        converged=False,
        message=message,
        kill_probability=None,
        density_per_cm2=None,
        sessions=len(counts),
        days=days,
        observed_per_cm2=tuple(round(c.hairs_seen / c.window_cm2, 3) for c in counts),
        predicted_per_cm2=(),
        prior_per_cm2=(),
        dispersion=None,
        simulated_follicles=FIT_FOLLICLES,
        seed=seed,
        sources=("pinpoint-hair-fit",),
    )


def fit_counts(evidence: Evidence, area: str, modality: str, counts: Sequence[CountRow], *, seed: int = 0) -> CountFit:
    """Fit the kill probability (fraction) and terminal-hair density (per cm²) to ``counts``.

    ``counts`` come from :func:`parse_counts`, one per session of ``modality`` on ``area``, in date
    order. The simulated courses use ``seed`` (same counts and seed, same fit). A fit that cannot
    tell the values (fewer than two counted sessions, no hair ever seen, a best kill probability at
    the edge of 2-98%, or an interval covering all of it) returns ``converged = False`` with the
    reason; it never raises for that.
    """
    days = tuple((c.date - counts[0].date).days for c in counts) if counts else ()
    if len(counts) < 2:
        return _failed(
            "the fit needs at least two counted sessions; the forecast keeps its defaults", counts, days, seed
        )
    if not any(c.hairs_seen for c in counts):
        return _failed(
            "no hair was seen in any window: nothing to fit; the forecast keeps its defaults", counts, days, seed
        )
    ar = get_area(evidence, area)
    e, days = _shown_per_follicle(evidence, area, modality, counts, seed)
    seen = np.array([c.hairs_seen for c in counts], dtype=np.float64)
    window = np.array([c.window_cm2 for c in counts])
    exposure = e * window  # hairs showing per (follicle per cm²)
    cap = ar.density_per_cm2.value
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = np.minimum(seen.sum() / exposure.sum(axis=1), cap)
    profile = _loglik(seen, dens[:, None] * exposure)
    grid = np.array(KILL_GRID)
    best = int(np.argmax(profile))
    if not np.isfinite(profile[best]):
        return _failed(
            "the counts cannot come from this area's hair cycle; the forecast keeps its defaults", counts, days, seed
        )
    fitted_mean = dens[best] * exposure[best]
    dof = max(len(counts) - 2, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.nansum(np.where(fitted_mean > 0, (seen - fitted_mean) ** 2 / fitted_mean, 0.0)) / dof)
    cut = profile[best] - _DROP_95 * max(1.0, pearson)
    p_low, p_high = _interval(grid, profile, cut)
    if best in (0, grid.size - 1) or (p_low <= grid[0] and p_high >= grid[-1]):
        return _failed(
            f"the counts do not settle the kill probability (best {grid[best]:.0%}, "
            f"interval {p_low:.0%}-{p_high:.0%}); "
            "the forecast keeps its defaults",
            counts,
            days,
            seed,
        )
    d_grid = np.linspace(dens[best] / 4, min(dens[best] * 4, cap), 400)
    d_profile = _loglik(seen[None, None, :], d_grid[:, None, None] * exposure[None, :, :]).max(axis=1)
    d_low, d_high = _interval(d_grid, d_profile, cut)
    p_hat = min(max(_refine(grid, profile), p_low), p_high)
    prior_p = treatment_for(hair_data(evidence), get_modality(evidence, modality)).destroy_probability
    prior_row = int(np.argmin(np.abs(grid - prior_p)))
    prior_d = ar.terminal_density_per_cm2.mid
    return CountFit(
        converged=True,
        message=f"fitted to {len(counts)} counted sessions",
        kill_probability=Estimate(value=round(p_hat, 3), low=round(p_low, 3), high=round(p_high, 3)),
        density_per_cm2=Estimate(value=round(float(dens[best]), 1), low=round(d_low, 1), high=round(d_high, 1)),
        sessions=len(counts),
        days=days,
        observed_per_cm2=tuple(round(c.hairs_seen / c.window_cm2, 3) for c in counts),
        predicted_per_cm2=tuple(round(float(x), 3) for x in dens[best] * e[best]),
        prior_per_cm2=tuple(round(float(x), 3) for x in prior_d * e[prior_row]),
        dispersion=round(pearson, 3),
        simulated_follicles=FIT_FOLLICLES,
        seed=seed,
        sources=("pinpoint-hair-fit", *ar.terminal_density_per_cm2.sources),
    )


# --------------------------------------------------------------------------- re-forecast


def _dates(plan: HairPlan) -> dict[str, dt.date | None]:
    return {str(q): plan.dates_to[str(q)] for q in REDUCTIONS}


def reforecast(
    evidence: Evidence, area: str, modality: str, fit: CountFit, start: dt.date, options: CourseOptions
) -> Reforecast | None:
    """The course forecast from ``start`` (the first count's date) with the fitted values, or ``None``.

    The counted sessions are kept on their dates (``fit.days``); the spacing of ``options`` follows.
    ``None`` when the fit did not converge: the prior forecast stands.
    """
    if not fit.converged or fit.kill_probability is None or fit.density_per_cm2 is None:
        return None
    kp = fit.kill_probability

    def run(p: float) -> HairPlan:
        opt = dataclasses.replace(
            options,
            density_per_cm2=fit.density_per_cm2.value if fit.density_per_cm2 else None,
            kill_probability=p,
            held_days=fit.days,
        )
        return plan_course(evidence, area, modality, start=start, options=opt)

    mid, early, late = run(kp.value), run(kp.high), run(kp.low)
    return Reforecast(
        start=start,
        sessions_to=dict(mid.sessions_to),
        dates_to=_dates(mid),
        dates_band={q: {"early": early.dates_to[q], "late": late.dates_to[q]} for q in _dates(mid)},
        sessions_total=mid.sessions_total,
        hours_total=mid.hours_total,
    )
