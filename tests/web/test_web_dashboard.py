"""The dashboard: today's sessions are all shown however many others are booked; the overdue and
due-soon lists and the screened sessions are bounded, in a sensible order, and say what they leave out."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from pinpoint.web.records.dashboard import ALERT_DAYS, ALERT_LIMIT, DUE_DAYS, DUE_LIMIT, OVERDUE_DAYS
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World


def _book(w: World, offsets: list[int], first_number: int = 100) -> None:
    """Book sessions of Ada's course ``offsets`` days from today (negative: in the past)."""
    Session.objects.bulk_create(
        Session(
            organization=w.clinic,
            course=w.ada_course,
            client=w.ada,
            number=first_number + i,
            scheduled_on=w.today + dt.timedelta(days=d),
        )
        for i, d in enumerate(offsets)
    )


def _open(w: World, first: int, last: int) -> int:
    """Booked or running sessions of the clinic from ``first`` to ``last`` days from today."""
    return Session.objects.filter(
        organization=w.clinic,
        scheduled_on__gte=w.today + dt.timedelta(days=first),
        scheduled_on__lte=w.today + dt.timedelta(days=last),
        status__in=[Session.Status.BOOKED, Session.Status.IN_PROGRESS],
    ).count()


def test_todays_sessions_survive_many_overdue_sessions(world: World) -> None:
    _book(world, [-1 - (i % OVERDUE_DAYS) for i in range(130)])
    page = world.login(world.practitioner).get(reverse("dashboard"))
    todays = page.context["todays"]
    assert {s.pk for s in todays} >= {world.today_session.pk, world.grace_session.pk}
    assert {s.scheduled_on for s in todays} == {world.today}
    assert b"No session today." not in page.content
    assert f'id="today-session-{world.today_session.pk}"'.encode() in page.content
    overdue = page.context["overdue"]
    assert len(overdue) == DUE_LIMIT
    dates = [s.scheduled_on for s in overdue]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == world.today - dt.timedelta(days=1)  # the most recent overdue come first
    more = _open(world, -OVERDUE_DAYS, -1) - DUE_LIMIT
    assert page.context["overdue_more"] == more > 0
    assert f"and {more} more overdue sessions".encode() in page.content


def test_due_soon_is_soonest_first_and_counts_what_it_leaves_out(world: World) -> None:
    _book(world, [1 + (i % DUE_DAYS) for i in range(90)])
    page = world.login(world.practitioner).get(reverse("dashboard"))
    soon = page.context["soon"]
    assert len(soon) == DUE_LIMIT
    dates = [s.scheduled_on for s in soon]
    assert dates == sorted(dates)
    assert dates[0] == world.today + dt.timedelta(days=1)
    more = _open(world, 1, DUE_DAYS) - DUE_LIMIT
    assert page.context["soon_more"] == more > 0
    assert f"and {more} more sessions due in the coming days".encode() in page.content


def test_alerts_say_how_many_coming_sessions_were_not_screened(world: World) -> None:
    _book(world, [1 + (i % ALERT_DAYS) for i in range(ALERT_LIMIT + 20)])
    page = world.login(world.practitioner).get(reverse("dashboard"))
    unscreened = _open(world, 1, ALERT_DAYS) - ALERT_LIMIT
    assert page.context["alerts_unscreened"] == unscreened > 0
    assert f"and {unscreened} more sessions up to".encode() in page.content
    # today's referred session is still alerted
    assert any(s.pk == world.grace_session.pk for s, _ in page.context["alerts"])


def test_a_quiet_dashboard_says_nothing_is_left_out(world: World) -> None:
    page = world.login(world.practitioner).get(reverse("dashboard"))
    assert page.context["overdue_more"] == page.context["soon_more"] == page.context["alerts_unscreened"] == 0
    assert b" more " not in page.content
