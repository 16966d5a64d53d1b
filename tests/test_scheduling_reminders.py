"""Core: appointment length, booking grid, free slots, adding a session, reminders and recalls (exact dates)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.guide import guide_for_plan
from pinpoint.core.planning import plan
from pinpoint.core.records import BookedSession
from pinpoint.core.reminders import (
    ReminderKind,
    appointment_reminder,
    due,
    home_session_reminder,
    recall,
    roller_reminder,
)
from pinpoint.core.scheduling import (
    appointment_minutes,
    check_added_session,
    earliest_added_session,
    free_slots,
    grid_cells,
    max_sessions,
)
from pinpoint.evidence.loader import Evidence

LONDON = zoneinfo.ZoneInfo("Europe/London")
START = dt.date(2026, 11, 25)


def _at(h: int, m: int = 0, day: dt.date = START) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=LONDON)


def test_appointment_length_is_the_guides_longest_step_times(ev: Evidence) -> None:
    p = plan(ev, "acne_scars", ("cheek",), "clinic", start=START)
    # anaesthetic on for 30 minutes, needling 10-30 minutes: 60 minutes
    assert appointment_minutes(guide_for_plan(ev, p).steps) == 60
    assert appointment_minutes(()) == 5


def test_grid_cells_are_five_minute_cells_and_off_grid_starts_are_refused() -> None:
    cells = grid_cells(_at(9), 30)
    assert len(cells) == 6
    assert cells == tuple(range(cells[0], cells[0] + 6))
    assert grid_cells(_at(9, 30), 15)[0] == cells[-1] + 1
    with pytest.raises(InputError, match="multiple of 5 minutes, got 09:07"):
        grid_cells(_at(9, 7), 30)
    with pytest.raises(InputError, match="got 7"):
        grid_cells(_at(9), 7)
    with pytest.raises(InputError, match="time zone"):
        grid_cells(dt.datetime(2026, 11, 25, 9), 30)  # noqa: DTZ001 - the naive time is the point


def test_free_slots_skip_busy_times_and_the_past() -> None:
    busy = [(_at(9, 30), _at(10, 30))]
    slots = free_slots(_at(9), _at(12), 60, busy, step_minutes=30)
    assert [f"{s:%H:%M}" for s in slots] == ["10:30", "11:00"]
    slots = free_slots(_at(9), _at(12), 60, [], step_minutes=30, not_before=_at(10, 10))
    assert [f"{s:%H:%M}" for s in slots] == ["10:30", "11:00"]


def test_a_session_is_added_up_to_the_plans_maximum_and_never_too_soon(ev: Evidence) -> None:
    p = plan(ev, "acne_scars", ("cheek",), "clinic", start=START)
    assert max_sessions(p) == 6
    booked = [BookedSession(number=s.session, date=s.date) for s in p.schedule]  # 3 sessions, 28 days apart
    last = p.schedule[-1].date
    assert earliest_added_session(ev, p, booked, START) == last + dt.timedelta(days=28)
    assert check_added_session(ev, p, booked, last + dt.timedelta(days=28), START) == 4
    with pytest.raises(RefusedError, match="27 days after session 3") as refused:
        check_added_session(ev, p, booked, last + dt.timedelta(days=27), START)
    assert refused.value.field == "date"
    six = [BookedSession(number=i, date=START + dt.timedelta(days=28 * (i - 1))) for i in range(1, 7)]
    with pytest.raises(RefusedError, match=r"already has 6 sessions, the most this plan allows \(6\)"):
        check_added_session(ev, p, six, START + dt.timedelta(days=400), START)


def test_appointment_reminder_is_due_the_day_before_and_stale_after_the_day() -> None:
    r = appointment_reminder(7, _at(14, 30), 60, "acne scars", "Demo Clinic, Room 1", 1)
    assert r.key == "appointment:7"
    assert r.kind == ReminderKind.APPOINTMENT
    assert (r.due_on, r.last_on) == (dt.date(2026, 11, 24), START)
    assert r.subject == "Your appointment on Wednesday 25 November 2026 at 14:30"
    assert due([r], dt.date(2026, 11, 23)) == ()
    assert due([r], dt.date(2026, 11, 24)) == (r,)
    assert due([r], START) == (r,)
    assert due([r], dt.date(2026, 11, 26)) == ()


def test_recall_is_due_at_the_sourced_top_up_interval(ev: Evidence) -> None:
    item = ev.policy["recall_after_course_days"]
    assert item.value == 182
    assert item.sources == ("graham-drpmg",)
    r = recall(ev, 3, "atrophic acne scars", dt.date(2026, 5, 1))
    assert r.due_on == dt.date(2026, 10, 30)
    assert r.last_on == dt.date(2026, 11, 29)
    assert r.sources == ("graham-drpmg",)


def test_home_session_and_roller_reminders(ev: Evidence) -> None:
    h = home_session_reminder(5, START, "fine lines and wrinkles")
    assert (h.due_on, h.last_on, h.starts_at) == (START, START, None)
    first = dt.date(2026, 10, 1)
    # ten uses twice a week: the tenth use (day 31) comes before 42 days from the first use
    uses = [first + dt.timedelta(days=int(3.5 * i)) for i in range(10)]
    r = roller_reminder(ev, 9, "My roller", "roller_192_025_home", uses)
    assert r is not None
    assert r.due_on == uses[9] == dt.date(2026, 11, 1)
    # two uses: the 42 days from the first use decide
    r2 = roller_reminder(ev, 9, "My roller", "roller_192_025_home", uses[:2])
    assert r2 is not None
    assert r2.due_on == dt.date(2026, 11, 12)
    assert "10 uses or 6 weeks" in r2.body
    assert roller_reminder(ev, 9, "My roller", "roller_192_025_home", []) is None
