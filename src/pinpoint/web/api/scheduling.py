"""The clinic's day through the API: appointments, rooms, and the reminders and recalls due on a date.

Every read goes through the scheduling and reminders apps' tenant-scoped selectors and every write
through scheduling's actions (:mod:`pinpoint.web.scheduling.actions`), so the API checks what the
pages check: the role, the organization, the clinic's opening hours, and no double-booking (the
database's unique holds; a taken slot answers 409 naming who holds it). Times are answered in the
clinic's time zone. Sending reminders stays the ``pinpoint reminders`` command.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import StringConstraints

from pinpoint.core.errors import InputError
from pinpoint.core.reminders import ReminderKind
from pinpoint.web.api.auth import actor, writer
from pinpoint.web.api.errors import READ, WRITE
from pinpoint.web.api.pagination import DEFAULT_LIMIT, CursorQ, LimitQ, Page, PkPath, page, page_of_ids
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.reminders.models import Sending
from pinpoint.web.reminders.selectors import Due, due_for
from pinpoint.web.scheduling import actions, selectors
from pinpoint.web.scheduling.models import Appointment, Room
from pinpoint.web.treatments.models import Session

__all__ = ["router"]

router = Router(tags=["schedule"])

LIST_READ = {**READ, 400: READ[404]}  # 400: a cursor this list did not return, a date out of range
Key = Annotated[int, Field(ge=1, le=2**31 - 1)]
DateQ = Annotated[dt.date | None, Query(description="A day in the clinic's time zone (YYYY-MM-DD).")]


# --------------------------------------------------------------------------- shapes


class AppointmentIn(Schema):
    """Give a booked session its time. The day of ``start`` becomes the session's day (the interval rules decide)."""

    session_id: Key
    start: dt.datetime = Field(
        description="When it starts, on the 5-minute grid; without an offset it is the clinic's local time."
    )
    minutes: int = Field(ge=1, le=24 * 60, description="How long (the booking grid and its longest are checked).")
    practitioner: Key = Field(description="The user id of an owner or practitioner of the clinic.")
    room: Key | None = Field(default=None, description="A room id of the clinic, or none.")


class AppointmentOut(Schema):
    """A session's time: when, how long, who treats, where; times in the clinic's time zone."""

    id: int
    session_id: int
    session_number: int
    session_status: str
    course_id: int
    client_id: int
    client: str
    treatment: str
    practitioner_id: int
    practitioner: str
    room_id: int | None
    room: str | None
    start: dt.datetime
    end: dt.datetime
    minutes: int
    created_at: dt.datetime


class RoomIn(Schema):
    """A new treatment room (a name used once in the clinic)."""

    name: Annotated[str, StringConstraints(max_length=80, pattern=r"^[^\x00]*$")]


class RoomOut(Schema):
    """A treatment room of the clinic."""

    id: int
    name: str
    created_at: dt.datetime


class DueOut(Schema):
    """A reminder or recall due on the date asked, to whom, and whether ``pinpoint reminders`` has taken it."""

    key: str = Field(description="Stable: with due_on it names one sending.")
    kind: ReminderKind
    due_on: dt.date
    last_on: dt.date = Field(description="The last day it is still sent.")
    event_on: dt.date
    starts_at: dt.datetime | None = Field(description="An appointment's start (clinic time); null otherwise.")
    minutes: int | None
    subject: str
    body: str
    to_name: str
    to_email: str
    claimed_at: dt.datetime | None = Field(description="When the command took it to send (null: not yet).")
    sent_at: dt.datetime | None = Field(description="When it was sent (null: not yet, or it failed).")
    error: str = Field(description="Why sending failed ('' otherwise).")


def _appointment(actor_: Actor, a: Appointment) -> dict[str, Any]:
    zone = selectors.zone_of(actor_)
    s = a.session
    return {
        "id": a.pk,
        "session_id": s.pk,
        "session_number": s.number,
        "session_status": s.status,
        "course_id": s.course_id,
        "client_id": s.client_id,
        "client": s.client.full_name,
        "treatment": selectors.treatment_name(actor_, s.course.indication),
        "practitioner_id": a.practitioner_id,
        "practitioner": a.practitioner.display_name,
        "room_id": a.room_id,
        "room": a.room.name if a.room is not None else None,
        "start": a.starts_at.astimezone(zone),
        "end": a.ends_at.astimezone(zone),
        "minutes": a.minutes,
        "created_at": a.created_at,
    }


def _room(r: Room) -> dict[str, Any]:
    return {"id": r.pk, "name": r.name, "created_at": r.created_at}


def _due(d: Due, sending: Sending | None) -> dict[str, Any]:
    r = d.reminder
    fields = ("key", "kind", "due_on", "last_on", "event_on", "starts_at", "minutes", "subject", "body")
    return {
        **{f: getattr(r, f) for f in fields},
        "to_name": d.name,
        "to_email": d.recipient,
        "claimed_at": sending.claimed_at if sending is not None else None,
        "sent_at": sending.sent_at if sending is not None else None,
        "error": sending.error if sending is not None else "",
    }


def _not_found(field: str) -> Status[dict[str, Any]]:
    return Status(404, {"field": field, "detail": "not found", "errors": None})


# --------------------------------------------------------------------------- appointments


@router.get("/appointments", response={200: Page[AppointmentOut], **LIST_READ}, summary="List appointments")
def list_appointments(
    request: HttpRequest,
    practitioner: Annotated[Key | None, Query(description="Only this practitioner's (a user id).")] = None,
    first: Annotated[dt.date | None, Query(alias="from", description="From this day (clinic time), inclusive.")] = None,
    last: Annotated[dt.date | None, Query(alias="to", description="To this day (clinic time), inclusive.")] = None,
    cursor: CursorQ = None,
    limit: LimitQ = DEFAULT_LIMIT,
) -> Any:
    """The clinic's appointments, whatever their session's status, in the order they were booked."""
    who = actor(request)
    who.require(Perm.CLIENT_VIEW)
    if first is not None and last is not None and last < first:
        raise InputError("to", f"the last day ({last}) comes before the first ({first})")
    rows = selectors.appointments(who, practitioner, first, last)
    return page(request, rows, cursor, limit, lambda a: _appointment(who, a))


@router.get("/appointments/{appointment_id}", response={200: AppointmentOut, **READ}, summary="Read an appointment")
def read_appointment(request: HttpRequest, appointment_id: PkPath) -> Any:
    """One appointment of the clinic."""
    who = actor(request)
    who.require(Perm.CLIENT_VIEW)
    return _appointment(who, selectors.get_appointment(who, appointment_id))


@router.post("/appointments", response={201: AppointmentOut, **WRITE}, summary="Book a session's time")
def book_appointment(request: HttpRequest, body: AppointmentIn) -> Any:
    """Give a booked session its time within the clinic's opening hours; a session that had a time gets the new one.

    A time that overlaps another appointment of the practitioner or the room answers 409 naming who
    holds it (also when two bookings of one slot arrive at the same moment); a time outside the
    opening hours, or a session that is no longer booked, answers 422 saying why.
    """
    who = writer(request)
    session = Session.objects.filter(organization=who.organization, pk=body.session_id).first()
    if session is None:
        return _not_found("session_id")
    person = next((u for u in selectors.practitioners(who) if u.pk == body.practitioner), None)
    room = None
    if body.room is not None:
        room = selectors.rooms(who).filter(pk=body.room).first()
        if room is None:
            raise InputError("room", "choose a room of this clinic (GET /api/rooms lists them)")
    start = body.start
    if start.tzinfo is None or start.utcoffset() is None:
        start = start.replace(tzinfo=selectors.zone_of(who))
    try:
        made = actions.book(who, session, person, start, body.minutes, room)
    except actions.SlotTakenError as exc:
        return Status(409, {"field": exc.field, "detail": exc.message, "errors": None})
    return Status(201, _appointment(who, selectors.get_appointment(who, made.pk)))


@router.delete("/appointments/{appointment_id}", response={204: None, **WRITE}, summary="Free an appointment's time")
def free_appointment(request: HttpRequest, appointment_id: PkPath) -> Any:
    """Remove the appointment: the session keeps its day, without a time."""
    who = writer(request)
    actions.free(who, selectors.get_appointment(who, appointment_id))
    return Status(204, None)


# --------------------------------------------------------------------------- rooms


@router.get("/rooms", response={200: Page[RoomOut], **LIST_READ}, summary="List rooms")
def list_rooms(request: HttpRequest, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT) -> Any:
    """The clinic's treatment rooms."""
    who = actor(request)
    who.require(Perm.CLIENT_VIEW)
    return page(request, selectors.rooms(who), cursor, limit, _room)


@router.post("/rooms", response={201: RoomOut, **WRITE}, summary="Add a room")
def add_room(request: HttpRequest, body: RoomIn) -> Any:
    """Add a treatment room (owners); a name the clinic already uses answers 400."""
    who = writer(request)
    return Status(201, _room(actions.add_room(who, body.name)))


# --------------------------------------------------------------------------- reminders and recalls


@router.get("/reminders", response={200: Page[DueOut], **LIST_READ}, summary="List reminders and recalls due")
def list_reminders(
    request: HttpRequest, on: DateQ = None, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT
) -> Any:
    """What is due for the clinic on a day (default today), as on the reminders page; sorted by key.

    Read-only: sending is the ``pinpoint reminders`` command, which sends each one once.
    """
    who = actor(request)
    who.require(Perm.CLIENT_VIEW)
    rows = due_for(who.organization, on or who.today())
    return page_of_ids(request, [(d.reminder.key, _due(d, sending)) for d, sending in rows], cursor, limit)
