"""Reminders as RFC 5545 calendars (icalendar): timed events carry their zone's VTIMEZONE."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from pinpoint.core.reminders import Reminder

__all__ = ["PRODID", "to_ics"]

PRODID = "-//Pinpoint//Reminders//EN"


def to_ics(items: Iterable[Reminder], zone: zoneinfo.ZoneInfo, name: str, *, method: str | None = None) -> bytes:
    """A VCALENDAR of ``items``: timed events in ``zone`` (with its VTIMEZONE), others all-day."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(zone.key))
    if method:
        cal.add("method", method)
    stamp = timezone.now().astimezone(dt.UTC).replace(microsecond=0)
    for r in items:
        ev = Event()
        ev.add("uid", f"{r.key}@pinpoint")
        ev.add("dtstamp", stamp)
        ev.add("summary", r.subject)
        ev.add("description", r.body)
        if r.starts_at is not None and r.minutes is not None:
            start = r.starts_at.astimezone(zone)
            ev.add("dtstart", start)
            ev.add("dtend", start + dt.timedelta(minutes=r.minutes))
        else:
            ev.add("dtstart", r.event_on)
            ev.add("dtend", r.event_on + dt.timedelta(days=1))
            ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
