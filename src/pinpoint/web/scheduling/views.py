"""Schedule pages: a practitioner's day and week, giving a session its time, rooms, opening hours, adding a session."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pinpoint.core.dates import check_future_date
from pinpoint.core.errors import PinpointError
from pinpoint.core.scheduling import earliest_added_session, max_sessions
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.forms import add_error
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.scheduling import actions, selectors
from pinpoint.web.scheduling.forms import AddSessionForm, BookForm, OpeningHoursForm, RoomForm
from pinpoint.web.treatments.selectors import booked, get_course, get_session


def _day(value: str | None, default: dt.date) -> dt.date:
    """The day a link asks for, if it is one a calendar shows (core's range around today); else today."""
    try:
        return check_future_date("day", dt.date.fromisoformat(value), default) if value else default
    except ValueError:  # not a date, or 9999-12-31 and the like (PinpointError is a ValueError)
        return default


def _who(actor: Actor, request: HttpRequest) -> tuple[list[Any], Any]:
    people = selectors.practitioners(actor)
    wanted = request.GET.get("practitioner", "")
    if wanted == "all":
        return people, None
    chosen = next((u for u in people if str(u.pk) == wanted), None)
    if chosen is None:
        chosen = next((u for u in people if u.pk == actor.user.pk), None)
    return people, chosen


@page(Perm.CLIENT_VIEW)
def day(request: HttpRequest) -> HttpResponse:
    """One practitioner's day (or everyone's): appointments in time order and sessions without a time."""
    actor = actor_of(request)
    on = _day(request.GET.get("day"), actor.today())
    people, chosen = _who(actor, request)
    (today,) = selectors.day_of(actor, chosen, on)
    return render(
        request,
        "scheduling/day.html",
        {
            "d": today,
            "people": people,
            "chosen": chosen,
            "prev": on - dt.timedelta(days=1),
            "next": on + dt.timedelta(days=1),
            "is_today": on == actor.today(),
        },
    )


@page(Perm.CLIENT_VIEW)
def week(request: HttpRequest) -> HttpResponse:
    """Seven days from the chosen day (default today: the coming week), one practitioner or everyone."""
    actor = actor_of(request)
    monday = _day(request.GET.get("day"), actor.today())
    people, chosen = _who(actor, request)
    days = selectors.day_of(actor, chosen, monday, 7)
    return render(
        request,
        "scheduling/week.html",
        {
            "days": days,
            "people": people,
            "chosen": chosen,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "prev": monday - dt.timedelta(days=7),
            "next": monday + dt.timedelta(days=7),
            "today": actor.today(),
        },
    )


def _book_initial(actor: Actor, request: HttpRequest, session: Any) -> dict[str, Any]:
    appt = getattr(session, "appointment", None) if hasattr(session, "appointment") else None
    people = selectors.practitioners(actor)
    me = next((u.pk for u in people if u.pk == actor.user.pk), people[0].pk if people else None)
    initial: dict[str, Any] = {
        "day": session.scheduled_on,
        "practitioner": appt.practitioner_id if appt else me,
        "room": appt.room_id if appt else None,
        "minutes": appt.minutes if appt else selectors.default_minutes(actor, session),
    }
    for name in ("day", "practitioner", "room", "minutes"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    return initial


def _slots(actor: Actor, form_data: dict[str, Any], session: Any) -> list[str]:
    try:
        on = dt.date.fromisoformat(str(form_data["day"]))
        minutes = int(form_data["minutes"])
        person = next(u for u in selectors.practitioners(actor) if str(u.pk) == str(form_data["practitioner"]))
    except (ValueError, KeyError, StopIteration, TypeError):
        return []
    room = selectors.rooms(actor).filter(pk=form_data.get("room") or 0).first()
    skip = session.appointment.pk if hasattr(session, "appointment") else None
    try:
        starts = selectors.open_slots(actor, on, minutes, person, room, skip=skip)
    except PinpointError:
        return []
    return [f"{timezone.localtime(s, selectors.zone_of(actor)):%H:%M}" for s in starts]


@page(Perm.SESSION_BOOK)
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """Give a booked session its time: choose the day, practitioner, room and length, then a free start."""
    actor = actor_of(request)
    session = get_session(actor, pk)
    people, rooms = selectors.practitioners(actor), list(selectors.rooms(actor))
    initial = _book_initial(actor, request, session)
    data = request.POST if request.method == "POST" else None
    slots = _slots(actor, dict(data.items()) if data else initial, session)
    form = BookForm(data, initial=initial, people=people, rooms=rooms, slots=slots)
    if data is not None and form.is_valid():
        d = form.cleaned_data
        if not d["start"]:
            form.add_error("start", "choose a start time from the free times")
        else:
            zone = selectors.zone_of(actor)
            starts = dt.datetime.combine(d["day"], dt.time.fromisoformat(d["start"]), tzinfo=zone)
            person = next(u for u in people if u.pk == d["practitioner"])
            room = next((r for r in rooms if r.pk == d["room"]), None)
            try:
                actions.book(actor, session, person, starts, d["minutes"], room)
            except PinpointError as exc:
                add_error(form, exc, {"date": "day"})
            else:
                return redirect(f"{_reverse_day()}?day={d['day'].isoformat()}&practitioner={person.pk}")
    return render(
        request,
        "scheduling/book.html",
        {
            "session": session,
            "form": form,
            "slots": slots,
            "what": selectors.treatment_name(actor, session.course.indication),
            "hours": _hours_of(actor, form),
        },
    )


def _hours_of(actor: Actor, form: BookForm) -> selectors.Hours | None:
    try:
        return selectors.hours_on(actor, dt.date.fromisoformat(str(form["day"].value())))
    except ValueError:
        return None


def _reverse_day() -> str:
    return reverse("scheduling:day")


@require_POST
@page(Perm.SESSION_BOOK)
def free(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an appointment's time; the session keeps its day."""
    actor = actor_of(request)
    appointment = selectors.get_appointment(actor, pk)
    actions.free(actor, appointment)
    return redirect(f"{_reverse_day()}?day={appointment.session.scheduled_on.isoformat()}")


@page(Perm.SETTINGS_MANAGE)
def rooms(request: HttpRequest) -> HttpResponse:
    """The clinic's rooms; add one."""
    actor = actor_of(request)
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_room(actor, form.cleaned_data["name"])
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("scheduling:rooms")
    return render(
        request,
        "scheduling/rooms.html",
        {"form": form, "rooms": selectors.rooms(actor), "hours": selectors.opening_hours(actor)},
    )


def _hours_initial(actor: Actor) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for h in selectors.opening_hours(actor):
        name = h.name.lower()
        initial |= {f"{name}_closed": h.is_closed, f"{name}_opens": h.opens, f"{name}_closes": h.closes}
    return initial


@page(Perm.SETTINGS_MANAGE)
def hours(request: HttpRequest) -> HttpResponse:
    """The clinic's opening hours, day by day: when appointments can be booked."""
    actor = actor_of(request)
    form = OpeningHoursForm(request.POST or None, initial=_hours_initial(actor))
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_opening_hours(actor, form.week())
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("scheduling:rooms")
    return render(request, "scheduling/hours.html", {"form": form})


@page(Perm.SESSION_BOOK)
def add_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a session to a course, up to the plan's maximum and no closer than the interval rules allow."""
    actor = actor_of(request)
    course = get_course(actor, pk)
    have = booked(course)
    plan = course.plan_obj()
    earliest = earliest_added_session(evidence_for(actor.organization), plan, have, actor.today())
    form = AddSessionForm(request.POST or None, initial={"date": earliest})
    if request.method == "POST" and form.is_valid():
        try:
            s = actions.add_session(actor, course, form.cleaned_data["date"])
        except PinpointError as exc:
            add_error(form, exc)
        else:
            return redirect("scheduling:book", pk=s.pk)
    return render(
        request,
        "scheduling/add_session.html",
        {
            "course": course,
            "form": form,
            "count": len(have),
            "most": max_sessions(plan),
            "earliest": earliest,
            "what": selectors.treatment_name(actor, course.indication),
        },
    )
