"""A clinic's own opening hours: the owner's page, the default day, free times and bookings within them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from pinpoint.core.errors import RefusedError
from pinpoint.web.audit.models import AuditEvent
from pinpoint.web.scheduling.actions import book, set_opening_hours
from pinpoint.web.scheduling.models import Appointment, OpeningHours
from pinpoint.web.scheduling.selectors import open_slots, opening_hours
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World, fingerprint

pytestmark = pytest.mark.django_db

DAYS = [n.lower() for n in calendar.day_name]
CAREFUL = [("08:00", "19:00")] * 5 + [("09:00", "13:00"), None]
"""Monday to Friday 08:00-19:00, Saturday 09:00-13:00, Sunday closed."""


def _form(week: list[tuple[str, str] | None]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, day in zip(DAYS, week, strict=True):
        if day is None:
            data[f"{name}_closed"] = "on"
        else:
            data[f"{name}_opens"], data[f"{name}_closes"] = day
    return data


def _at(day: dt.date, h: int, m: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(h, m)), dt.UTC)


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def _hours_with(world: World, day: dt.date, hours: tuple[str, str] | None) -> None:
    """Every day 08:00-19:00 but the weekday of ``day``."""
    week: list[tuple[dt.time, dt.time] | None] = [(_t("08:00"), _t("19:00"))] * 7
    week[day.weekday()] = None if hours is None else (_t(hours[0]), _t(hours[1]))
    set_opening_hours(world.actor(world.owner), week)


def _mae() -> Session:
    return Session.objects.get(client__full_name="Mae Jemison", number=1)


def test_a_clinic_without_hours_keeps_the_default_day(world: World) -> None:
    week = opening_hours(world.actor(world.practitioner))
    assert [(h.name, h.words) for h in week] == [(calendar.day_name[i], "08:00–19:00") for i in range(7)]
    page = world.login(world.owner).get(reverse("scheduling:rooms")).content.decode()
    assert "<li><strong>Sunday</strong> 08:00–19:00</li>" in page
    form = world.login(world.owner).get(reverse("scheduling:hours")).content.decode()
    assert 'name="saturday_opens" value="08:00"' in form
    assert 'name="sunday_closes" value="19:00"' in form


def test_the_owner_sets_a_careful_week_on_the_page(world: World) -> None:
    client = world.login(world.owner)
    response = client.post(reverse("scheduling:hours"), _form(CAREFUL))
    assert response.status_code == 302
    assert response["Location"] == reverse("scheduling:rooms")
    rows = list(OpeningHours.objects.filter(organization=world.clinic).values_list("weekday", "opens", "closes"))
    assert rows == [
        *[(i, _t("08:00"), _t("19:00")) for i in range(5)],
        (5, _t("09:00"), _t("13:00")),
        (6, None, None),
    ]
    event = AuditEvent.objects.filter(organization=world.clinic, action="organization.update").latest("pk")
    assert event.detail["opening_hours"]["Saturday"] == "09:00–13:00"
    assert event.detail["opening_hours"]["Sunday"] == "closed"
    page = client.get(reverse("scheduling:rooms")).content.decode()
    assert "<li><strong>Saturday</strong> 09:00–13:00</li>" in page
    assert '<li><strong>Sunday</strong> <span class="muted">closed</span></li>' in page
    again = client.get(reverse("scheduling:hours")).content.decode()
    assert re.search(r'name="sunday_closed" id="id_sunday_closed" checked', again)
    # the other clinic (a personal space) keeps the default day
    assert opening_hours(world.actor(world.home_user))[6].words == "08:00–19:00"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"saturday_opens": "13:00", "saturday_closes": "09:00"},
            "saturday_closes",
            "Saturday: the clinic closes after it opens (opens 13:00, closes 09:00)",
        ),
        ({"monday_opens": "08:07"}, "monday_opens", "Monday: times are on the booking grid of 5 minutes, got 08:07"),
        ({"tuesday_closes": ""}, "tuesday_closes", "Tuesday: give the time, or mark the day closed"),
    ],
)
def test_wrong_hours_are_refused_beside_the_field_and_at_the_top(
    world: World, change: dict[str, str], field: str, message: str
) -> None:
    client = world.login(world.owner)
    before = fingerprint()
    response = client.post(reverse("scheduling:hours"), _form(CAREFUL) | change)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<p class="errorlist" id="error-{field}">{message}</p>' in body
    assert f'<li><a href="#id_{field}">{message}</a></li>' in body
    assert body.index('id="form-errors"') < body.index('id="hours-form"')
    assert fingerprint() == before


def test_free_times_follow_the_days_hours(world: World) -> None:
    tomorrow = world.today + dt.timedelta(days=1)
    prac = world.actor(world.practitioner)
    _hours_with(world, tomorrow, ("09:00", "13:00"))
    starts = open_slots(prac, tomorrow, 60, world.practitioner, None)
    # Mae holds 09:30-10:30 with the practitioner; the last hour starts at 12:00 and ends at closing
    assert [f"{s:%H:%M}" for s in starts] == ["10:30", "10:45", "11:00", "11:15", "11:30", "11:45", "12:00"]
    _hours_with(world, tomorrow, None)
    assert open_slots(prac, tomorrow, 60, world.practitioner, None) == ()
    page = world.login(world.practitioner).get(
        reverse("scheduling:book", args=[world.grace_session.pk]),
        {"day": tomorrow.isoformat(), "practitioner": world.practitioner.pk, "minutes": 60},
    )
    day = calendar.day_name[tomorrow.weekday()]
    assert f'<p class="muted" id="no-slots">The clinic is closed on {day}s. Choose another day.</p>' in (
        page.content.decode()
    )


def test_a_booking_outside_the_hours_is_refused_with_the_hours(world: World) -> None:
    tomorrow = world.today + dt.timedelta(days=1)
    day = calendar.day_name[tomorrow.weekday()]
    prac = world.actor(world.practitioner)
    mae = _mae()
    _hours_with(world, tomorrow, ("09:00", "13:00"))
    with pytest.raises(RefusedError) as late:
        book(prac, mae, world.practitioner, _at(tomorrow, 12, 30), 60)
    assert (late.value.field, late.value.message) == (
        "start",
        f"On {day}s the clinic is open from 09:00 to 13:00; 12:30–13:30 is outside those hours, "
        "choose a time within them",
    )
    with pytest.raises(RefusedError, match="08:30–09:30 is outside those hours"):
        book(prac, mae, world.practitioner, _at(tomorrow, 8, 30), 60)
    # right up to closing is within them
    moved = book(prac, mae, world.practitioner, _at(tomorrow, 12), 60)
    assert (moved.starts_at, moved.minutes) == (_at(tomorrow, 12), 60)
    _hours_with(world, tomorrow, None)
    with pytest.raises(RefusedError) as closed:
        book(prac, mae, world.practitioner, _at(tomorrow, 10), 60)
    assert closed.value.message == f"The clinic is closed on {day}s; choose another day"
    assert Appointment.objects.get(session=mae).starts_at == _at(tomorrow, 12)


def test_the_week_and_the_day_show_a_closed_day(world: World) -> None:
    after = world.today + dt.timedelta(days=2)
    _hours_with(world, after, None)
    client = world.login(world.practitioner)
    week = client.get(reverse("scheduling:week"), {"day": world.today.isoformat()}).content.decode()
    assert f'<p class="muted" id="hours-{after.isoformat()}">Closed</p>' in week
    assert f'<p class="muted" id="hours-{world.today.isoformat()}">Open 08:00–19:00</p>' in week
    day = client.get(reverse("scheduling:day"), {"day": after.isoformat()}).content.decode()
    assert f'<p id="day-hours">The clinic is closed on {calendar.day_name[after.weekday()]}s.</p>' in day


def test_only_the_owner_changes_the_hours(world: World) -> None:
    clients = [world.login(user) for user in (world.practitioner, world.assistant)]
    before = fingerprint()
    for client in clients:
        assert client.post(reverse("scheduling:hours"), _form(CAREFUL)).status_code == 403
    assert fingerprint() == before
