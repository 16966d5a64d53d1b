"""The dashboard: today's sessions, sessions due soon or overdue, screening alerts, of every treatment.

It reads microneedling sessions (``treatments``) and electrolysis sessions and courses
(``electrolysis``) through their selectors, so it sits here above both (ADR 0008); its URL name
is still ``dashboard``.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.models import Client
from pinpoint.web.clients.selectors import screenings_on
from pinpoint.web.electrolysis import selectors as electrolysis
from pinpoint.web.records.paging import page_of
from pinpoint.web.records.versions import kept, kept_key
from pinpoint.web.treatments import selectors

__all__ = [
    "ALERT_DAYS",
    "ALERT_LIMIT",
    "DUE_DAYS",
    "DUE_LIMIT",
    "OVERDUE_DAYS",
    "TODAY_PAGE",
    "dashboard",
]

ALERT_DAYS = 14
DUE_DAYS = 7
OVERDUE_DAYS = 30
DUE_LIMIT = 20
ALERT_LIMIT = 100
TODAY_PAGE = 25


@page(Perm.DASHBOARD_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Today's sessions, sessions due soon or overdue, screening alerts and open adverse events.

    The page's body is kept, rendered, under the organization's data version (replaced by the
    database on every write to what the page shows, ADR 0015), with the day, the evidence release,
    what the user may see and the page asked for (:func:`pinpoint.web.records.versions.kept_key`).
    An unchanged dashboard then costs one query of its own; a write to anything it shows renders
    it afresh.
    """
    actor = actor_of(request)
    today = actor.today()
    key = kept_key("dashboard", request, actor, today)
    body = kept(key, lambda: render_to_string("dashboard_body.html", _lists(request, actor, today), request))
    return render(request, "dashboard.html", {"body": body, "kept_key": key})


def _lists(request: HttpRequest, actor: Actor, today: dt.date) -> dict[str, Any]:
    """What the dashboard's body shows, read afresh.

    Today's sessions are shown 25 a page (``?page=2``), in client name order; every one of them is
    screened. The overdue list (most recent first), the due-soon list and the sessions screened
    for alerts (soonest first) are bounded; what a bound leaves out is counted on the page. The
    sessions are read as plain rows and screened through the screening cache, so a course's plan
    is read only to screen it afresh. Electrolysis sessions held today and electrolysis courses
    whose next session is due (core's spacing after the last session) are listed beside them;
    today's electrolysis sessions are shown 25 a page too (``?el_page=2``), with a count of the rest.
    """
    overdue_first = today - dt.timedelta(days=OVERDUE_DAYS)
    soon_last = today + dt.timedelta(days=DUE_DAYS)
    alert_last = today + dt.timedelta(days=ALERT_DAYS)
    counts = selectors.count_between(
        actor,
        {
            "today": (today, today),
            "overdue": (overdue_first, today - dt.timedelta(days=1)),
            "soon": (today + dt.timedelta(days=1), soon_last),
            "coming": (today + dt.timedelta(days=1), alert_last),
        },
    )
    window = selectors.open_session_rows(actor, today, alert_last, counts["today"] + ALERT_LIMIT)
    every_today = [s for s in window if s.scheduled_on == today]
    coming = [s for s in window if s.scheduled_on > today][:ALERT_LIMIT]
    soon = [s for s in coming if s.scheduled_on <= soon_last][:DUE_LIMIT]
    overdue = selectors.open_session_rows(
        actor, overdue_first, today - dt.timedelta(days=1), DUE_LIMIT, latest_first=True
    )
    today_page = page_of(len(every_today), TODAY_PAGE, request.GET.get("page"))
    screened = every_today + coming
    results = screenings_on(
        actor, [(s.client_id, s.scheduled_on, s.plan) for s in screened], partial(selectors.course_plans, actor)
    )
    alerts = [
        (s, r)
        for s, r in zip(screened, results, strict=True)
        if r.screening is None or r.screening.verdict != "proceed"
    ]
    self_client = None
    if actor.organization.is_personal:
        self_client = Client.objects.filter(organization=actor.organization, is_self=True).first()
    el_today = electrolysis.sessions_between(actor, today, today)
    el_page = page_of(el_today.count(), TODAY_PAGE, request.GET.get("el_page"))
    el_due = electrolysis.due_courses(actor, today, overdue_first, soon_last, ALERT_LIMIT)
    return {
        "today": today,
        "todays": every_today[today_page.offset : today_page.offset + today_page.size],
        "today_page": today_page,
        "overdue": overdue,
        "overdue_more": counts["overdue"] - len(overdue),
        "soon": soon,
        "soon_more": counts["soon"] - len(soon),
        "alerts": alerts,
        "alerts_unscreened": counts["coming"] - len(coming),
        "alert_last": alert_last,
        "self_client": self_client,
        "el_todays": list(el_today[el_page.offset : el_page.offset + el_page.size]),
        "el_today_page": el_page,
        "el_overdue": [d for d in el_due if d.due < today][:DUE_LIMIT],
        "el_soon": [d for d in el_due if d.due >= today][:DUE_LIMIT],
    }
