"""When the next electrolysis session of a course is due (core.hair_course.next_due)."""

from __future__ import annotations

import datetime as dt

from pinpoint.core.hair_course import next_due

D = dt.date
PLAN = (D(2026, 1, 1), D(2026, 1, 8), D(2026, 1, 15), D(2026, 1, 29), D(2026, 2, 19))


def test_nothing_held_the_first_planned_day_is_due() -> None:
    assert next_due(PLAN, 0, None) == D(2026, 1, 1)
    assert next_due((), 0, None) is None


def test_the_planned_spacing_follows_the_last_session_actually_held() -> None:
    assert next_due(PLAN, 1, D(2026, 1, 3)) == D(2026, 1, 10)  # 7 days after a session held two days late
    assert next_due(PLAN, 3, D(2026, 1, 20)) == D(2026, 2, 3)  # the plan spaces the 4th session 14 days after
    assert next_due(PLAN, 4, D(2026, 2, 1)) == D(2026, 2, 22)  # then 21 days


def test_a_course_past_its_planned_sessions_is_not_due() -> None:
    assert next_due(PLAN, 5, D(2026, 2, 19)) is None
    assert next_due(PLAN, 9, D(2026, 5, 1)) is None
