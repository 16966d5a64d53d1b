"""Plausible dates: the one place that says which dates a person can mean.

Every date a user types (a birth date, a last dose, a questionnaire, a course start, a
booking) passes through these checks before any arithmetic, so no interface can reach a date
that overflows or that no clinic could mean. Each check raises :class:`InputError` naming the
field; ``label`` is how the message names it to a person (default: the field name).
"""

from __future__ import annotations

import datetime as dt

from pinpoint.core.errors import InputError

__all__ = [
    "MAX_AGE_YEARS",
    "MAX_YEARS_AHEAD",
    "add_days",
    "check_birth_date",
    "check_future_date",
    "check_past_date",
]

MAX_AGE_YEARS = 120
"""Oldest plausible age of a living person, in years (birth dates further back are typing errors)."""

MAX_YEARS_AHEAD = 5
"""How far ahead a booking or a plan start may lie, in years; also keeps date arithmetic in range."""


def _shift_years(on: dt.date, years: int) -> dt.date:
    """``on`` moved by whole ``years`` (29 February lands on 28 February), clamped to the calendar."""
    year = on.year + years
    if year < dt.MINYEAR:
        return dt.date.min
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, on.month, 28) if (on.month, on.day) == (2, 29) else on.replace(year=year)


def _years_before(on: dt.date, years: int) -> dt.date:
    return _shift_years(on, -years)


def _years_after(on: dt.date, years: int) -> dt.date:
    return _shift_years(on, years)


def _too_old(field: str, label: str, value: dt.date, on: dt.date) -> None:
    if value < _years_before(on, MAX_AGE_YEARS):
        raise InputError(field, f"{label} {value} is more than {MAX_AGE_YEARS} years before {on}")


def check_birth_date(field: str, value: dt.date, on: dt.date, *, label: str | None = None) -> dt.date:
    """``value`` as a birth date seen on ``on``: not after ``on``, not more than 120 years before."""
    name = label or field
    if value > on:
        raise InputError(field, f"{name} {value} is in the future (after {on})")
    _too_old(field, name, value, on)
    return value


def check_past_date(
    field: str,
    value: dt.date,
    on: dt.date,
    *,
    not_before: dt.date | None = None,
    label: str | None = None,
    not_before_label: str | None = None,
) -> dt.date:
    """A date that can only lie in the past (a last dose, a sunburn, a questionnaire): not after ``on``.

    ``not_before`` (a birth date, say, named ``not_before_label`` in the message) is the earliest
    it may be; in any case not more than 120 years before ``on``.
    """
    name = label or field
    if value > on:
        raise InputError(field, f"{name} {value} is in the future (after {on}); it must be a past date")
    if not_before is not None and value < not_before:
        earliest = f"the {not_before_label} {not_before}" if not_before_label else f"{not_before}"
        raise InputError(field, f"{name} {value} is before {earliest}")
    _too_old(field, name, value, on)
    return value


def check_future_date(
    field: str, value: dt.date, on: dt.date, *, not_before: dt.date | None = None, label: str | None = None
) -> dt.date:
    """A date to book, plan or screen on, seen on ``on`` (today).

    Not more than :data:`MAX_YEARS_AHEAD` years after ``on``; not before ``not_before`` when
    given; in any case not more than 120 years before ``on``.
    """
    name = label or field
    if value > _years_after(on, MAX_YEARS_AHEAD):
        raise InputError(field, f"{name} {value} is more than {MAX_YEARS_AHEAD} years after {on}")
    if not_before is not None and value < not_before:
        raise InputError(field, f"{name} {value} is before {not_before}")
    _too_old(field, name, value, on)
    return value


def add_days(field: str, start: dt.date, days: int, *, label: str | None = None) -> dt.date:
    """``start`` plus ``days`` days (negative: before), or :class:`InputError` when the calendar
    (years 1 to 9999) cannot hold the result."""
    try:
        return start + dt.timedelta(days=days)
    except OverflowError:
        name = label or field
        raise InputError(
            field,
            f"{name} {start} {'plus' if days >= 0 else 'minus'} {abs(days)} days is outside the calendar "
            f"(years {dt.MINYEAR} to {dt.MAXYEAR})",
        ) from None
