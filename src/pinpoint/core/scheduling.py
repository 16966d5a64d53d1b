"""Appointments in time: how long a session takes, which slots of a day are free, adding a session.

Times are timezone-aware datetimes; a booking sits on a grid of :data:`GRID_MINUTES` minutes so
that "no two appointments of one practitioner (or room) overlap" is a uniqueness rule on the
grid cells each appointment covers (:func:`grid_cells`), which any database enforces under
concurrent writes. No clock is read here: "today" is a parameter.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.guide import Step
from pinpoint.core.planning import Plan
from pinpoint.core.records import BookedSession, check_session_date, min_gaps
from pinpoint.evidence.loader import Evidence

__all__ = [
    "GRID_MINUTES",
    "MAX_APPOINTMENT_MINUTES",
    "add_session_number",
    "appointment_minutes",
    "check_added_session",
    "check_appointment",
    "earliest_added_session",
    "free_slots",
    "grid_cells",
    "max_sessions",
    "overlaps",
]

GRID_MINUTES = 5
"""Booking grid (minutes): appointments start and end on multiples of it (a calendar convention)."""

MAX_APPOINTMENT_MINUTES = 8 * 60
"""The longest appointment one booking may hold (minutes): one working day."""

_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def appointment_minutes(steps: Iterable[Step]) -> int:
    """Minutes to book for a session guided by ``steps``: the sum of each step's longest duration.

    Steps without a duration count nothing; the sum is rounded up to the booking grid and is at
    least one grid cell (minutes).
    """
    total = sum(s.minutes.max for s in steps if s.minutes is not None)
    cells = max(1, math.ceil(total / GRID_MINUTES))
    return min(cells * GRID_MINUTES, MAX_APPOINTMENT_MINUTES)


def check_appointment(starts_at: dt.datetime, minutes: int) -> None:
    """Refuse a start off the booking grid or a duration outside 5 minutes to 8 hours.

    ``starts_at`` must be timezone-aware. Raises :class:`InputError` on field ``start`` or
    ``minutes``.
    """
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise InputError("start", "the start time needs a time zone")
    if starts_at.second or starts_at.microsecond or starts_at.minute % GRID_MINUTES:
        raise InputError(
            "start", f"an appointment starts on a multiple of {GRID_MINUTES} minutes, got {starts_at:%H:%M}"
        )
    if not GRID_MINUTES <= minutes <= MAX_APPOINTMENT_MINUTES or minutes % GRID_MINUTES:
        raise InputError(
            "minutes",
            f"the duration is {GRID_MINUTES} to {MAX_APPOINTMENT_MINUTES} minutes in steps of {GRID_MINUTES}, "
            f"got {minutes}",
        )


def grid_cells(starts_at: dt.datetime, minutes: int) -> tuple[int, ...]:
    """The grid cells (numbered from 2000-01-01 UTC) an appointment of ``minutes`` from ``starts_at`` covers."""
    check_appointment(starts_at, minutes)
    first = int((starts_at - _EPOCH).total_seconds() // 60) // GRID_MINUTES
    return tuple(range(first, first + minutes // GRID_MINUTES))


def overlaps(a: tuple[dt.datetime, dt.datetime], b: tuple[dt.datetime, dt.datetime]) -> bool:
    """True when the half-open intervals ``[start, end)`` ``a`` and ``b`` share any time."""
    return a[0] < b[1] and b[0] < a[1]


def free_slots(
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    minutes: int,
    busy: Sequence[tuple[dt.datetime, dt.datetime]],
    *,
    step_minutes: int = 15,
    not_before: dt.datetime | None = None,
) -> tuple[dt.datetime, ...]:
    """Starts, every ``step_minutes`` from ``opens_at``, of ``minutes``-long slots that end by ``closes_at``.

    A slot is free when it overlaps none of the ``busy`` ``[start, end)`` intervals and does not
    start before ``not_before`` (the current time, when the day is today).
    """
    check_appointment(opens_at, minutes)
    if step_minutes < GRID_MINUTES or step_minutes % GRID_MINUTES:
        raise InputError("step", f"slots are {GRID_MINUTES} minutes apart or a multiple of it, got {step_minutes}")
    length, step = dt.timedelta(minutes=minutes), dt.timedelta(minutes=step_minutes)
    out = []
    start = opens_at
    while start + length <= closes_at:
        slot = (start, start + length)
        if (not_before is None or start >= not_before) and not any(overlaps(slot, b) for b in busy):
            out.append(start)
        start += step
    return tuple(out)


def max_sessions(plan: Plan) -> int:
    """The most sessions the plan allows: the largest upper bound of its zones' session counts."""
    return max(math.floor(z.sessions.max) for z in plan.zones)


def add_session_number(plan: Plan, booked: Sequence[BookedSession]) -> int:
    """The number the next added session takes; refused once the course holds the plan's maximum.

    ``booked`` are the course's sessions that are not cancelled. Raises :class:`RefusedError` on
    field ``date``.
    """
    most = max_sessions(plan)
    if len(booked) >= most:
        raise RefusedError("date", f"the course already has {len(booked)} sessions, the most this plan allows ({most})")
    return max((s.number for s in booked), default=0) + 1


def earliest_added_session(evidence: Evidence, plan: Plan, booked: Sequence[BookedSession], today: dt.date) -> dt.date:
    """The first date (on or after ``today``) a session added after ``booked`` may take.

    It is the latest booked session's date plus the widest minimum gap after it
    (:func:`~pinpoint.core.records.min_gaps`, at its recorded depths once signed).
    """
    if not booked:
        return today
    last = max(booked, key=lambda s: (s.date, s.number))
    widest = max(g.interval_days for g in min_gaps(evidence, plan, last.depths_mm))
    return max(today, last.date + dt.timedelta(days=widest))


def check_added_session(
    evidence: Evidence, plan: Plan, booked: Sequence[BookedSession], on: dt.date, today: dt.date
) -> int:
    """Check that a session may be added on ``on``; return its number.

    Refused beyond the plan's maximum (:func:`add_session_number`) or closer to the sessions
    before it than the interval rules allow (:func:`~pinpoint.core.records.check_session_date`).
    """
    number = add_session_number(plan, booked)
    check_session_date(evidence, plan, number, on, booked, today=today)
    return number
