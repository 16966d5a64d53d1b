"""A client's record read across apps: the client list with each next session, the timeline, the change history."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from pinpoint.web.audit.models import AuditEvent, RecordView
from pinpoint.web.audit.selectors import LIMIT
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.clients.selectors import ScreeningResult, client_search, screening_for
from pinpoint.web.consents.models import Consent
from pinpoint.web.electrolysis.selectors import timeline_entries as electrolysis_timeline
from pinpoint.web.treatments.models import Addendum, Course, Session, ZoneRecord

__all__ = ["Timeline", "client_history", "client_list", "timeline"]


def client_list(actor: Actor, search: str = "") -> QuerySet[Client]:
    """The organization's clients, with their next booked session date, optionally filtered by name or email."""
    upcoming = Session.objects.filter(
        organization=actor.organization, client=OuterRef("pk"), status=Session.Status.BOOKED
    ).order_by("scheduled_on")
    return client_search(actor, search).annotate(next_session_on=Subquery(upcoming.values("scheduled_on")[:1]))


@dataclass(frozen=True)
class Timeline:
    """A client's record, newest first, with today's screening and the next session's."""

    client: Client
    entries: list[tuple[dt.date, str, object]]
    questionnaires: list[Questionnaire]
    consents: list[Consent]
    courses: list[Course]
    sessions: list[Session]
    today: ScreeningResult
    next_session: Session | None
    next_screening: ScreeningResult | None


def timeline(actor: Actor, client: Client) -> Timeline:
    """Everything on ``client``'s record in a constant number of queries."""
    actor.require(Perm.CLIENT_VIEW)
    org = actor.organization
    questionnaires = list(Questionnaire.objects.filter(organization=org, client=client).select_related("recorded_by"))
    consents = list(
        Consent.objects.filter(organization=org, client=client).select_related("recorded_by", "withdrawn_by")
    )
    courses = list(Course.objects.filter(organization=org, client=client))
    sessions = list(
        Session.objects.filter(organization=org, client=client)
        .select_related("signed_by")
        .annotate(addenda_count=Count("addenda"))
        .order_by("scheduled_on", "number")
    )
    entries: list[tuple[dt.date, str, object]] = []
    entries += [(q.taken_on, "questionnaire", q) for q in questionnaires]
    entries += [(timezone.localdate(c.signed_at), "consent", c) for c in consents]
    entries += [(timezone.localdate(c.withdrawn_at), "withdrawal", c) for c in consents if c.withdrawn_at]
    entries += [(c.start_on, "course", c) for c in courses]
    entries += [(s.date, "session", s) for s in sessions]
    entries += electrolysis_timeline(actor, client)
    entries.sort(key=lambda e: (e[0], e[1] not in ("course", "electrolysis_course")), reverse=True)
    today = actor.today()
    upcoming = [s for s in sessions if s.status == Session.Status.BOOKED and s.scheduled_on >= today]
    nxt = upcoming[0] if upcoming else None
    by_course = {c.pk: c for c in courses}
    next_screening = None
    if nxt is not None:
        course = by_course[nxt.course_id]
        next_screening = screening_for(
            actor, client, nxt.scheduled_on, course.plan_obj(), questionnaires, plan_key=(course.pk, course.created_at)
        )
    return Timeline(
        client=client,
        entries=entries,
        questionnaires=questionnaires,
        consents=consents,
        courses=courses,
        sessions=sessions,
        today=screening_for(actor, client, today, None, questionnaires),
        next_session=nxt,
        next_screening=next_screening,
    )


def client_history(actor: Actor, client: Client) -> dict[str, Any]:
    """Field-level change history of every clinical record of ``client``, its events and its record views."""
    actor.require(Perm.AUDIT_VIEW)
    org = actor.organization
    histories = [
        ("client", client.history.all()),
        ("questionnaire", Questionnaire.history.filter(organization=org, client=client)),
        ("consent", Consent.history.filter(organization=org, client=client)),
        ("course", Course.history.filter(organization=org, client=client)),
        ("session", Session.history.filter(organization=org, client=client)),
        ("zone record", ZoneRecord.history.filter(organization=org, session__client=client)),
        ("addendum", Addendum.history.filter(organization=org, session__client=client)),
    ]
    changes = []
    for label, qs in histories:
        for rec in qs.select_related("history_user").order_by("-history_date")[:LIMIT]:
            changes.append((rec.history_date, label, rec))
    changes.sort(key=lambda c: c[0], reverse=True)
    events = AuditEvent.objects.filter(organization=org, client=client).select_related("actor").order_by("-at", "-pk")
    views = RecordView.objects.filter(organization=org, client=client).select_related("user").order_by("-at", "-pk")
    return {"changes": changes[:LIMIT], "events": list(events[:LIMIT]), "views": list(views[:LIMIT])}
