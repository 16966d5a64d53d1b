"""Writes of the schedule: rooms, opening hours, booking a session's time, freeing it, adding a session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.scheduling import GRID_MINUTES, check_added_session, check_appointment, grid_cells
from pinpoint.web.audit.actions import record_event
from pinpoint.web.audit.events import Event
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.scheduling.models import Appointment, Hold, OpeningHours, Room
from pinpoint.web.scheduling.selectors import Hours, hours_on, practitioners, zone_of
from pinpoint.web.treatments.actions import reschedule_session
from pinpoint.web.treatments.models import Course, Session
from pinpoint.web.treatments.selectors import booked

__all__ = ["SlotTakenError", "add_room", "add_session", "book", "free", "set_opening_hours"]


class SlotTakenError(RefusedError):
    """The practitioner or the room already has an appointment at that time (the API answers 409)."""


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


def _check_time(hours: Hours, field: str, value: dt.time | None) -> None:
    if value is None:
        raise InputError(field, f"{hours.name}: give the time, or mark the day closed")
    if value.second or value.microsecond or value.minute % GRID_MINUTES:
        shown = value.isoformat("minutes" if not (value.second or value.microsecond) else "auto")
        raise InputError(field, f"{hours.name}: times are on the booking grid of {GRID_MINUTES} minutes, got {shown}")


def _day_hours(weekday: int, day: tuple[dt.time | None, dt.time | None] | None) -> Hours:
    if day is None:
        return Hours(weekday, None, None)
    hours = Hours(weekday, *day)
    field = hours.name.lower()
    _check_time(hours, f"{field}_opens", hours.opens)
    _check_time(hours, f"{field}_closes", hours.closes)
    if hours.closes is not None and hours.opens is not None and hours.closes <= hours.opens:
        raise InputError(
            f"{field}_closes",
            f"{hours.name}: the clinic closes after it opens (opens {hours.opens:%H:%M}, closes {hours.closes:%H:%M})",
        )
    return hours


def set_opening_hours(actor: Actor, week: Sequence[tuple[dt.time | None, dt.time | None] | None]) -> list[Hours]:
    """Set the clinic's opening hours, Monday to Sunday: ``(opens, closes)`` per day, ``None`` for a closed day.

    Each time is on the booking grid and a day closes after it opens; refused with
    :class:`InputError` naming the day's field (``saturday_closes``).
    """
    actor.require(Perm.SETTINGS_MANAGE)
    if len(week) != 7:
        raise InputError("hours", f"give the hours of the 7 days of the week, got {len(week)}")
    days = [_day_hours(weekday, day) for weekday, day in enumerate(week)]
    with transaction.atomic():
        OpeningHours.objects.filter(organization=actor.organization).delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(organization=actor.organization, weekday=h.weekday, opens=h.opens, closes=h.closes)
            for h in days
        )
        record_event(
            actor,
            Event.ORGANIZATION_UPDATE,
            actor.organization,
            detail={"opening_hours": {h.name: h.words for h in days}},
        )
    return days


def _check_open(actor: Actor, starts_at: dt.datetime, minutes: int) -> None:
    local = timezone.localtime(starts_at, zone_of(actor))
    ends = local + dt.timedelta(minutes=minutes)
    hours = hours_on(actor, local.date())
    if hours.opens is None or hours.closes is None:
        raise RefusedError("start", f"{hours.sentence}; choose another day")
    opens = dt.datetime.combine(local.date(), hours.opens, tzinfo=local.tzinfo)
    closes = dt.datetime.combine(local.date(), hours.closes, tzinfo=local.tzinfo)
    if local < opens or ends > closes:
        raise RefusedError(
            "start", f"{hours.sentence}; {local:%H:%M}–{ends:%H:%M} is outside those hours, choose a time within them"
        )


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

    The appointment lies within the clinic's opening hours of that day (refused with a sentence
    saying them). A session booked for another day is moved there first (the interval rules decide). A time
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
    _check_open(actor, starts_at, minutes)
    local = timezone.localtime(starts_at, zone_of(actor))
    day = local.date()
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
            ends = local + dt.timedelta(minutes=minutes)
            raise SlotTakenError(
                "start", f"{who} already has an appointment between {local:%H:%M} and {ends:%H:%M}; choose a free time"
            ) from None
        record_event(
            actor,
            Event.APPOINTMENT_BOOK,
            appointment,
            client=s.client,
            detail={
                "session": s.number,
                "starts_at": local.isoformat(),
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
            detail={"starts_at": timezone.localtime(a.starts_at, zone_of(actor)).isoformat(), "minutes": a.minutes},
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
