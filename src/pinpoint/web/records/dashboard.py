"""The dashboard: today's sessions, sessions due soon or overdue, screening alerts, of every treatment.

It reads microneedling sessions (``treatments``) and electrolysis sessions and courses
(``electrolysis``) through their selectors, so it sits here above both (ADR 0008); its URL name
is still ``dashboard``.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pinpoint.core.planning import Plan
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.models import Client
from pinpoint.web.clients.selectors import questionnaires_by_client, screening_for
from pinpoint.web.electrolysis import selectors as electrolysis
from pinpoint.web.treatments import selectors

__all__ = ["ALERT_DAYS", "ALERT_LIMIT", "DUE_DAYS", "DUE_LIMIT", "OVERDUE_DAYS", "dashboard"]

ALERT_DAYS = 14
DUE_DAYS = 7
OVERDUE_DAYS = 30
DUE_LIMIT = 50
ALERT_LIMIT = 100


@page(Perm.DASHBOARD_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Today's sessions, sessions due soon or overdue, and screening alerts for the coming sessions.

    Today's sessions are all shown. The overdue list (most recent first), the due-soon list and the
    sessions screened for alerts (soonest first) are bounded; what a bound leaves out is counted on the page.
    Electrolysis sessions held today and electrolysis courses whose next session is due (core's
    spacing after the last session) are listed beside them.
    """
    actor = actor_of(request)
    today = actor.today()
    todays = list(selectors.sessions_between(actor, today, today))
    overdue_first = today - dt.timedelta(days=OVERDUE_DAYS)
    soon_last = today + dt.timedelta(days=DUE_DAYS)
    alert_last = today + dt.timedelta(days=ALERT_DAYS)
    counts = selectors.count_between(
        actor,
        {
            "overdue": (overdue_first, today - dt.timedelta(days=1)),
            "soon": (today + dt.timedelta(days=1), soon_last),
            "coming": (today + dt.timedelta(days=1), alert_last),
        },
    )
    overdue = list(
        selectors.sessions_between(actor, overdue_first, today - dt.timedelta(days=1)).order_by(
            "-scheduled_on", "client__full_name", "number"
        )[:DUE_LIMIT]
    )
    coming = list(selectors.sessions_between(actor, today + dt.timedelta(days=1), alert_last)[:ALERT_LIMIT])
    soon = [s for s in coming if s.scheduled_on <= soon_last][:DUE_LIMIT]
    screened = todays + coming
    questionnaires = questionnaires_by_client(actor, {s.client_id for s in screened})
    alerts = []
    plans: dict[int, Plan] = {}
    for s in screened:
        if s.course_id not in plans:
            plans[s.course_id] = s.course.plan_obj()
        plan = plans[s.course_id]
        result = screening_for(
            actor, s.client, s.scheduled_on, plan, questionnaires.get(s.client_id, []),
            plan_key=(s.course_id, s.course.created_at),
        )  # fmt: skip
        if result.screening is None or result.screening.verdict != "proceed":
            alerts.append((s, result))
    self_client = None
    if actor.organization.is_personal:
        self_client = Client.objects.filter(organization=actor.organization, is_self=True).first()
    el_due = electrolysis.due_courses(actor, today, overdue_first, soon_last, ALERT_LIMIT)
    context = {
        "today": today,
        "todays": todays,
        "overdue": overdue,
        "overdue_more": counts["overdue"] - len(overdue),
        "soon": soon,
        "soon_more": counts["soon"] - len(soon),
        "alerts": alerts,
        "alerts_unscreened": counts["coming"] - len(coming),
        "alert_last": alert_last,
        "self_client": self_client,
        "el_todays": list(electrolysis.sessions_between(actor, today, today)),
        "el_overdue": [d for d in el_due if d.due < today][:DUE_LIMIT],
        "el_soon": [d for d in el_due if d.due >= today][:DUE_LIMIT],
    }
    return render(request, "dashboard.html", context)
