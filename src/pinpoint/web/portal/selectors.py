"""Portal reads: only the signed-in client's own records, never another's (404)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone

from pinpoint.core.planning import get_indication
from pinpoint.core.zones import zone_name
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.clients.models import Client
from pinpoint.web.consents.models import ConsentTemplate
from pinpoint.web.portal.models import ProblemReport, Submission
from pinpoint.web.treatments.models import Course, Session

__all__ = ["PORTAL_KEY", "Home", "client_of", "consent_text", "home", "own_session", "today_for"]

PORTAL_KEY = "pinpoint_portal_client"


def client_of(request: HttpRequest) -> Client | None:
    """The client signed in to the portal in this browser, if any."""
    pk = request.session.get(PORTAL_KEY)
    if pk is None:
        return None
    return Client.objects.select_related("organization").filter(pk=pk).first()


def today_for(client: Client) -> dt.date:
    """Today in the client's clinic's time zone."""
    try:
        zone = zoneinfo.ZoneInfo(client.organization.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.localdate(timezone.now(), zone)


def own_session(client: Client, pk: int) -> Session:
    """One of the client's own sessions, else 404."""
    s = Session.objects.filter(pk=pk, client=client).first()
    if s is None:
        raise Http404("no such session")
    return s


@dataclass(frozen=True)
class Plan:
    """A course in words."""

    name: str
    zones: list[str]
    sessions: list[Session]
    interval_days: str
    aftercare: list[Any]
    last_signed: Session | None


@dataclass(frozen=True)
class Home:
    """What the portal's home page shows."""

    upcoming: list[Session]
    plans: list[Plan]
    pending: list[Submission]
    problems: list[ProblemReport]
    past: list[Session]


def _plan(course: Course) -> Plan:
    evidence = evidence_for(course.organization)
    plan = course.plan_obj()
    try:
        name = get_indication(evidence, course.indication).name
    except ValueError:
        name = course.indication.replace("_", " ")
    sessions = [s for s in course.sessions.all() if s.status != SessionStatus.CANCELLED]
    signed = [s for s in sessions if s.status == SessionStatus.SIGNED]
    lo = min(int(z.interval_days.min) for z in plan.zones)
    hi = max(int(z.interval_days.max) for z in plan.zones)
    interval = f"{lo} days" if lo == hi else f"{lo} to {hi} days"
    return Plan(
        name=name,
        zones=[zone_name(evidence, z) for z in course.zones],
        sessions=sorted(sessions, key=lambda s: s.number),
        interval_days=interval,
        aftercare=list(plan.aftercare),
        last_signed=max(signed, key=lambda s: s.number) if signed else None,
    )


def home(client: Client) -> Home:
    """The client's upcoming appointments, plans in words, forms waiting for review and problems reported."""
    today = today_for(client)
    sessions = Session.objects.filter(client=client).select_related("appointment", "appointment__room")
    upcoming = list(sessions.filter(status=SessionStatus.BOOKED, scheduled_on__gte=today).order_by("scheduled_on"))
    past = list(sessions.filter(status=SessionStatus.SIGNED).order_by("-performed_on"))
    courses = Course.objects.filter(client=client).select_related("organization").prefetch_related("sessions")
    return Home(
        upcoming=upcoming,
        plans=[_plan(c) for c in courses],
        pending=list(Submission.objects.filter(client=client, reviewed_at__isnull=True)),
        problems=list(ProblemReport.objects.filter(client=client)[:10]),
        past=past,
    )


def consent_text(client: Client, treatment: str = "microneedling") -> ConsentTemplate | None:
    """The clinic's current consent text for ``treatment``."""
    return (
        ConsentTemplate.objects.filter(organization_id=client.organization_id, treatment=treatment)
        .order_by("-version")
        .first()
    )
