"""Reads of the schedule: rooms, practitioners, a practitioner's day and week, free slots."""

from __future__ import annotations

import datetime as dt
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
from pinpoint.web.scheduling.models import Appointment, Room
from pinpoint.web.treatments.models import Session

__all__ = [
    "DAY_CLOSES",
    "DAY_OPENS",
    "Day",
    "day_of",
    "default_minutes",
    "get_appointment",
    "open_slots",
    "practitioners",
    "rooms",
    "treatment_name",
]

DAY_OPENS = dt.time(8, 0)
"""The first bookable time of a day in the clinic's zone (a calendar setting, not a clinical rule)."""
DAY_CLOSES = dt.time(19, 0)
"""When the last appointment of a day must have ended."""

_ACTIVE = (SessionStatus.BOOKED, SessionStatus.IN_PROGRESS, SessionStatus.SIGNED)


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


def _bounds(actor: Actor, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    opens = timezone.make_aware(dt.datetime.combine(day, DAY_OPENS), zone)
    closes = timezone.make_aware(dt.datetime.combine(day, DAY_CLOSES), zone)
    return opens, closes


def _appointments(actor: Actor, first: dt.date, days: int) -> QuerySet[Appointment]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min), timezone.get_current_timezone())
    end = start + dt.timedelta(days=days)
    return (
        Appointment.objects.filter(
            organization=actor.organization, starts_at__gte=start, starts_at__lt=end, session__status__in=_ACTIVE
        )
        .select_related("session", "session__client", "session__course", "practitioner", "room")
        .order_by("starts_at", "pk")
    )


@dataclass(frozen=True)
class Day:
    """One practitioner's day: appointments in order, and the day's sessions that have no time yet."""

    day: dt.date
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
    by_day: dict[dt.date, list[Appointment]] = {}
    for a in appts:
        by_day.setdefault(timezone.localtime(a.starts_at).date(), []).append(a)
    loose: dict[dt.date, list[Session]] = {}
    for s in untimed:
        loose.setdefault(s.scheduled_on, []).append(s)
    for i in range(days):
        d = first + dt.timedelta(days=i)
        out.append(Day(day=d, appointments=by_day.get(d, []), untimed=loose.get(d, [])))
    return out


def open_slots(
    actor: Actor, day: dt.date, minutes: int, practitioner: Any, room: Room | None, *, skip: int | None = None
) -> tuple[dt.datetime, ...]:
    """Starts of free ``minutes``-long slots on ``day`` for ``practitioner`` (and ``room``), every 15 minutes.

    ``skip`` is an appointment being moved: its own time counts as free.
    """
    opens, closes = _bounds(actor, day)
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
