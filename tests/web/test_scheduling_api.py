"""The clinic's day through the API: appointments, rooms, reminders and recalls due; their own matrix."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from pinpoint.web.scheduling.actions import set_opening_hours
from pinpoint.web.scheduling.models import Appointment, Hold, Room
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World, fingerprint
from tests.web.test_api import VIEW_LOG, call, token

pytestmark = pytest.mark.django_db


def _mae() -> Session:
    return Session.objects.select_related("appointment").get(client__full_name="Mae Jemison", number=1)


def _iso(day: dt.date, h: int, m: int = 0) -> str:
    return dt.datetime.combine(day, dt.time(h, m), tzinfo=dt.UTC).isoformat()


def operations(w: World) -> list[tuple[str, str, Any, bool]]:
    """The schedule's operations on a clinic object: (method, path, body, writes)."""
    ada = Appointment.objects.get(session=w.today_session).pk
    booking = {
        "session_id": w.grace_session.pk,
        "start": _iso(w.today, 15),
        "minutes": 60,
        "practitioner": w.practitioner.pk,
    }
    return [
        ("get", "/api/appointments", None, False),
        ("get", f"/api/appointments/{ada}", None, False),
        ("post", "/api/appointments", booking, True),
        ("delete", f"/api/appointments/{_mae().appointment.pk}", None, True),
        ("get", "/api/rooms", None, False),
        ("post", "/api/rooms", {"name": "Room 3"}, True),
        ("get", "/api/reminders", None, False),
    ]


OWN_COLLECTIONS = ("/api/appointments", "/api/rooms", "/api/reminders")
"""The organization's own lists: another organization's token gets its own (empty) list, not a 404."""


def test_no_token_answers_401_and_changes_nothing(world: World) -> None:
    before = fingerprint()
    for method, path, body, _ in operations(world):
        r = call(method, path, None, body)
        assert (r.status_code, r.json()["field"]) == (401, "authorization"), path
    assert fingerprint() == before


def test_another_organizations_token_answers_404_and_changes_nothing(world: World) -> None:
    text = token(world, world.home_user)
    before = fingerprint()
    for method, path, body, _ in operations(world):
        if (method, path) == ("post", "/api/rooms"):
            continue  # adding a room to one's own organization: not another's object
        r = call(method, path, text, body)
        if path == "/api/reminders":  # the home user's own reminders only
            assert r.status_code == 200
            assert {d["to_email"] for d in r.json()["items"]} <= {world.home_user.email}
        elif path in OWN_COLLECTIONS and method == "get":
            assert (r.status_code, r.json()["items"]) == (200, []), path
        else:
            assert (r.status_code, r.json()["detail"]) == (404, "not found"), (method, path, r.content)
    assert fingerprint() == before


def test_a_read_token_cannot_write(world: World) -> None:
    text = token(world, world.practitioner, scope="read")
    before = fingerprint()
    for method, path, body, writes in operations(world):
        r = call(method, path, text, body)
        if writes:
            assert (r.status_code, r.json()["field"]) == (403, "scope"), path
        else:
            assert r.status_code == 200, (path, r.content)
    after = fingerprint()
    assert {k: v for k, v in after.items() if k not in VIEW_LOG} == {
        k: v for k, v in before.items() if k not in VIEW_LOG
    }


def test_an_assistant_books_but_adds_no_room(world: World) -> None:
    text = token(world, world.assistant)
    rooms_before = list(Room.objects.values_list("name", flat=True))
    for method, path, body, _ in operations(world):
        r = call(method, path, text, body)
        if path == "/api/rooms" and method == "post":
            assert (r.status_code, r.json()["field"]) == (403, "authorization")
        else:
            assert r.status_code in (200, 201, 204), (method, path, r.content)
    assert list(Room.objects.values_list("name", flat=True)) == rooms_before


def test_the_day_is_listed_by_practitioner_and_dates(world: World) -> None:
    text = token(world, world.assistant)
    today, tomorrow = world.today.isoformat(), (world.today + dt.timedelta(days=1)).isoformat()
    items = call("get", f"/api/appointments?from={today}&to={today}", text).json()["items"]
    assert [(a["client"], a["start"], a["end"], a["minutes"], a["room"], a["practitioner"]) for a in items] == [
        ("Ada Lovelace", f"{today}T09:00:00Z", f"{today}T12:00:00Z", 180, "Room 1", "Priya Patel"),
        ("Grace Hopper", f"{today}T12:30:00Z", f"{today}T13:30:00Z", 60, "Room 2", "Priya Patel"),
    ]
    assert (items[0]["treatment"], items[0]["session_number"], items[0]["session_status"]) == (
        "Atrophic acne scars",
        2,
        "booked",
    )
    later = call("get", f"/api/appointments?from={tomorrow}", text).json()["items"]
    assert [a["client"] for a in later] == ["Mae Jemison"]
    mine = call("get", f"/api/appointments?practitioner={world.owner.pk}", text).json()["items"]
    assert mine == []
    one = call("get", "/api/appointments?limit=1", text).json()
    rest = call("get", f"/api/appointments?limit=5&cursor={one['next_cursor']}", text).json()
    assert [a["client"] for a in one["items"] + rest["items"]] == ["Ada Lovelace", "Grace Hopper", "Mae Jemison"]
    r = call("get", f"/api/appointments?from={tomorrow}&to={today}", text)
    assert (r.status_code, r.json()["field"]) == (400, "to")


def test_a_taken_slot_answers_409_naming_who_holds_it(world: World) -> None:
    text = token(world, world.assistant)
    body = {
        "session_id": world.grace_session.pk,
        "start": _iso(world.today, 10),
        "minutes": 60,
        "practitioner": world.practitioner.pk,
    }
    before = fingerprint()
    r = call("post", "/api/appointments", text, body)
    assert r.status_code == 409
    assert r.json() == {
        "field": "start",
        "detail": "Priya Patel already has an appointment between 10:00 and 11:00; choose a free time",
        "errors": None,
    }
    assert fingerprint() == before
    room1 = Room.objects.get(organization=world.clinic, name="Room 1")
    r = call("post", "/api/appointments", text, body | {"practitioner": world.owner.pk, "room": room1.pk})
    assert (r.status_code, r.json()["detail"]) == (
        409,
        "Room 1 already has an appointment between 10:00 and 11:00; choose a free time",
    )


def test_a_session_is_booked_and_freed_through_the_actions(world: World) -> None:
    text = token(world, world.assistant)
    day = world.today  # Grace's day: a later one would be too close to her next session
    room2 = Room.objects.get(organization=world.clinic, name="Room 2")
    body = {
        "session_id": world.grace_session.pk,
        "start": f"{day.isoformat()}T15:00:00",  # no offset: the clinic's time
        "minutes": 45,
        "practitioner": world.owner.pk,
        "room": room2.pk,
    }
    r = call("post", "/api/appointments", text, body)
    assert r.status_code == 201, r.content
    made = r.json()
    assert (made["client"], made["start"], made["end"], made["practitioner"], made["room"]) == (
        "Grace Hopper",
        f"{day.isoformat()}T15:00:00Z",
        f"{day.isoformat()}T15:45:00Z",
        "Olivia Owen",
        "Room 2",
    )
    grace = Session.objects.get(pk=world.grace_session.pk)
    assert Hold.objects.filter(appointment_id=made["id"]).count() == 18  # 9 cells for the owner, 9 for room 2
    assert call("get", f"/api/appointments/{made['id']}", text).json() == made
    gone = call("delete", f"/api/appointments/{made['id']}", text)
    assert (gone.status_code, gone.content) == (204, b"")
    assert call("get", f"/api/appointments/{made['id']}", text).status_code == 404
    grace.refresh_from_db()
    assert (grace.status, grace.scheduled_on) == ("booked", day)
    assert not Hold.objects.filter(appointment_id=made["id"]).exists()


def test_booking_errors_name_the_field(world: World) -> None:
    text = token(world, world.assistant)
    tomorrow = world.today + dt.timedelta(days=1)
    good = {"session_id": world.grace_session.pk, "start": _iso(tomorrow, 15), "minutes": 60, "practitioner": 0}
    before = fingerprint()
    cases = [
        (good | {"practitioner": world.practitioner.pk, "minutes": 7}, 400, "minutes"),
        (good | {"practitioner": world.practitioner.pk, "start": _iso(tomorrow, 15, 3)}, 400, "start"),
        (good | {"practitioner": world.home_user.pk}, 400, "practitioner"),
        (good | {"practitioner": world.practitioner.pk, "room": 999_999}, 400, "room"),
        (good | {"practitioner": world.practitioner.pk, "session_id": world.home_session.pk}, 404, "session_id"),
        (good | {"practitioner": world.practitioner.pk, "session_id": world.signed.pk}, 422, "start"),
        ({k: v for k, v in good.items() if k != "start"}, 422, "start"),
    ]
    for body, status, field in cases:
        r = call("post", "/api/appointments", text, body)
        assert (r.status_code, r.json()["field"]) == (status, field), (body, r.content)
    assert fingerprint() == before


def test_a_booking_outside_the_opening_hours_answers_422_with_the_hours(world: World) -> None:
    tomorrow = world.today + dt.timedelta(days=1)
    week: list[tuple[dt.time, dt.time] | None] = [(dt.time(8), dt.time(19))] * 7
    week[tomorrow.weekday()] = (dt.time(9), dt.time(13))
    set_opening_hours(world.actor(world.owner), week)
    text = token(world, world.assistant)
    body = {"session_id": _mae().pk, "start": _iso(tomorrow, 12, 30), "minutes": 60, "practitioner": world.owner.pk}
    r = call("post", "/api/appointments", text, body)
    day = calendar.day_name[tomorrow.weekday()]
    assert (r.status_code, r.json()["field"], r.json()["detail"]) == (
        422,
        "start",
        f"On {day}s the clinic is open from 09:00 to 13:00; 12:30–13:30 is outside those hours, "
        "choose a time within them",
    )
    assert Appointment.objects.get(session=_mae()).starts_at == timezone.make_aware(
        dt.datetime.combine(tomorrow, dt.time(9, 30)), dt.UTC
    )


def test_rooms_are_listed_and_added_once(world: World) -> None:
    text = token(world, world.owner)
    assert [r["name"] for r in call("get", "/api/rooms", text).json()["items"]] == ["Room 1", "Room 2"]
    r = call("post", "/api/rooms", text, {"name": "  Laser   room "})
    assert (r.status_code, r.json()["name"]) == (201, "Laser room")
    again = call("post", "/api/rooms", text, {"name": "laser room"})
    assert (again.status_code, again.json()["field"], again.json()["detail"]) == (
        400,
        "name",
        "there is already a room called laser room",
    )
    names = [r["name"] for r in call("get", "/api/rooms", text).json()["items"]]
    assert names == ["Room 1", "Room 2", "Laser room"]


def test_reminders_due_are_the_worklists(world: World) -> None:
    text = token(world, world.assistant)
    tomorrow = world.today + dt.timedelta(days=1)
    items = call("get", "/api/reminders", text).json()["items"]
    got = [(d["kind"], d["to_name"], d["to_email"], d["due_on"]) for d in items]
    due_today = [
        ("appointment", "Mae Jemison", "mae@example.org", world.today.isoformat()),
        ("recall", "Dorothy Hodgkin", "dorothy@example.org", world.today.isoformat()),
    ]
    # a reminder due yesterday and not sent is still due while its appointment is ahead: Ada's, today at
    # 09:00, before then (a run of the suite between midnight and nine)
    (ada,) = Appointment.objects.filter(session__client__full_name="Ada Lovelace", session=world.today_session)
    missed = [("appointment", "Ada Lovelace", "ada@example.org", (world.today - dt.timedelta(days=1)).isoformat())]
    assert got == (missed if ada.starts_at > timezone.now() else []) + due_today
    mae = next(d for d in items if d["to_name"] == "Mae Jemison")
    assert mae["starts_at"] == _iso(tomorrow, 9, 30).replace("+00:00", "Z")
    assert {d["sent_at"] for d in items} == {None}
    page = world.login(world.assistant).get("/reminders/").content.decode()
    for d in items:
        assert d["subject"] in page
    assert call("get", f"/api/reminders?on={(world.today + dt.timedelta(days=400)).isoformat()}", text).json() == {
        "items": [],
        "next_cursor": None,
    }
