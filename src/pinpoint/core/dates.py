"""Plausible dates: the one place that says which dates a person can mean.

Every date a user types (a birth date, a last dose, a session date) passes through these
checks before any arithmetic, so no interface can reach a date that overflows or that no
clinic could mean. Raises :class:`InputError` naming the field.
"""

from __future__ import annotations

import datetime as dt

from pinpoint.core.errors import InputError

__all__ = ["MAX_AGE_YEARS", "MAX_YEARS_AHEAD", "check_birth_date", "check_future_date", "check_past_date"]

MAX_AGE_YEARS = 120
"""Oldest plausible age of a living person, in years (birth dates further back are typing errors)."""

MAX_YEARS_AHEAD = 5
"""How far ahead a booking or a plan start may lie, in years; also keeps date arithmetic in range."""


def _years_before(on: dt.date, years: int) -> dt.date:
    return on.replace(year=on.year - years) if not (on.month == 2 and on.day == 29) else dt.date(on.year - years, 2, 28)


def _years_after(on: dt.date, years: int) -> dt.date:
    return on.replace(year=on.year + years) if not (on.month == 2 and on.day == 29) else dt.date(on.year + years, 2, 28)


def check_birth_date(field: str, value: dt.date, on: dt.date) -> dt.date:
    """``value`` as a birth date seen on ``on``: not after ``on``, not more than 120 years before."""
    if value > on:
        raise InputError(field, f"{field} {value} is in the future (after {on})")
    earliest = _years_before(on, MAX_AGE_YEARS)
    if value < earliest:
        raise InputError(field, f"{field} {value} is more than {MAX_AGE_YEARS} years before {on}")
    return value


def check_past_date(field: str, value: dt.date, on: dt.date, *, not_before: dt.date | None = None) -> dt.date:
    """A date that can only lie in the past (a last dose, a sunburn, a questionnaire): not after ``on``.

    ``not_before`` (a birth date, say) is the earliest it may be; otherwise 120 years before ``on``.
    """
    if value > on:
        raise InputError(field, f"{field} {value} is in the future (after {on}); it must be a past date")
    if not_before is not None and value < not_before:
        raise InputError(field, f"{field} {value} is before {not_before}")
    earliest = _years_before(on, MAX_AGE_YEARS)
    if value < earliest:
        raise InputError(field, f"{field} {value} is more than {MAX_AGE_YEARS} years before {on}")
    return value


def check_future_date(field: str, value: dt.date, on: dt.date, *, not_before: dt.date | None = None) -> dt.date:
    """A date to book or plan: not before ``not_before`` (default: no lower bound but the past limit)
    and not more than :data:`MAX_YEARS_AHEAD` years after ``on``."""
    latest = _years_after(on, MAX_YEARS_AHEAD)
    if value > latest:
        raise InputError(field, f"{field} {value} is more than {MAX_YEARS_AHEAD} years after {on}")
    if not_before is not None and value < not_before:
        raise InputError(field, f"{field} {value} is before {not_before}")
    earliest = _years_before(on, MAX_AGE_YEARS)
    if value < earliest:
        raise InputError(field, f"{field} {value} is more than {MAX_AGE_YEARS} years before {on}")
    return value
