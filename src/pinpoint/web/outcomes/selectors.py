"""Tenant-scoped reads: a course's scores and chart points, adverse events (open ones first), who got a lot."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from pinpoint.core.adverse import CLOSING
from pinpoint.core.outcomes import Point
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.statuses import SessionStatus
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventUpdate, Assessment
from pinpoint.web.treatments.models import Course, ZoneRecord

__all__ = [
    "LotRecipient",
    "adverse_events",
    "course_points",
    "course_scores",
    "get_course",
    "get_event",
    "lot_recipients",
    "open_events",
]

MAX_LOT_ROWS = 10_000
"""Most rows the lot search page and the API return at once (the CSV for a recall lists every row)."""


def get_course(actor: Actor, pk: int) -> Course:
    """A course of the actor's organization, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(Course.objects.select_related("client"), organization=actor.organization, pk=pk)


def course_scores(actor: Actor, course: Course) -> QuerySet[Assessment]:
    """The course's scores, by date (one query)."""
    actor.require(Perm.CLIENT_VIEW)
    return Assessment.objects.filter(organization=actor.organization, course=course).order_by("taken_on", "pk")


def course_points(actor: Actor, course: Course) -> list[Point]:
    """The course's scores as core's plain points (one query, whatever their number)."""
    rows = course_scores(actor, course).values_list("scale", "rater", "taken_on", "value")
    return [Point(scale=s, rater=r, taken_on=d, value=float(v)) for s, r, d, v in rows]


def _closed() -> Exists:
    return Exists(AdverseEventUpdate.objects.filter(event=OuterRef("pk"), outcome__in=sorted(CLOSING)))


def adverse_events(actor: Actor, *, closed: bool | None = None) -> QuerySet[AdverseEvent]:
    """The organization's adverse events with ``closed`` (a follow-up ended it), client and session loaded.

    ``closed`` True or False keeps only the closed or only the open ones.
    """
    actor.require(Perm.CLIENT_VIEW)
    rows = AdverseEvent.objects.filter(organization=actor.organization)
    if closed is not None:
        rows = rows.filter(_closed() if closed else ~_closed())
    return rows.annotate(closed=_closed()).select_related("client", "session").prefetch_related("updates")


def open_events(actor: Actor) -> QuerySet[AdverseEvent]:
    """Adverse events no follow-up has closed, oldest onset first."""
    return adverse_events(actor).exclude(updates__outcome__in=sorted(CLOSING)).order_by("onset_on", "pk")


def get_event(actor: Actor, pk: int) -> AdverseEvent:
    """An adverse event of the actor's organization, else 404."""
    return get_object_or_404(adverse_events(actor), pk=pk)


@dataclass(frozen=True)
class LotRecipient:
    """One zone that received a lot: the client with contact details, the session, the zone."""

    client_id: int
    client: str
    email: str
    phone: str
    session_id: int
    session_number: int
    date: dt.date
    status: str
    zone: str
    unit: str
    lot_number: str


def lot_recipients(actor: Actor, lot_number: str, *, every: bool = False) -> list[LotRecipient]:
    """Every zone recorded with a unit of lot ``lot_number``, latest session first.

    The lot number is matched whole but whatever its case ("cart-2407-a" finds CART-2407-A: a
    recall notice typed in other letters must not answer "nobody"). One query whatever the number
    of rows, up to :data:`MAX_LOT_ROWS` unless ``every`` (the CSV for a recall lists every row);
    cancelled sessions and untreated zones are left out; drafts of sessions in progress are listed
    with their status.
    """
    actor.require(Perm.LOT_RECALL)
    lot = lot_number.strip()
    if not lot:
        return []
    rows = (
        ZoneRecord.objects.filter(
            organization=actor.organization,
            device_unit__organization=actor.organization,
            device_unit__lot_number__iexact=lot,
            treated=True,
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .order_by("-session__scheduled_on", "session__client__full_name", "session_id", "zone")
        .values_list(
            "session__client_id",
            "session__client__full_name",
            "session__client__email",
            "session__client__phone",
            "session_id",
            "session__number",
            "session__performed_on",
            "session__scheduled_on",
            "session__status",
            "zone",
            "device_unit__label",
            "device_unit__lot_number",
        )
    )
    if not every:
        rows = rows[:MAX_LOT_ROWS]
    return [
        LotRecipient(
            client_id=r[0],
            client=r[1],
            email=r[2],
            phone=r[3],
            session_id=r[4],
            session_number=r[5],
            date=r[6] or r[7],
            status=SessionStatus(r[8]).label,
            zone=r[9],
            unit=r[10],
            lot_number=r[11],
        )
        for r in rows
    ]
