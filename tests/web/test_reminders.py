"""Reminders: what the demo has due today, each sent once (locmem and a real SMTP server), the .ics read
back with icalendar (times and zones exact), the private calendar address and its revocation."""

from __future__ import annotations

import datetime as dt
import email
import socket
import zoneinfo
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from pinpoint.core.reminders import Reminder, ReminderKind
from pinpoint.web.reminders.actions import run
from pinpoint.web.reminders.ics import to_ics
from pinpoint.web.reminders.models import Sending
from pinpoint.web.reminders.selectors import user_calendar
from pinpoint.web.scheduling.actions import book
from pinpoint.web.treatments.models import Session
from tests.web.conftest import World

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _expected(world: World) -> set[str]:
    """The demo's reminders due today: Mae's appointment tomorrow, Hana's home session, Dorothy's recall."""
    mae = Session.objects.get(client__full_name="Mae Jemison", number=1)
    dorothy = Session.objects.get(client__full_name="Dorothy Hodgkin", number=1)
    keys = {
        f"appointment:{mae.appointment.pk}",
        f"home_session:{world.home_session.pk}",
        f"recall:course:{dorothy.course_id}",
    }
    ada = world.today_session.appointment
    if ada.starts_at > timezone.now():  # Ada's 09:00 today is reminded until it starts
        keys.add(f"appointment:{ada.pk}")
    return keys


def _calendar_part(message: Message) -> Calendar:
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    payload = parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def test_dry_run_lists_and_claims_nothing(world: World) -> None:
    rows = run(world.today, dry_run=True)
    assert {r["key"] for r in rows} == _expected(world)
    assert {r["status"] for r in rows} == {"would send"}
    recall = next(r for r in rows if r["kind"] == "recall")
    assert recall["to"] == "dorothy@example.org"
    assert recall["subject"] == "Time for a review after your treatment for atrophic acne scars"
    assert not Sending.objects.exists()
    assert mail.outbox == []


def test_each_reminder_is_sent_once_with_its_ics(world: World) -> None:
    first = run(world.today)
    assert {r["key"] for r in first if r["status"] == "sent"} == _expected(world)
    assert len(mail.outbox) == len(_expected(world))
    again = run(world.today)
    assert {r["status"] for r in again} == {"already"}
    assert len(mail.outbox) == len(_expected(world))
    mae = next(m for m in mail.outbox if m.to == ["mae@example.org"])
    tomorrow = world.today + dt.timedelta(days=1)
    assert mae.subject == f"Your appointment on {tomorrow:%A} {tomorrow.day} {tomorrow:%B %Y} at 09:30"
    (name, content, mimetype) = mae.attachments[0]
    assert name == "reminder.ics"
    assert mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).events[0]
    assert event.decoded("dtstart") == dt.datetime.combine(tomorrow, dt.time(9, 30), tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(minutes=60)
    rows = Sending.objects.filter(key__startswith="appointment:")
    assert all(r.sent_at is not None and r.error == "" for r in rows)


def test_times_keep_their_zone_across_a_clock_change() -> None:
    summer = dt.datetime(2027, 7, 1, 10, 0, tzinfo=LONDON)
    winter = dt.datetime(2027, 12, 1, 10, 0, tzinfo=LONDON)
    items = [
        Reminder(
            key=f"appointment:{i}",
            kind=ReminderKind.APPOINTMENT,
            due_on=t.date(),
            last_on=t.date(),
            subject="Visit",
            body="Visit",
            event_on=t.date(),
            starts_at=t,
            minutes=45,
        )
        for i, t in enumerate((summer, winter))
    ]
    text = to_ics(items, LONDON, "Test").decode()
    assert "DTSTART;TZID=Europe/London:20270701T100000" in text
    assert "DTSTART;TZID=Europe/London:20271201T100000" in text
    cal = Calendar.from_ical(text)
    assert [tz.tz_name for tz in cal.timezones] == ["Europe/London"]
    starts = [e.decoded("dtstart") for e in cal.events]
    assert [s.astimezone(dt.UTC).hour for s in starts] == [9, 10]  # BST, then GMT
    assert [str(e["uid"]) for e in cal.events] == ["appointment:0@pinpoint", "appointment:1@pinpoint"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class _Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[_Sink]:
    """A real SMTP server on 127.0.0.1 that keeps what it receives; Django sends to it."""
    sink = _Sink()
    port = _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    try:
        yield sink
    finally:
        controller.stop()


def test_reminders_go_through_a_real_smtp_server(world: World, smtp_server: _Sink) -> None:
    rows = run(world.today)
    assert {r["status"] for r in rows} == {"sent"}
    assert sorted(to[0] for to, _ in smtp_server.messages) == sorted(r["to"] for r in rows)
    raw = next(content for to, content in smtp_server.messages if to == ["dorothy@example.org"])
    message = email.message_from_bytes(raw)
    assert message["Subject"] == "Time for a review after your treatment for atrophic acne scars"
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert isinstance(body, bytes)
    assert b"Hello Dorothy Hodgkin," in body
    event = _calendar_part(message).events[0]
    assert event.decoded("dtstart") == world.today  # an all-day event on the day the recall falls due
    assert str(event["uid"]) == next(f"{r['key']}@pinpoint" for r in rows if r["kind"] == "recall")
    assert run(world.today) and len(smtp_server.messages) == len(rows)  # a second run sends nothing


def test_a_private_calendar_address_serves_ics_until_revoked(world: World) -> None:
    client = world.login(world.practitioner)
    page = client.post(reverse("reminders:calendar"), {"action": "create"}).content.decode()
    start = page.index("http://testserver/reminders/feed/")
    url = page[start : page.index(".ics", start) + 4]
    anonymous = world.login(None)
    feed = anonymous.get(url.removeprefix("http://testserver"))
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(feed.content)
    summaries = sorted(str(e["summary"]) for e in cal.events)
    assert summaries == [
        "Ada Lovelace: atrophic acne scars, session 2",
        "Grace Hopper: atrophic acne scars, session 1",
        "Mae Jemison: atrophic acne scars, session 1",
    ]
    client.post(reverse("reminders:calendar"), {"action": "revoke"})
    assert anonymous.get(url.removeprefix("http://testserver")).status_code == 404
    assert anonymous.get(reverse("reminders:feed", args=["not-a-token"])).status_code == 404


def test_a_booked_time_in_another_zone_is_exact_in_the_feed(world: World) -> None:
    world.clinic.time_zone = "Europe/London"
    world.clinic.save(update_fields=["time_zone"])
    mae = Session.objects.get(client__full_name="Mae Jemison", number=1)
    prac = world.actor(world.practitioner)
    day = mae.scheduled_on
    book(prac, mae, world.practitioner, dt.datetime.combine(day, dt.time(14, 15), tzinfo=LONDON), 50)
    events, zone = user_calendar(world.practitioner, day, day)
    assert zone.key == "Europe/London"
    cal = Calendar.from_ical(to_ics(events, zone, "x"))
    (event,) = cal.events
    assert event.decoded("dtstart") == dt.datetime.combine(day, dt.time(14, 15), tzinfo=LONDON)
    assert "TZID=Europe/London" in event.to_ical().decode()
