"""What is due: reminders and recalls across every organization on a date, and a user's calendar."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from pinpoint.core.planning import get_indication
from pinpoint.core.reminders import (
    RECALL_WINDOW_DAYS,
    Reminder,
    ReminderKind,
    appointment_reminder,
    due,
    home_session_reminder,
    recall,
    roller_reminder,
)
from pinpoint.web.accounts.models import Membership, Organization
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Role
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.reminders.models import Sending
from pinpoint.web.scheduling.models import Appointment
from pinpoint.web.treatments.models import Course, Session, ZoneRecord

__all__ = ["Due", "collect", "due_for", "lead_days", "user_calendar", "zone_of"]


@dataclass(frozen=True)
class Due:
    """A reminder to send, to whom, from which organization, shown in that organization's zone."""

    reminder: Reminder
    organization: Organization
    recipient: str
    name: str


def lead_days() -> int:
    """Days before an appointment its reminder goes (setting ``PINPOINT_REMINDER_DAYS``, default 1)."""
    return int(getattr(settings, "PINPOINT_REMINDER_DAYS", 1))


def zone_of(organization: Organization) -> zoneinfo.ZoneInfo:
    """The organization's time zone (UTC when unknown)."""
    try:
        return zoneinfo.ZoneInfo(organization.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _what(organization: Organization, indication: str) -> str:
    try:
        return get_indication(evidence_for(organization), indication).name.lower()
    except ValueError:
        return indication.replace("_", " ")


def _where(a: Appointment) -> str:
    return f"{a.organization.name}, {a.room.name}" if a.room is not None else a.organization.name


def _appointments(on: dt.date, lead: int) -> list[Due]:
    start = dt.datetime.combine(on - dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    end = start + dt.timedelta(days=lead + 3)
    rows = Appointment.objects.filter(
        starts_at__gte=start, starts_at__lt=end, session__status=SessionStatus.BOOKED
    ).select_related("organization", "room", "session__client", "session__course")
    out = []
    now = timezone.now()
    for a in rows:
        client = a.session.client
        if not client.email or a.organization.kind != Organization.Kind.CLINIC or a.starts_at <= now:
            continue
        local = timezone.localtime(a.starts_at, zone_of(a.organization))
        r = appointment_reminder(
            a.pk, local, a.minutes, _what(a.organization, a.session.course.indication), _where(a), lead
        )
        out.append(Due(r, a.organization, client.email, client.full_name))
    return out


def _recalls(on: dt.date) -> list[Due]:
    oldest = on - dt.timedelta(days=365 + RECALL_WINDOW_DAYS)
    open_statuses = [SessionStatus.BOOKED, SessionStatus.IN_PROGRESS]
    courses = (
        Course.objects.filter(organization__kind=Organization.Kind.CLINIC)
        .exclude(client__email="")
        .exclude(sessions__status__in=open_statuses)
        .annotate(last=Max("sessions__performed_on", filter=Q(sessions__status=SessionStatus.SIGNED)))
        .filter(last__gte=oldest, last__lte=on)
        .select_related("organization", "client")
    )
    return [
        Due(
            recall(evidence_for(c.organization), c.pk, _what(c.organization, c.indication), c.last),
            c.organization,
            c.client.email,
            c.client.full_name,
        )
        for c in courses
    ]


def _owners() -> dict[int, Any]:
    rows = Membership.objects.filter(organization__kind=Organization.Kind.PERSONAL, role=Role.OWNER)
    return {m.organization_id: m.user for m in rows.select_related("user")}


def _home(on: dt.date) -> list[Due]:
    owners = _owners()
    out = []
    sessions = Session.objects.filter(
        organization__kind=Organization.Kind.PERSONAL, scheduled_on=on, status=SessionStatus.BOOKED
    ).select_related("organization", "course")
    for s in sessions:
        user = owners.get(s.organization_id)
        if user is not None:
            r = home_session_reminder(s.pk, s.scheduled_on, _what(s.organization, s.course.indication))
            out.append(Due(r, s.organization, user.email, user.display_name))
    units = DeviceUnit.objects.filter(
        organization__kind=Organization.Kind.PERSONAL, retired_on__isnull=True, first_used_on__isnull=False
    ).select_related("organization")
    for u in units:
        user = owners.get(u.organization_id)
        if user is None:
            continue
        dates = list(
            ZoneRecord.objects.filter(device_unit=u, session__status=SessionStatus.SIGNED)
            .values_list("session__performed_on", flat=True)
            .distinct()
        )
        roller = roller_reminder(evidence_for(u.organization), u.pk, u.label, u.catalog_id, [d for d in dates if d])
        if roller is not None:
            out.append(Due(roller, u.organization, user.email, user.display_name))
    return out


def collect(on: dt.date) -> list[Due]:
    """Every reminder and recall due on ``on`` in every organization (sent or not), by due date then key."""
    every = [*_appointments(on, lead_days()), *_recalls(on), *_home(on)]
    keep = {r.key for r in due([d.reminder for d in every], on)}
    return sorted((d for d in every if d.reminder.key in keep), key=lambda d: (d.reminder.due_on, d.reminder.key))


def due_for(organization: Organization, on: dt.date) -> list[tuple[Due, Sending | None]]:
    """What is due on ``on`` for one organization (the worklist's list), each with its sending once claimed."""
    items = [d for d in collect(on) if d.organization.pk == organization.pk]
    rows = Sending.objects.filter(organization=organization, key__in=[d.reminder.key for d in items])
    sent = {(r.key, r.due_on): r for r in rows}
    return [(d, sent.get((d.reminder.key, d.reminder.due_on))) for d in items]


def claimed(items: list[Due]) -> set[tuple[str, dt.date]]:
    """Which of ``items`` were already claimed for sending (sent, failed or unfinished)."""
    keys = [d.reminder.key for d in items]
    rows = Sending.objects.filter(key__in=keys).values_list("key", "due_on")
    return set(rows)


def user_calendar(user: Any, first: dt.date, last: dt.date) -> tuple[list[Reminder], zoneinfo.ZoneInfo]:
    """The events of ``user``'s calendar from ``first`` to ``last``: appointments they treat, home sessions, roller.

    Times are in the zone of the user's first organization.
    """
    memberships = list(Membership.objects.filter(user=user).select_related("organization").order_by("pk"))
    zone = zone_of(memberships[0].organization) if memberships else zoneinfo.ZoneInfo("UTC")
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    events: list[Reminder] = []
    appts = Appointment.objects.filter(
        practitioner=user,
        starts_at__gte=start,
        starts_at__lt=end,
        session__status__in=[SessionStatus.BOOKED, SessionStatus.IN_PROGRESS, SessionStatus.SIGNED],
    ).select_related("organization", "room", "session__client", "session__course")
    for a in appts:
        local = timezone.localtime(a.starts_at, zone_of(a.organization))
        what = _what(a.organization, a.session.course.indication)
        events.append(
            Reminder(
                key=f"appointment:{a.pk}",
                kind=ReminderKind.APPOINTMENT,
                due_on=local.date(),
                last_on=local.date(),
                subject=f"{a.session.client.full_name}: {what}, session {a.session.number}",
                body=f"{what.capitalize()}, session {a.session.number}, at {_where(a)} ({a.minutes} minutes).",
                event_on=local.date(),
                starts_at=local,
                minutes=a.minutes,
            )
        )
    personal = [m.organization for m in memberships if m.organization.is_personal]
    for s in Session.objects.filter(
        organization__in=personal, scheduled_on__gte=first, scheduled_on__lte=last, status=SessionStatus.BOOKED
    ).select_related("organization", "course"):
        events.append(home_session_reminder(s.pk, s.scheduled_on, _what(s.organization, s.course.indication)))
    return sorted(events, key=lambda r: (r.event_on, r.starts_at or start, r.key)), zone
