"""Hair-cycle model and needle-electrolysis course simulator (the engine behind :mod:`pinpoint.core.hair`).

A population of follicles cycles anagen -> catagen -> telogen -> latency (empty follicle) ->
anagen, each phase lasting a lognormal time whose mean comes from ``hair.toml``. The
population starts in the stationary state of that renewal cycle, so without treatment the share
of follicles in each phase stays at ``mean duration / cycle length`` (for anagen: the area's
table value, which the latency was chosen to reproduce).

A session is a time budget. The practitioner treats the visible growing (anagen) hairs first,
then, if time is left, visible resting (catagen, telogen) hairs, working through the area from
a random starting point. Each treatment destroys a growing follicle with the modality's
probability (a resting one with a much smaller one); a follicle that survives is weakened and
grows a finer hair on its own cycle. Destroyed follicles never return.

The simulation is event-driven and vectorised, with one event per follicle and cycle: when a
cycle starts its four phase durations are drawn at once, so the phase at any time is a
comparison with stored boundary times. Between two stops (a session or a sample day) only the
follicles whose cycle ends are touched, a batch per round, and the daily count of visible hairs
is built from +1/-1 bookings with ``np.bincount``. There is no Python loop per follicle. Times
are in days from the first session (day 0).

Coupling: the phase timeline of every follicle depends only on the seed (treatment never
changes it), each follicle's resistance is drawn once as the number of treatments it survives,
and the treatment order of a session depends only on the seed and the session's index. With a
fixed interval, a higher destruction probability therefore destroys, session by session, a
superset of the follicles a lower one destroys (docs/electrolysis.md gives the argument).
"""

from __future__ import annotations

import functools
import math
import statistics
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from pinpoint.core.errors import InputError

__all__ = [
    "PHASES",
    "Cycle",
    "Regimen",
    "SessionStats",
    "Simulation",
    "Treatment",
    "simulate",
]

PHASES: tuple[str, ...] = ("anagen", "catagen", "telogen", "latency")
"""Phase names, in cycle order; ``Simulation.phase_counts`` columns follow this order."""

_TABLE_SIZE = 1 << 16  # quantiles in the duration table: one 16-bit slice of a raw draw each
_MIN_MEAN_DAYS = 1e-3  # a zero-length phase is drawn as (almost) zero days
_MAX_LIVES = 32_000  # treatments a follicle may survive (int16); beyond any course length

FloatArray = npt.NDArray[np.float64]
F32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Cycle:
    """Mean phase durations of one area, in days, and how a new hair reaches the surface.

    ``emergence_days``: days from the start of anagen until the new hair has grown from the
    papilla to the skin surface and shows (the evidence gives 6-12 weeks); a follicle whose
    anagen is shorter than that grows no visible hair in that cycle, and until it shows a
    growing hair cannot be treated. ``cv``: coefficient of variation of the lognormal phase
    durations (dimensionless).
    """

    anagen_days: float
    catagen_days: float
    telogen_days: float
    latency_days: float
    emergence_days: float
    cv: float

    def __post_init__(self) -> None:
        means = (self.anagen_days, self.catagen_days, self.telogen_days)
        if min(means) <= 0 or self.latency_days < 0 or self.emergence_days < 0 or self.cv <= 0:
            msg = "phase durations must be positive (latency and emergence at least 0) and cv > 0"
            raise InputError("cycle", msg)

    @property
    def means_days(self) -> tuple[float, float, float, float]:
        """Mean duration of anagen, catagen, telogen and latency, in days."""
        return (self.anagen_days, self.catagen_days, self.telogen_days, max(self.latency_days, _MIN_MEAN_DAYS))

    @property
    def cycle_days(self) -> float:
        """Mean length of a whole cycle, in days."""
        return float(sum(self.means_days))

    def stationary_shares(self) -> dict[str, float]:
        """Steady-state share of follicles in each phase (fraction): mean duration / cycle length."""
        total = self.cycle_days
        return {name: m / total for name, m in zip(PHASES, self.means_days, strict=True)}


@dataclass(frozen=True)
class Treatment:
    """What one treated follicle costs and how likely it is destroyed.

    ``seconds_per_follicle``: practitioner time per follicle (current plus handling), s.
    ``destroy_probability``: chance a growing (anagen) follicle is destroyed by one treatment.
    ``resting_factor``: the chance for a catagen or telogen follicle, relative to a growing one.
    ``treat_resting``: whether resting hairs are treated when time is left.
    """

    seconds_per_follicle: float
    destroy_probability: float
    resting_factor: float
    treat_resting: bool = True

    def __post_init__(self) -> None:
        if not self.seconds_per_follicle > 0:
            raise InputError("seconds_per_follicle", "seconds per follicle must be positive")
        if not 0 < self.destroy_probability <= 1:
            raise InputError("destroy_probability", "the destruction probability must be in (0, 1]")
        if not 0 <= self.resting_factor <= 1:
            raise InputError("resting_factor", "the resting factor must be in [0, 1]")


@dataclass(frozen=True)
class Regimen:
    """Session budget and spacing.

    ``session_minutes``: time budget of a session, min. ``interval_days``: fixed spacing in
    days, or ``None`` for the automatic one: start at ``steps_days[0]``, move one step longer
    after a session that treated every visible growing hair and one step shorter after a session
    that could not. The first ``first_visits`` sessions are capped at ``first_visits_minutes``.
    ``days``: days (from day 0, increasing) of sessions already held; the spacing rule takes over
    after the last. ``shares``: for those sessions, the share of the hairs showing that was treated
    (fraction, 0-1; a count in a window says ``hairs_removed / hairs_seen``); empty: the time
    budget alone decides.
    """

    session_minutes: float
    interval_days: int | None
    steps_days: tuple[int, ...] = (7,)
    first_visits: int = 0
    first_visits_minutes: float | None = None
    days: tuple[int, ...] = ()
    shares: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not self.session_minutes > 0:
            raise InputError("session_minutes", "session minutes must be positive")
        if self.interval_days is not None and self.interval_days < 1:
            raise InputError("interval_days", f"the interval must be at least 1 day, got {self.interval_days}")
        if not self.steps_days or min(self.steps_days) < 1:
            raise InputError("steps_days", "automatic interval steps must be at least 1 day")
        if any(b <= a for a, b in zip(self.days, self.days[1:], strict=False)) or (self.days and self.days[0] < 0):
            raise InputError("days", "session days must increase from day 0 or later")
        if self.shares and (len(self.shares) != len(self.days) or not all(0 <= s <= 1 for s in self.shares)):
            raise InputError("shares", "give one treated share (0 to 1) per session day")

    def share(self, session_index: int) -> float | None:
        """Share of the hairs showing treated at session ``session_index`` (0-based), if it was recorded."""
        return self.shares[session_index] if session_index < len(self.shares) else None

    def budget_minutes(self, session_index: int) -> float:
        """Time budget of session ``session_index`` (0-based), min."""
        if session_index < self.first_visits and self.first_visits_minutes is not None:
            return min(self.session_minutes, self.first_visits_minutes)
        return self.session_minutes


@dataclass(frozen=True)
class SessionStats:
    """One session: what was visible, treated and destroyed (counts of follicles; minutes)."""

    index: int
    day: int
    minutes_budget: float
    minutes_used: float
    visible_before: int
    growing_visible: int
    treated_growing: int
    treated_resting: int
    destroyed: int
    weakened_alive: int
    remaining_after: int


@dataclass(frozen=True)
class Simulation:
    """Result of :func:`simulate`.

    ``visible`` and ``remaining`` hold one value per day ``0..horizon_days`` (state at the end
    of the day, after any session): hairs showing above the skin, and follicles not destroyed.
    ``phase_counts`` has one row per ``sample_days`` entry and one column per :data:`PHASES`
    (follicles not destroyed).
    """

    n_follicles: int
    visible: IntArray
    remaining: IntArray
    sessions: tuple[SessionStats, ...]
    sample_days: tuple[int, ...]
    phase_counts: IntArray
    hours_total: float = field(default=0.0)

    def sessions_to(self, reduction: float) -> int | None:
        """1-based number of the first session after which ``reduction`` (fraction) of the follicles are destroyed."""
        target = self.n_follicles * (1 - reduction)
        for s in self.sessions:
            if s.remaining_after <= target + 1e-9:
                return s.index + 1
        return None


class _Population:
    """Follicle state arrays (structure of arrays) and the event machinery that advances them.

    One event per follicle and cycle: when a cycle starts, the four phase durations are drawn at
    once and stored as boundary times (``a_end``, ``c_end``, ``shed``, ``next``); the phase at a
    time ``t`` is then a comparison. A hair shows from ``emerge`` (if that comes before the end of
    anagen) until ``shed`` (end of telogen) unless it is removed or its follicle destroyed; those
    two times are booked as +1/-1 in ``delta`` (one slot per day) when the cycle starts, and
    cancelled if a session removes the hair. ``removed`` holds the ``emerge`` time of a hair a
    session removed, so a new cycle needs no reset.
    """

    a_end: F32Array  # end of anagen (days)
    c_end: F32Array  # end of catagen
    shed: F32Array  # end of telogen: the hair is shed
    next: F32Array  # end of latency: the next cycle starts
    emerge: F32Array  # start of anagen + emergence: the hair shows from then if before a_end

    def __init__(self, cycle: Cycle, n: int, horizon_days: int, rng: np.random.Generator) -> None:
        self.rng = rng
        self.horizon = horizon_days
        self.emergence = np.float32(cycle.emergence_days)
        sigma = math.sqrt(math.log1p(cycle.cv**2))
        unit = np.exp(sigma * _normal_quantiles())
        self.unit = (unit / unit.mean()).astype(np.float32)  # lognormal quantiles with mean 1
        self.length_bias = np.float32(1 + cycle.cv**2)
        self.means32 = np.array(cycle.means_days, dtype=np.float32)[:, None]  # anagen, catagen, telogen, latency
        self.delta = np.zeros(horizon_days + 1, dtype=np.int64)  # visible-hair changes per day
        self.alive = np.ones(n, dtype=bool)
        self.n_alive = n
        self.removed = np.full(n, -np.inf, dtype=np.float32)  # emerge time of the last hair removed
        self._start_stationary(n)
        self.visible0 = self.visible_now(0.0)

    def _durations(self, size: int) -> F32Array:
        """Fresh lognormal durations of the four phases, shape ``(4, size)``, days.

        Inverse-transform sampling on a table: each 64-bit raw draw gives four 16-bit indices
        into the unit-mean lognormal quantile table, one per phase, scaled by the phase means.
        """
        raw = self.rng.bit_generator.random_raw(size)
        index = np.asarray(raw, dtype=np.uint64).view(np.uint16).reshape(size, 4).T
        dur: F32Array = self.unit[index]
        dur *= self.means32
        return dur

    def _start_stationary(self, n: int) -> None:
        """Phase by share of mean duration; time spent in it by the length-biased (equilibrium) law."""
        rng = self.rng
        means = self.means32[:, 0].astype(np.float64)
        sub = rng.choice(4, size=n, p=means / means.sum()).astype(np.int8)
        dur = self._durations(n)
        # length-biased lognormal: same spread, median times 1 + cv² (quantiles of its own table)
        pick = np.asarray(rng.bit_generator.random_raw(n), dtype=np.uint64).view(np.uint16)[::4]
        biased = self.unit[pick] * self.means32[sub, 0]
        biased *= self.length_bias
        del pick
        cols = np.arange(n)
        dur[sub, cols] = biased
        del cols
        start = biased * rng.random(n, dtype=np.float32)  # minus the time already spent in the phase
        np.negative(start, out=start)
        for k in range(3):  # minus the earlier phases of the cycle
            start -= np.where(sub > k, dur[k], np.float32(0))
        self._set_cycle(None, start, dur)

    def _set_cycle(self, idx: IntArray | None, start: F32Array, dur: F32Array) -> F32Array:
        """Store the cycles starting at ``start`` (of follicles ``idx``; ``None``: all) and book their visible span.

        Returns the start of each follicle's next cycle (days).
        """
        a_end = start + dur[0]
        c_end = a_end + dur[1]
        shed = c_end + dur[2]
        nxt: F32Array = shed + dur[3]
        emerge = start + self.emergence
        if idx is None:
            self.a_end, self.c_end, self.shed, self.next, self.emerge = a_end, c_end, shed, nxt, emerge
            booked = (emerge < a_end) & self.alive
            on, off = emerge[booked & (emerge > 0)], shed[booked & (shed > 0)]  # earlier: in visible0
        else:
            self.a_end[idx], self.c_end[idx], self.shed[idx] = a_end, c_end, shed
            self.next[idx], self.emerge[idx] = nxt, emerge
            booked = (emerge < a_end) & self.alive[idx]
            on, off = emerge[booked], shed[booked]
        self._mark(on, +1)
        self._mark(off, -1)
        return nxt

    def _mark(self, times: F32Array, sign: int) -> None:
        """Add ``sign`` on the first whole day at or after each time (days beyond the horizon are dropped)."""
        days = np.ceil(times).astype(np.intp)
        np.minimum(days, self.horizon + 1, out=days)
        self.delta += sign * np.bincount(days, minlength=self.horizon + 2)[: self.horizon + 1]

    def club(self) -> BoolArray:
        """This cycle's hair has not been removed by a session."""
        kept: BoolArray = self.removed != self.emerge
        return kept

    def visible_now(self, t: float) -> int:
        """Hairs showing at time ``t`` (days), counted directly from the state."""
        shows = (self.emerge <= t) & (t < self.shed) & (self.emerge < self.a_end)
        return int(np.count_nonzero(self.alive & shows & self.club()))

    def advance(self, t_end: float) -> None:
        """Start every cycle that begins by ``t_end`` (days), in rounds of vectorised batches."""
        idx = np.flatnonzero(self.next <= t_end)
        while idx.size:
            nxt = self._set_cycle(idx, self.next[idx], self._durations(idx.size))
            idx = idx[nxt <= t_end]

    def growing(self, t: float) -> BoolArray:
        """Follicles not destroyed whose anagen hair shows at time ``t``."""
        return self.alive & (self.emerge <= t) & (t < self.a_end)

    def resting(self, t: float) -> BoolArray:
        """Follicles not destroyed in catagen or telogen whose hair shows at time ``t``."""
        rest = (self.a_end <= t) & (t < self.shed) & (self.emerge < self.a_end)
        return self.alive & rest & self.club()

    def visible_on(self, day: int) -> int:
        """Hairs showing on ``day`` from the booked changes (equals :meth:`visible_now` once advanced to ``day``)."""
        return self.visible0 + int(self.delta[: day + 1].sum())

    def kill(self, idx: IntArray) -> None:
        """Destroy follicles ``idx`` (for good)."""
        self.alive[idx] = False
        self.n_alive -= idx.size

    def remove(self, idx: IntArray, day: int) -> None:
        """Hairs ``idx`` stop showing on ``day`` (removed or destroyed): cancel their booked shedding."""
        if day <= self.horizon:
            self.delta[day] -= idx.size
        self._mark(self.shed[idx], +1)

    def phase_counts(self, t: float) -> IntArray:
        """Follicles not destroyed in anagen, catagen, telogen and latency at time ``t``."""
        a = self.alive
        upto = [int(np.count_nonzero(a & (t < edge))) for edge in (self.a_end, self.c_end, self.shed)]
        upto.append(int(np.count_nonzero(a)))
        return np.array([upto[0], upto[1] - upto[0], upto[2] - upto[1], upto[3] - upto[2]], dtype=np.int64)


@functools.cache
def _normal_quantiles() -> FloatArray:
    """Standard normal quantiles at the mid-points of ``2**16`` equal-probability bins (a read-only constant)."""
    normal = statistics.NormalDist()
    half = np.array([normal.inv_cdf((k + 0.5) / _TABLE_SIZE) for k in range(_TABLE_SIZE // 2)])
    table = np.concatenate((half, -half[::-1]))
    table.setflags(write=False)
    return table


def _lives(u: FloatArray, p: float) -> npt.NDArray[np.int16]:
    """Treatments each follicle takes to be destroyed: geometric with success ``p``, from uniforms ``u`` in (0, 1]."""
    if p >= 1:
        return np.ones(u.size, dtype=np.int16)
    if p <= 0:
        return np.full(u.size, _MAX_LIVES, dtype=np.int16)
    k = 1 + np.floor(np.log(u) / math.log1p(-p))
    lives: npt.NDArray[np.int16] = np.minimum(k, _MAX_LIVES).astype(np.int16)
    return lives


def _in_turn(mask: BoolArray, offset: int, k: int) -> IntArray:
    """Up to ``k`` indices where ``mask`` is true, in index order starting at ``offset`` and wrapping.

    The mask is scanned in growing chunks, so a dense mask costs about ``k`` elements, not all of them.
    """
    found: list[IntArray] = []
    need = k
    for lo, hi in ((offset, mask.size), (0, offset)):
        chunk = max(1024, 2 * need)
        while need > 0 and lo < hi:
            top = min(lo + chunk, hi)
            hits = np.flatnonzero(mask[lo:top])[:need] + lo
            found.append(hits)
            need -= hits.size
            lo, chunk = top, chunk * 2
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


class _Practice:
    """The treating side: resistance of each follicle and what a session does."""

    def __init__(
        self, treatment: Treatment, n: int, resistance: np.random.Generator, order: np.random.Generator
    ) -> None:
        self.treatment = treatment
        self.order_rng = order
        p = treatment.destroy_probability
        self.lives_growing = _lives(1.0 - resistance.random(n), p)
        self.lives_resting = _lives(1.0 - resistance.random(n), p * treatment.resting_factor)
        self.weak = np.zeros(n, dtype=bool)
        self.weak_alive = 0

    def session(
        self, pop: _Population, index: int, day: int, budget_minutes: float, share: float | None = None
    ) -> SessionStats:
        """Treat the visible hairs of ``pop`` at ``day`` within ``budget_minutes`` (and, if given, at most
        ``share`` of the hairs showing, rounded to the nearest hair); update the state."""
        tr = self.treatment
        growing = pop.growing(day)
        n_growing = int(np.count_nonzero(growing))
        visible = pop.visible_on(day)
        capacity = math.floor(budget_minutes * 60 / tr.seconds_per_follicle + 1e-9)
        if share is not None:
            capacity = min(capacity, math.floor(share * visible + 0.5))
        offset = int(self.order_rng.integers(pop.alive.size))
        g = _in_turn(growing, offset, capacity)
        treat_resting = tr.treat_resting and capacity > g.size and visible > n_growing
        r = _in_turn(pop.resting(day), offset, capacity - g.size) if treat_resting else g[:0]
        self.lives_growing[g] -= 1
        self.lives_resting[r] -= 1
        dead_g = g[self.lives_growing[g] <= 0]
        dead = np.concatenate((dead_g, r[self.lives_resting[r] <= 0]))
        self.weak_alive += int(np.count_nonzero(~self.weak[g]))
        self.weak[g] = True
        self.weak_alive -= int(np.count_nonzero(self.weak[dead]))
        pop.kill(dead)
        pop.removed[r] = pop.emerge[r]  # a treated resting hair is removed whether or not its follicle survives
        pop.remove(np.concatenate((dead_g, r)), day)
        treated = g.size + r.size
        return SessionStats(
            index=index,
            day=day,
            minutes_budget=budget_minutes,
            minutes_used=treated * tr.seconds_per_follicle / 60,
            visible_before=visible,
            growing_visible=n_growing,
            treated_growing=int(g.size),
            treated_resting=int(r.size),
            destroyed=int(dead.size),
            weakened_alive=self.weak_alive,
            remaining_after=pop.n_alive,
        )


def _check(n_follicles: int, horizon_days: int, sample_days: tuple[int, ...]) -> None:
    if n_follicles < 1:
        raise InputError("follicles", f"at least one follicle is needed, got {n_follicles}")
    if horizon_days < 0:
        raise InputError("horizon_days", f"the horizon must be at least 0 days, got {horizon_days}")
    if any(not 0 <= d <= horizon_days for d in sample_days):
        raise InputError("sample_days", f"sample days must lie in 0..{horizon_days}")


def _first_session(regimen: Regimen | None, horizon_days: int) -> int | None:
    """Day of the first session: the first already held, else day 0; ``None`` untreated."""
    if regimen is None:
        return None
    if regimen.days and regimen.days[-1] > horizon_days:
        raise InputError("days", f"session days must lie in 0..{horizon_days}")
    return regimen.days[0] if regimen.days else 0


def _next_gap(regimen: Regimen, stats: SessionStats, step: int) -> tuple[int, int]:
    """Days to the session after ``stats`` and the automatic interval's step (index into ``steps_days``).

    A session already held (``regimen.days``) comes next on its day; then the fixed interval, or
    the automatic one: one step longer after a session that treated every visible growing hair,
    one step shorter after one that could not.
    """
    held = regimen.days
    if stats.index + 1 < len(held):
        return held[stats.index + 1] - stats.day, step
    if regimen.interval_days is not None:
        return regimen.interval_days, step
    cleared = stats.treated_growing == stats.growing_visible
    step = min(step + 1, len(regimen.steps_days) - 1) if cleared else max(step - 1, 0)
    return regimen.steps_days[step], step


def simulate(
    cycle: Cycle,
    n_follicles: int,
    *,
    horizon_days: int,
    treatment: Treatment | None = None,
    regimen: Regimen | None = None,
    sample_days: tuple[int, ...] = (),
    rng: np.random.Generator | int | None = None,
) -> Simulation:
    """Simulate ``n_follicles`` follicles of one area for ``horizon_days`` days.

    Parameters
    ----------
    cycle
        Mean phase durations (days) and emergence time of the area.
    n_follicles
        Size of the population (follicles).
    horizon_days
        Days simulated after day 0; sessions fall on days ``0 .. horizon_days``.
    treatment, regimen
        Both or neither: without them the population is left untreated.
    sample_days
        Days (integers) on which the phase counts are recorded.
    rng
        Seed or generator; the phase timeline, the follicles' resistance and the treatment order
        each get their own stream spawned from it.

    Returns
    -------
    Simulation
        Daily visible hairs and follicles remaining, the sessions, the phase counts, and the
        practitioner hours (h).
    """
    _check(n_follicles, horizon_days, sample_days)
    if (treatment is None) != (regimen is None):
        raise InputError("treatment", "give both a treatment and a regimen, or neither")
    timeline, resistance, order = np.random.default_rng(rng).spawn(3)
    pop = _Population(cycle, n_follicles, horizon_days, timeline)
    practice = _Practice(treatment, n_follicles, resistance, order) if treatment is not None else None
    samples = sorted(set(sample_days))
    counts: dict[int, IntArray] = {}
    sessions: list[SessionStats] = []
    removed = np.zeros(horizon_days + 1, dtype=np.int64)
    next_session = _first_session(regimen, horizon_days)
    step = 0
    while True:
        stops = [d for d in (next_session, samples[0] if samples else None) if d is not None]
        if not stops:
            break
        day = min(stops)
        pop.advance(float(day))
        if samples and samples[0] == day:
            counts[day] = pop.phase_counts(float(day))
            samples.pop(0)
        if practice is None or regimen is None or next_session != day:
            continue
        before = pop.n_alive
        index = len(sessions)
        stats = practice.session(pop, index, day, regimen.budget_minutes(index), regimen.share(index))
        sessions.append(stats)
        removed[day] += before - stats.remaining_after
        gap, step = _next_gap(regimen, stats, step)
        next_session = day + gap if stats.remaining_after > 0 and day + gap <= horizon_days else None
    pop.advance(float(horizon_days))
    hours = sum(s.minutes_used for s in sessions) / 60
    return Simulation(
        n_follicles=n_follicles,
        visible=pop.visible0 + np.cumsum(pop.delta),
        remaining=n_follicles - np.cumsum(removed),
        sessions=tuple(sessions),
        sample_days=tuple(sorted(set(sample_days))),
        phase_counts=np.array([counts[d] for d in sorted(counts)], dtype=np.int64).reshape(-1, 4),
        hours_total=hours,
    )
