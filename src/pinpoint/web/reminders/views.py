"""Reminder pages: the recall worklist, and the user's private calendar address (feed)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.reminders import actions
from pinpoint.web.reminders.ics import to_ics
from pinpoint.web.reminders.models import CalendarFeed, Sending
from pinpoint.web.reminders.selectors import collect, user_calendar

FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 366


@page(Perm.CLIENT_VIEW)
def worklist(request: HttpRequest) -> HttpResponse:
    """Recalls and reminders due today in this organization, and what was sent lately."""
    actor = actor_of(request)
    today = actor.today()
    due = [d for d in collect(today) if d.organization.pk == actor.organization.pk]
    sent = Sending.objects.filter(organization=actor.organization)[:50]
    return render(request, "reminders/worklist.html", {"due": due, "sent": sent, "today": today})


@page(Perm.DASHBOARD_VIEW)
def calendar(request: HttpRequest) -> HttpResponse:
    """The user's private calendar address: make one (shown once) or stop the old ones."""
    actor = actor_of(request)
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            actions.revoke_feeds(actor.user)
        else:
            token = actions.create_feed(actor.user, actor.organization)
    has_feed = CalendarFeed.objects.filter(user=actor.user, revoked_at__isnull=True).exists()
    url = request.build_absolute_uri(reverse("reminders:feed", args=[token])) if token else None
    return render(request, "reminders/calendar.html", {"url": url, "has_feed": has_feed})


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The calendar itself (no sign-in: the address is the secret); 404 once revoked."""
    row = (
        CalendarFeed.objects.select_related("user", "organization")
        .filter(token_sha256=actions.feed_digest(token), revoked_at__isnull=True)
        .first()
    )
    if row is None or not row.user.is_active:
        raise Http404("no such calendar")
    today = timezone.localdate()
    first, last = today - dt.timedelta(days=FEED_DAYS_BACK), today + dt.timedelta(days=FEED_DAYS_AHEAD)
    events, zone = user_calendar(row.user, first, last)
    body = to_ics(events, zone, f"Pinpoint: {row.user.display_name}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
