"""Reminder URLs; the feed itself is at /calendar/<token>.ics (see ``feed_urls``)."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("calendar/", views.calendar, name="calendar"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
