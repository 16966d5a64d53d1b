"""Reads of the schedule: rooms, opening hours, practitioners, a practitioner's day and week, free slots.

Times are read in the organization's own time zone (:func:`zone_of`), for the pages and the API alike.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from pinpoint.core.guide import guide_for_plan
from pinpoint.core.planning import get_indication
from pinpoint.core.scheduling import appointment_minutes, free_slots
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import ROLE_PERMISSIONS, Perm
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.scheduling.models import Appointment, OpeningHours, Room
from pinpoint.web.treatments.models import Session

__all__ = [
    "DEFAULT_CLOSES",
    "DEFAULT_OPENS",
    "Day",
    "Hours",
    "appointments",
    "day_of",
    "default_minutes",
    "get_appointment",
    "hours_on",
    "open_slots",
    "opening_hours",
    "practitioners",
    "rooms",
    "treatment_name",
    "zone_of",
]

DEFAULT_OPENS = dt.time(8, 0)
"""The first bookable time of every day of a clinic that has not set its hours (a calendar setting)."""
DEFAULT_CLOSES = dt.time(19, 0)
"""When the last appointment of such a day must have ended."""

_ACTIVE = (SessionStatus.BOOKED, SessionStatus.IN_PROGRESS, SessionStatus.SIGNED)


@dataclass(frozen=True)
class Hours:
    """The bookable hours of one weekday (0 Monday to 6 Sunday); ``opens`` ``None``: closed that day."""

    weekday: int
    opens: dt.time | None
    closes: dt.time | None

    @property
    def name(self) -> str:
        """The weekday's name ("Monday")."""
        return calendar.day_name[self.weekday]

    @property
    def is_closed(self) -> bool:
        """True when the clinic takes no appointment that day."""
        return self.opens is None or self.closes is None

    @property
    def words(self) -> str:
        """ "09:00–13:00", or "closed"."""
        if self.opens is None or self.closes is None:
            return "closed"
        return f"{self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def sentence(self) -> str:
        """The hours in a sentence: "On Saturdays the clinic is open from 09:00 to 13:00"."""
        if self.opens is None or self.closes is None:
            return f"The clinic is closed on {self.name}s"
        return f"On {self.name}s the clinic is open from {self.opens:%H:%M} to {self.closes:%H:%M}"


def zone_of(actor: Actor) -> zoneinfo.ZoneInfo:
    """The organization's time zone (UTC when unknown): days, opening hours and times are read in it."""
    try:
        return zoneinfo.ZoneInfo(actor.organization.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def opening_hours(actor: Actor) -> list[Hours]:
    """The clinic's hours, Monday to Sunday (:data:`DEFAULT_OPENS` to :data:`DEFAULT_CLOSES` until it sets them)."""
    rows = {h.weekday: h for h in OpeningHours.objects.filter(organization=actor.organization)}
    out = []
    for weekday in range(7):
        row = rows.get(weekday)
        if row is None:
            out.append(Hours(weekday, None, None) if rows else Hours(weekday, DEFAULT_OPENS, DEFAULT_CLOSES))
        else:
            out.append(Hours(weekday, row.opens, row.closes))
    return out


def hours_on(actor: Actor, day: dt.date) -> Hours:
    """The clinic's hours on ``day``."""
    return opening_hours(actor)[day.weekday()]


def rooms(actor: Actor) -> QuerySet[Room]:
    """The organization's rooms by name."""
    return Room.objects.filter(organization=actor.organization)


def practitioners(actor: Actor) -> list[Any]:
    """Members of the organization who may run sessions (owners and practitioners), by name."""
    membership = apps.get_model("accounts", "Membership")
    roles = [r for r, perms in ROLE_PERMISSIONS.items() if Perm.SESSION_RUN in perms]
    rows = membership.objects.filter(organization=actor.organization, role__in=roles).select_related("user")
    return sorted((m.user for m in rows), key=lambda u: (u.display_name.lower(), u.pk))


def get_appointment(actor: Actor, pk: int) -> Appointment:
    """The appointment ``pk`` of the actor's organization, else 404."""
    return get_object_or_404(
        Appointment.objects.select_related("session", "session__client", "practitioner", "room"),
        organization=actor.organization,
        pk=pk,
    )


def treatment_name(actor: Actor, indication: str) -> str:
    """The indication's name in words (its id if the evidence no longer has it)."""
    try:
        return get_indication(evidence_for(actor.organization), indication).name
    except ValueError:
        return indication.replace("_", " ")


def default_minutes(actor: Actor, session: Session) -> int:
    """Minutes to book for ``session``: the guide's step durations summed (core), on the booking grid."""
    evidence = evidence_for(actor.organization)
    try:
        guide = guide_for_plan(evidence, session.course.plan_obj())
    except ValueError:
        return 60
    return appointment_minutes(guide.steps)


def _bounds(actor: Actor, day: dt.date, hours: Hours) -> tuple[dt.datetime, dt.datetime] | None:
    if hours.opens is None or hours.closes is None:
        return None
    zone = zone_of(actor)
    return dt.datetime.combine(day, hours.opens, tzinfo=zone), dt.datetime.combine(day, hours.closes, tzinfo=zone)


def _appointments(actor: Actor, first: dt.date, days: int) -> QuerySet[Appointment]:
    zone = zone_of(actor)
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(first + dt.timedelta(days=days), dt.time.min, tzinfo=zone)
    return (
        Appointment.objects.filter(
            organization=actor.organization, starts_at__gte=start, starts_at__lt=end, session__status__in=_ACTIVE
        )
        .select_related("session", "session__client", "session__course", "practitioner", "room")
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class Day:
    """One practitioner's day: its opening hours, appointments in order, and the day's sessions without a time."""

    day: dt.date
    hours: Hours
    appointments: list[Appointment]
    untimed: list[Session]


def day_of(actor: Actor, practitioner: Any, first: dt.date, days: int = 1) -> list[Day]:
    """``days`` consecutive days from ``first`` of ``practitioner`` (all of them when ``None``)."""
    appts = _appointments(actor, first, days)
    if practitioner is not None:
        appts = appts.filter(practitioner=practitioner)
    last = first + dt.timedelta(days=days - 1)
    untimed = (
        Session.objects.filter(
            organization=actor.organization,
            scheduled_on__gte=first,
            scheduled_on__lte=last,
            status=SessionStatus.BOOKED,
            appointment__isnull=True,
        )
        .select_related("client", "course")
        .order_by("scheduled_on", "client__full_name")
    )
    out = []
    zone, week = zone_of(actor), opening_hours(actor)
    by_day: dict[dt.date, list[Appointment]] = {}
    for a in appts:
        by_day.setdefault(timezone.localtime(a.starts_at, zone).date(), []).append(a)
    loose: dict[dt.date, list[Session]] = {}
    for s in untimed:
        loose.setdefault(s.scheduled_on, []).append(s)
    for i in range(days):
        d = first + dt.timedelta(days=i)
        out.append(Day(day=d, hours=week[d.weekday()], appointments=by_day.get(d, []), untimed=loose.get(d, [])))
    return out


def open_slots(
    actor: Actor, day: dt.date, minutes: int, practitioner: Any, room: Room | None, *, skip: int | None = None
) -> tuple[dt.datetime, ...]:
    """Starts of free ``minutes``-long slots on ``day`` for ``practitioner`` (and ``room``), every 15 minutes.

    Only within the clinic's opening hours of that day (none on a closed day). ``skip`` is an
    appointment being moved: its own time counts as free.
    """
    bounds = _bounds(actor, day, hours_on(actor, day))
    if bounds is None:
        return ()
    opens, closes = bounds
    appts = _appointments(actor, day, 1)
    if skip is not None:
        appts = appts.exclude(pk=skip)
    busy = [
        (a.starts_at, a.ends_at)
        for a in appts
        if a.practitioner_id == getattr(practitioner, "pk", None) or (room is not None and a.room_id == room.pk)
    ]
    # another clinic's appointments of the same practitioner also take their time
    others = Appointment.objects.filter(
        practitioner=practitioner, starts_at__lt=closes, starts_at__gte=opens - dt.timedelta(hours=8)
    ).exclude(organization=actor.organization)
    busy += [(a.starts_at, a.ends_at) for a in others]
    now = timezone.now()
    return free_slots(opens, closes, minutes, busy, not_before=now if day == actor.today() else None)


def appointments(
    actor: Actor, practitioner: int | None = None, first: dt.date | None = None, last: dt.date | None = None
) -> QuerySet[Appointment]:
    """The organization's appointments, of one practitioner (a user id) and from ``first`` to ``last`` when given.

    Days are the clinic's (its time zone); every appointment is listed, whatever its session's status.
    """
    zone = zone_of(actor)
    rows = Appointment.objects.filter(organization=actor.organization).select_related(
        "session", "session__client", "session__course", "practitioner", "room"
    )
    if practitioner is not None:
        rows = rows.filter(practitioner_id=practitioner)
    if first is not None:
        rows = rows.filter(starts_at__gte=dt.datetime.combine(first, dt.time.min, tzinfo=zone))
    if last is not None:
        rows = rows.filter(starts_at__lt=dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    return rows
