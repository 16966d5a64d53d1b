"""The demo clinic's week: rooms, appointments with times, one appointment reminder and one recall due today.

- Ada Lovelace and Grace Hopper (booked for today) get times with the practitioner, in rooms 1 and 2.
- Mae Jemison starts a course tomorrow at 09:30: her reminder is due today.
- Dorothy Hodgkin finished a course (one session, the rest cancelled) exactly the recall
  interval ago: her recall is due today.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from pinpoint.core.answers import NO_RISKS
from pinpoint.core.planning import Plan
from pinpoint.web.accounts.models import Organization, User
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Role
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.actions import ClientData, create_client, record_questionnaire
from pinpoint.web.consents.actions import sign_consent
from pinpoint.web.scheduling.actions import add_room, book
from pinpoint.web.scheduling.models import Room
from pinpoint.web.scheduling.selectors import default_minutes
from pinpoint.web.treatments import actions as tx
from pinpoint.web.treatments.models import Session

__all__ = ["demo_schedule"]


def _answers(zones: list[str], birth: dt.date) -> dict[str, object]:
    return {
        "treatment": "microneedling",
        "setting": "clinic",
        "zones": zones,
        "birth_date": birth.isoformat(),
        **NO_RISKS,
    }


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), dt.UTC)


def _new_client(actor: Actor, name: str, email: str, birth: dt.date, on: dt.date) -> object:
    client = create_client(actor, ClientData(full_name=name, birth_date=birth, email=email))
    record_questionnaire(actor, client, _answers(["cheek"], birth), on)
    sign_consent(
        actor,
        client,
        "microneedling",
        signed_name=name,
        signer="client",
        photo_clinical=True,
        photo_marketing=False,
        now=_at(on, 9),
    )
    return client


def _finished_course(actor: Actor, today: dt.date) -> None:
    days = int(evidence_for(actor.organization).policy["recall_after_course_days"].value)
    on = today - dt.timedelta(days=days)
    client = _new_client(actor, "Dorothy Hodgkin", "dorothy@example.org", dt.date(1979, 5, 12), on)
    course = tx.create_course(
        actor,
        client,  # type: ignore[arg-type]
        tx.CourseData(indication="acne_scars", zones=("cheek",), setting="clinic", start_on=on, device="pen_14"),
    )
    first, *rest = tx.book_sessions(actor, course)
    started = tx.start_session(actor, first, on)
    plan: Plan = course.plan_obj()
    zones = tuple(
        tx.ZoneInput(
            zone=zp.zone,
            device="pen_14",
            device_unit_id=None,  # that lot is no longer in the device list
            depth_mm=Decimal(str(zp.depth_mm.min)),
            passes=int(zp.passes.min),
            endpoint_reached=True,
        )
        for zp in plan.zones
    )
    tx.sign_session(actor, started, tx.RecordInput(checklist=(), notes="Tolerated well.", zones=zones))
    for s in rest:
        tx.cancel_session(actor, s, "Happy with the result after one session")


def demo_schedule(today: dt.date) -> None:
    """Rooms, the coming days' appointments and the reminders due today in the demo clinic."""
    org = Organization.objects.get(name="Demo Clinic", kind=Organization.Kind.CLINIC)
    owner = User.objects.get(memberships__organization=org, memberships__role=Role.OWNER)
    prac_user = User.objects.get(memberships__organization=org, memberships__role=Role.PRACTITIONER)
    boss = Actor(user=owner, organization=org, role=Role.OWNER)
    prac = Actor(user=prac_user, organization=org, role=Role.PRACTITIONER)
    if Room.objects.filter(organization=org).exists():
        return
    one, two = add_room(boss, "Room 1"), add_room(boss, "Room 2")
    today_sessions = Session.objects.filter(organization=org, scheduled_on=today, status=SessionStatus.BOOKED)
    start = _at(today, 9)
    for s, room in zip(today_sessions.order_by("client__full_name"), [one, two], strict=False):
        appointment = book(prac, s, prac_user, start, default_minutes(prac, s), room)
        start = appointment.ends_at + dt.timedelta(minutes=30)
    mae = _new_client(prac, "Mae Jemison", "mae@example.org", dt.date(1986, 10, 17), today)
    tomorrow = today + dt.timedelta(days=1)
    course = tx.create_course(
        prac,
        mae,  # type: ignore[arg-type]
        tx.CourseData(indication="acne_scars", zones=("cheek",), setting="clinic", start_on=tomorrow),
    )
    first, *_ = tx.book_sessions(prac, course)
    book(prac, first, prac_user, _at(tomorrow, 9, 30), default_minutes(prac, first), one)
    _finished_course(prac, today)
