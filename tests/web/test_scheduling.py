"""Appointments: the demo's day, booking into free slots, no double-booking, freeing on cancel, adding a session."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pinpoint.core.errors import RefusedError
from pinpoint.web.scheduling.actions import add_session, book
from pinpoint.web.scheduling.models import Appointment, Hold, Room
from pinpoint.web.treatments.actions import cancel_session
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World


def _at(day: dt.date, h: int, m: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(h, m)), dt.UTC)


def test_the_demo_day_shows_names_times_and_rooms(world: World) -> None:
    client = world.login(world.practitioner)
    body = client.get(reverse("scheduling:day"), {"day": world.today.isoformat()}).content.decode()
    ada = Appointment.objects.get(session=world.today_session)
    grace = Appointment.objects.get(session=world.grace_session)
    assert (ada.starts_at, ada.minutes, ada.room.name if ada.room else "") == (_at(world.today, 9), 180, "Room 1")
    assert (grace.starts_at, grace.minutes) == (_at(world.today, 12, 30), 60)
    assert "<strong>09:00–12:00</strong>" in body
    assert "Ada Lovelace</a>, session 2" in body
    assert "<strong>12:30–13:30</strong>" in body
    assert "Room 2" in body
    week = client.get(reverse("scheduling:week"), {"day": world.today.isoformat()}).content.decode()
    assert "Mae Jemison" in week  # the next 7 days from today


def test_a_taken_time_is_refused_for_the_practitioner_and_for_the_room(world: World) -> None:
    prac = world.actor(world.practitioner)
    with pytest.raises(RefusedError, match="Priya Patel already has an appointment between 10:00 and 11:00"):
        book(prac, world.grace_session, world.practitioner, _at(world.today, 10), 60)
    room1 = Room.objects.get(organization=world.clinic, name="Room 1")
    with pytest.raises(RefusedError, match="Room 1 already has an appointment between 11:00 and 12:00"):
        book(prac, world.grace_session, world.owner, _at(world.today, 11), 60, room1)
    # the refusals changed nothing: Grace keeps her 12:30
    assert Appointment.objects.get(session=world.grace_session).starts_at == _at(world.today, 12, 30)
    # right after Ada's appointment ends, with the owner in room 1: free
    moved = book(prac, world.grace_session, world.owner, _at(world.today, 12), 60, room1)
    assert Hold.objects.filter(appointment=moved).count() == 24  # 12 cells for the owner, 12 for room 1


def test_the_booking_page_offers_only_free_times_and_books_one(world: World) -> None:
    client = world.login(world.assistant)
    tomorrow = world.today + dt.timedelta(days=1)
    mae = Session.objects.get(client__full_name="Mae Jemison", number=1)
    taken = Appointment.objects.get(session=mae)
    assert taken.starts_at == _at(tomorrow, 9, 30)
    url = reverse("scheduling:book", args=[world.grace_session.pk])
    page = client.get(url, {"day": tomorrow.isoformat(), "practitioner": world.practitioner.pk, "minutes": 60})
    offered = re.findall(r'name="start" value="(\d\d:\d\d)"', page.content.decode())
    assert offered[:3] == ["08:00", "08:15", "08:30"]
    assert "08:45" not in offered  # would run into Mae's 09:30-10:30
    assert "10:15" not in offered
    assert offered[3] == "10:30"
    assert offered[-1] == "18:00"  # the day closes at 19:00
    # Mae moves to 18:00 for 45 minutes, no room
    own = reverse("scheduling:book", args=[mae.pk])
    data = {
        "day": tomorrow.isoformat(),
        "practitioner": world.practitioner.pk,
        "room": "",
        "minutes": 45,
        "start": "18:00",
    }
    response = client.post(own, data)
    assert response.status_code == 302
    a = Appointment.objects.get(session=mae)
    assert (a.starts_at, a.minutes, a.room) == (_at(tomorrow, 18), 45, None)
    # a start no longer free is refused beside the field
    grace = client.post(url, {**data, "start": "18:15"})
    assert grace.status_code == 200
    assert "Select a valid choice. 18:15 is not one of the available choices." in grace.content.decode()


def test_a_cancelled_session_frees_its_time(world: World) -> None:
    cancel_session(world.actor(world.assistant), world.grace_session, "client unwell")
    assert not Appointment.objects.filter(session=world.grace_session).exists()
    assert not Hold.objects.filter(appointment__session=world.grace_session).exists()


def test_a_session_is_added_within_the_plans_maximum_and_intervals(world: World) -> None:
    client = world.login(world.assistant)
    course = world.ada_course
    url = reverse("scheduling:add_session", args=[course.pk])
    last = Session.objects.filter(course=course).order_by("-number").first()
    assert last is not None
    page = client.get(url).content.decode()
    assert "3 sessions so far; this plan allows up to 6." in page
    too_soon = last.scheduled_on + dt.timedelta(days=27)
    body = client.post(url, {"date": too_soon.isoformat()}).content.decode()
    assert f"session 4 on {too_soon} is 27 days after session 3" in body
    ok = last.scheduled_on + dt.timedelta(days=28)
    response = client.post(url, {"date": ok.isoformat()})
    added = Session.objects.get(course=course, number=4)
    assert response["Location"] == reverse("scheduling:book", args=[added.pk])
    assert added.scheduled_on == ok
    for n in (5, 6):
        add_session(world.actor(world.assistant), course, ok + dt.timedelta(days=28 * (n - 4)))
    full = client.get(url).content.decode()
    assert "already has the most sessions this plan allows" in full
