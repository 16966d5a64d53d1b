"""Tenant-scoped reads of courses and sessions; another organization's object answers 404."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from pinpoint.core.records import BookedSession
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client
from pinpoint.web.consents.models import Consent
from pinpoint.web.treatments.models import Course, Session

__all__ = [
    "booked",
    "consent_in_force",
    "count_between",
    "course_sessions",
    "get_course",
    "get_session",
    "sessions_between",
]


def get_course(actor: Actor, pk: int) -> Course:
    """The course ``pk`` of the actor's organization, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(Course.objects.select_related("client"), organization=actor.organization, pk=pk)


def get_session(actor: Actor, pk: int) -> Session:
    """The session ``pk`` of the actor's organization, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(
        Session.objects.select_related("course", "client", "signed_by", "started_by", "override_by"),
        organization=actor.organization,
        pk=pk,
    )


def course_sessions(course: Course) -> QuerySet[Session]:
    """The sessions of ``course`` in date order."""
    return Session.objects.filter(organization=course.organization_id, course=course).order_by("number")


def booked(course: Course) -> list[BookedSession]:
    """The course's sessions that are not cancelled, for spacing checks (recorded depths once signed)."""
    sessions = course_sessions(course).exclude(status=Session.Status.CANCELLED).prefetch_related("zone_records")
    out = []
    for s in sessions:
        depths = None
        if s.is_signed:
            depths = {
                zr.zone: float(zr.depth_mm) for zr in s.zone_records.all() if zr.treated and zr.depth_mm is not None
            }
        out.append(BookedSession(number=s.number, date=s.date, depths_mm=depths or None, signed=s.is_signed))
    return out


def consent_in_force(actor: Actor, client: Client, treatment: str, on: dt.date) -> Consent | None:
    """The latest consent of ``client`` to ``treatment`` in force on ``on``."""
    consents = Consent.objects.filter(organization=actor.organization, client=client, treatment=treatment)
    return next((c for c in consents.order_by("-signed_at") if c.in_force_on(on)), None)


def sessions_between(actor: Actor, first: dt.date, last: dt.date) -> QuerySet[Session]:
    """Booked or running sessions of the organization from ``first`` to ``last`` (inclusive)."""
    return (
        Session.objects.filter(
            organization=actor.organization,
            scheduled_on__gte=first,
            scheduled_on__lte=last,
            status__in=[Session.Status.BOOKED, Session.Status.IN_PROGRESS],
        )
        .select_related("client", "course")
        .order_by("scheduled_on", "client__full_name", "number")
    )


def count_between(actor: Actor, spans: dict[str, tuple[dt.date, dt.date]]) -> dict[str, int]:
    """For each named span ``(first, last)`` (inclusive), how many booked or running sessions it holds; one query."""
    first = min(a for a, _ in spans.values())
    last = max(b for _, b in spans.values())
    aggregates = {
        name: Count("pk", filter=Q(scheduled_on__gte=a, scheduled_on__lte=b)) for name, (a, b) in spans.items()
    }
    row = sessions_between(actor, first, last).order_by().aggregate(**aggregates)
    return {name: int(row[name]) for name in spans}
