"""Plausible dates (pinpoint.core.dates) and the date rules of the record: bounds, course order, overflow."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pinpoint.core.dates import (
    MAX_AGE_YEARS,
    MAX_YEARS_AHEAD,
    add_days,
    check_birth_date,
    check_future_date,
    check_past_date,
)
from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.planning import Plan, plan, schedule_dates
from pinpoint.core.records import BookedSession, check_questionnaire_date, check_session_date, min_gaps
from pinpoint.evidence import Evidence

TODAY = dt.date(2026, 11, 29)
DAY = dt.timedelta(days=1)


def _message(exc: pytest.ExceptionInfo[Exception]) -> tuple[str, str]:
    err = exc.value
    assert isinstance(err, InputError | RefusedError)
    return err.field, err.message


# --- the bounds -------------------------------------------------------------------------------


def test_a_birth_date_is_neither_in_the_future_nor_more_than_120_years_back() -> None:
    assert check_birth_date("birth_date", TODAY, TODAY) == TODAY
    assert check_birth_date("birth_date", dt.date(1906, 11, 29), TODAY) == dt.date(1906, 11, 29)
    with pytest.raises(InputError) as future:
        check_birth_date("birth_date", TODAY + DAY, TODAY, label="date of birth")
    assert _message(future) == ("birth_date", "date of birth 2026-11-30 is in the future (after 2026-11-29)")
    with pytest.raises(InputError) as old:
        check_birth_date("birth_date", dt.date(1906, 11, 28), TODAY)
    assert _message(old) == ("birth_date", "birth_date 1906-11-28 is more than 120 years before 2026-11-29")
    for hostile in (dt.date.min, dt.date(1900, 1, 1), dt.date(2100, 1, 1), dt.date.max):
        with pytest.raises(InputError):
            check_birth_date("birth_date", hostile, TODAY)


def test_a_past_date_is_not_after_the_day_nor_before_its_lower_bound() -> None:
    assert check_past_date("taken_on", TODAY, TODAY) == TODAY
    with pytest.raises(InputError, match=r"^questionnaire date 2100-01-01 is in the future \(after 2026-11-29\)"):
        check_past_date("taken_on", dt.date(2100, 1, 1), TODAY, label="questionnaire date")
    with pytest.raises(InputError, match=r"^taken_on 1984-12-31 is before 1985-01-01$"):
        check_past_date("taken_on", dt.date(1984, 12, 31), TODAY, not_before=dt.date(1985, 1, 1))
    with pytest.raises(InputError, match="more than 120 years before"):
        check_past_date("taken_on", dt.date(1900, 1, 1), TODAY)


def test_a_booking_lies_at_most_five_years_ahead() -> None:
    last = dt.date(2031, 11, 29)
    assert check_future_date("date", last, TODAY) == last
    with pytest.raises(InputError) as far:
        check_future_date("date", last + DAY, TODAY, label="first session on")
    assert _message(far) == ("date", "first session on 2031-11-30 is more than 5 years after 2026-11-29")
    with pytest.raises(InputError, match="is before 2026-11-01"):
        check_future_date("date", dt.date(2026, 10, 31), TODAY, not_before=dt.date(2026, 11, 1))
    for hostile in (dt.date.min, dt.date(1900, 1, 1), dt.date.max):
        with pytest.raises(InputError):
            check_future_date("date", hostile, TODAY)


def test_29_february_reference_days_and_the_ends_of_the_calendar_never_raise_anything_but_input_errors() -> None:
    leap = dt.date(2028, 2, 29)
    assert check_birth_date("b", dt.date(1908, 2, 28), leap) == dt.date(1908, 2, 28)
    with pytest.raises(InputError):
        check_birth_date("b", dt.date(1908, 2, 27), leap)
    assert check_future_date("d", dt.date(2033, 2, 28), leap) == dt.date(2033, 2, 28)
    with pytest.raises(InputError):
        check_future_date("d", dt.date(2033, 3, 1), leap)
    # a reference day near either end of the calendar: the bounds clamp instead of overflowing
    assert check_future_date("d", dt.date.max, dt.date(9998, 1, 1)) == dt.date.max
    assert check_past_date("d", dt.date.min, dt.date(50, 1, 1)) == dt.date.min


@given(value=st.dates(), on=st.dates())
def test_every_pair_of_dates_is_accepted_or_refused_with_an_input_error(value: dt.date, on: dt.date) -> None:
    for check in (check_birth_date, check_past_date, check_future_date):
        try:
            assert check("f", value, on) == value
        except InputError as exc:
            assert exc.field == "f"
            assert "\n" not in exc.message


def test_add_days_names_the_field_when_the_calendar_ends() -> None:
    assert add_days("start", TODAY, 30) == dt.date(2026, 12, 29)
    assert add_days("start", TODAY, -30) == dt.date(2026, 10, 30)
    with pytest.raises(InputError) as late:
        add_days("start", dt.date(9999, 12, 31), 1, label="first session on")
    assert _message(late) == (
        "start",
        "first session on 9999-12-31 plus 1 days is outside the calendar (years 1 to 9999)",
    )
    with pytest.raises(InputError, match="minus 1 days is outside"):
        add_days("start", dt.date.min, -1)
    with pytest.raises(InputError):
        add_days("start", TODAY, 10**12)  # more days than a timedelta holds


def test_the_limits_are_the_documented_ones() -> None:
    assert (MAX_AGE_YEARS, MAX_YEARS_AHEAD) == (120, 5)


# --- a schedule never overflows -----------------------------------------------------------------


def test_a_schedule_that_would_run_past_9999_is_an_input_error_on_the_start() -> None:
    assert schedule_dates(dt.date(9999, 12, 3), 2, 28)[-1].date == dt.date(9999, 12, 31)
    with pytest.raises(InputError) as exc:
        schedule_dates(dt.date(9999, 12, 31), 3, 28)
    assert _message(exc) == ("start", "a course of 3 sessions 28 days apart from 9999-12-31 ends past year 9999")
    with pytest.raises(InputError):
        schedule_dates(TODAY, 2, 10**12)


def test_planning_a_course_from_9999_12_31_is_an_input_error_not_an_overflow(ev: Evidence) -> None:
    with pytest.raises(InputError) as exc:
        plan(ev, "acne_scars", ("cheek",), "clinic", device="pen_14", start=dt.date(9999, 12, 31))
    assert exc.value.field == "start"


# --- rescheduling keeps the course in order ------------------------------------------------------


@pytest.fixture(scope="module")
def acne(ev: Evidence) -> Plan:
    """Acne scars on the cheek in a clinic with a pen."""
    return plan(ev, "acne_scars", ("cheek",), "clinic", device="pen_14", start=TODAY)


STEP = 28  # days between the booked sessions below: the plan's interval at its planned depth (asserted)


def _course() -> list[BookedSession]:
    """Session 1 signed at 0.5 mm on TODAY; sessions 2 and 3 booked 4 and 8 weeks later."""
    return [
        BookedSession(number=1, date=TODAY, depths_mm={"cheek": 0.5}, signed=True),
        BookedSession(number=2, date=TODAY + STEP * DAY),
        BookedSession(number=3, date=TODAY + 2 * STEP * DAY),
    ]


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (dt.date(1, 1, 1), "session 2 on 0001-01-01 is more than 120 years before 2026-11-29"),
        (dt.date(1900, 1, 1), "session 2 on 1900-01-01 is more than 120 years before 2026-11-29"),
        (dt.date(9999, 12, 31), "session 2 on 9999-12-31 is more than 5 years after 2026-11-29"),
        (dt.date(2100, 1, 1), "session 2 on 2100-01-01 is more than 5 years after 2026-11-29"),
    ],
)
def test_a_booking_outside_the_plausible_range_is_an_input_error(
    ev: Evidence, acne: Plan, on: dt.date, message: str
) -> None:
    with pytest.raises(InputError) as exc:
        check_session_date(ev, acne, 2, on, _course(), today=TODAY)
    assert _message(exc) == ("date", message)


def test_a_session_never_moves_on_or_before_a_signed_session(ev: Evidence, acne: Plan) -> None:
    for on in (TODAY - 30 * DAY, TODAY - DAY, TODAY):
        with pytest.raises(RefusedError) as exc:
            check_session_date(ev, acne, 2, on, _course(), today=TODAY)
        assert _message(exc) == (
            "date",
            f"session 2 cannot be moved to {on}: session 1 was signed on {TODAY}, "
            "and a session cannot go on or before a signed one",
        )


def test_a_session_keeps_its_place_in_the_course(ev: Evidence, acne: Plan) -> None:
    sessions = [*_course(), BookedSession(number=4, date=TODAY + 84 * DAY)]
    with pytest.raises(RefusedError) as late:  # session 2 moved after session 3
        check_session_date(ev, acne, 2, TODAY + 90 * DAY, sessions, today=TODAY)
    assert _message(late) == (
        "date",
        f"session 2 cannot be moved to {TODAY + 90 * DAY}: it must come before session 3 on {TODAY + 56 * DAY}",
    )
    with pytest.raises(RefusedError) as early:  # session 4 moved before session 3, after the signed one
        check_session_date(ev, acne, 4, TODAY + 40 * DAY, sessions, today=TODAY)
    assert _message(early) == (
        "date",
        f"session 4 cannot be moved to {TODAY + 40 * DAY}: it must come after session 3 on {TODAY + 56 * DAY}",
    )


def test_the_interval_holds_to_both_neighbours(ev: Evidence, acne: Plan) -> None:
    gap_recorded = min_gaps(ev, acne, {"cheek": 0.5})[0].interval_days
    assert gap_recorded < STEP
    # after session 1 (signed at 0.5 mm), the recorded depth sets the spacing
    with pytest.raises(
        RefusedError, match=r"^session 2 on .* is \d+ days after session 1 .*cheek at 0.5 mm \(recorded\)"
    ):
        check_session_date(ev, acne, 2, TODAY + (gap_recorded - 1) * DAY, _course(), today=TODAY)
    # before session 3 (counted at the plan's deepest depth), moving 2 later must leave the planned interval
    (planned,) = min_gaps(ev, acne)
    assert planned.interval_days == STEP
    with pytest.raises(RefusedError) as nxt:
        check_session_date(ev, acne, 2, TODAY + (STEP + 1) * DAY, _course(), today=TODAY)
    assert _message(nxt)[1].startswith(f"session 3 on {TODAY + 2 * STEP * DAY} is {STEP - 1} days after session 2 on ")
    assert f"cheek at {planned.depth_mm:g} mm (planned) needs at least {STEP} days" in _message(nxt)[1]
    check_session_date(ev, acne, 2, TODAY + STEP * DAY, _course(), today=TODAY)  # both gaps held exactly


def test_without_today_only_order_and_spacing_are_checked(ev: Evidence, acne: Plan) -> None:
    # callers that judge plausibility elsewhere (a library user) keep the old signature
    with pytest.raises(RefusedError, match="must come after session 1"):
        check_session_date(ev, acne, 2, dt.date(1, 1, 1), [BookedSession(number=1, date=TODAY)])


# --- questionnaires --------------------------------------------------------------------------------


def test_a_questionnaire_is_dated_today_or_earlier_and_not_before_the_birth_date() -> None:
    assert check_questionnaire_date(TODAY, TODAY, dt.date(1985, 1, 1)) == TODAY
    with pytest.raises(InputError) as future:
        check_questionnaire_date(TODAY + DAY, TODAY)
    assert _message(future) == (
        "taken_on",
        "questionnaire date 2026-11-30 is in the future (after 2026-11-29); it must be a past date",
    )
    with pytest.raises(InputError) as unborn:
        check_questionnaire_date(dt.date(1980, 1, 1), TODAY, dt.date(1985, 1, 1))
    assert _message(unborn) == ("taken_on", "questionnaire date 1980-01-01 is before 1985-01-01")
    with pytest.raises(InputError, match="more than 120 years before"):
        check_questionnaire_date(dt.date(1900, 1, 1), TODAY)
