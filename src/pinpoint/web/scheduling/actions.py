"""Writes of the schedule: rooms, booking a session's time, freeing it, adding a session to a course."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.scheduling import check_added_session, check_appointment, grid_cells
from pinpoint.web.audit.actions import record_event
from pinpoint.web.audit.events import Event
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.scheduling.models import Appointment, Hold, Room
from pinpoint.web.scheduling.selectors import practitioners
from pinpoint.web.treatments.actions import reschedule_session
from pinpoint.web.treatments.models import Course, Session
from pinpoint.web.treatments.selectors import booked

__all__ = ["add_room", "add_session", "book", "free"]


def add_room(actor: Actor, name: str) -> Room:
    """Add a room to the clinic (a name used once)."""
    actor.require(Perm.SETTINGS_MANAGE)
    name = " ".join(name.split())
    if not name:
        raise InputError("name", "a room needs a name")
    if Room.objects.filter(organization=actor.organization, name__iexact=name).exists():
        raise InputError("name", f"there is already a room called {name}")
    with transaction.atomic():
        room = Room.objects.create(organization=actor.organization, name=name)
        record_event(actor, Event.ROOM_ADD, room, detail={"name": name})
    return room


def _holds(appointment: Appointment) -> list[Hold]:
    cells = grid_cells(appointment.starts_at, appointment.minutes)
    resources = [f"user:{appointment.practitioner_id}"]
    if appointment.room_id is not None:
        resources.append(f"room:{appointment.room_id}")
    return [Hold(appointment=appointment, resource=r, cell=c) for r in resources for c in cells]


def book(
    actor: Actor, session: Session, practitioner: Any, starts_at: dt.datetime, minutes: int, room: Room | None = None
) -> Appointment:
    """Give ``session`` its time: ``starts_at`` (aware) for ``minutes`` minutes with ``practitioner`` in ``room``.

    A session booked for another day is moved there first (the interval rules decide). A time
    that overlaps another appointment of the practitioner or the room is refused, by the
    database's unique holds, even when two people book the same slot at the same moment. A
    session that already had a time gets the new one.
    """
    actor.require(Perm.SESSION_BOOK)
    check_appointment(starts_at, minutes)
    if practitioner is None or practitioner.pk not in {u.pk for u in practitioners(actor)}:
        raise InputError("practitioner", "choose a practitioner of this clinic")
    if room is not None and room.organization_id != actor.organization.pk:
        raise InputError("room", "choose a room of this clinic")
    day = timezone.localtime(starts_at).date()
    with transaction.atomic():
        s = (
            Session.objects.select_for_update()
            .select_related("course", "client")
            .get(pk=session.pk, organization=actor.organization)
        )
        if s.status != SessionStatus.BOOKED:
            raise RefusedError(
                "start", f"only a booked session gets a time; this one is {s.get_status_display().lower()}"
            )
        if s.scheduled_on != day:
            s = reschedule_session(actor, s, day)
        Appointment.objects.filter(session=s).delete()
        appointment = Appointment(
            organization=actor.organization,
            session=s,
            practitioner=practitioner,
            room=room,
            starts_at=starts_at,
            minutes=minutes,
            created_by=actor.user,
        )
        try:
            with transaction.atomic():
                appointment.save()
                Hold.objects.bulk_create(_holds(appointment))
        except IntegrityError:
            who = room.name if room is not None and _room_taken(appointment) else practitioner.display_name
            raise RefusedError(
                "start",
                f"{who} already has an appointment between {starts_at:%H:%M} and "
                f"{appointment.ends_at:%H:%M}; choose a free time",
            ) from None
        record_event(
            actor,
            Event.APPOINTMENT_BOOK,
            appointment,
            client=s.client,
            detail={
                "session": s.number,
                "starts_at": timezone.localtime(starts_at).isoformat(),
                "minutes": minutes,
                "practitioner": practitioner.display_name,
                "room": room.name if room is not None else "",
            },
        )
        return appointment


def _room_taken(appointment: Appointment) -> bool:
    cells = grid_cells(appointment.starts_at, appointment.minutes)
    return Hold.objects.filter(resource=f"room:{appointment.room_id}", cell__in=cells).exists()


def free(actor: Actor, appointment: Appointment) -> None:
    """Remove an appointment's time (the session stays booked for its day, without a time)."""
    actor.require(Perm.SESSION_BOOK)
    with transaction.atomic():
        a = Appointment.objects.select_related("session__client").get(
            pk=appointment.pk, organization=actor.organization
        )
        record_event(
            actor,
            Event.APPOINTMENT_FREE,
            a.session,
            client=a.session.client,
            detail={"starts_at": timezone.localtime(a.starts_at).isoformat(), "minutes": a.minutes},
        )
        a.delete()


def add_session(actor: Actor, course: Course, on: dt.date) -> Session:
    """Add a session to ``course`` on ``on``: up to the plan's maximum, never closer than the interval rules allow."""
    actor.require(Perm.SESSION_BOOK)
    with transaction.atomic():
        c = Course.objects.select_for_update().get(pk=course.pk, organization=actor.organization)
        evidence = evidence_for(actor.organization)
        number = check_added_session(evidence, c.plan_obj(), booked(c), on, actor.today())
        taken = Session.objects.filter(organization=actor.organization, course=c).values_list("number", flat=True)
        number = max(number, max(taken, default=0) + 1)  # cancelled sessions keep their numbers
        s = Session.objects.create(
            organization=actor.organization, course=c, client_id=c.client_id, number=number, scheduled_on=on
        )
        record_event(actor, Event.COURSE_BOOK, c, client=c.client, detail={"sessions": [(number, on.isoformat())]})
        return s
