"""Follow-up URLs: scores and chart of a course, adverse events, who got a lot."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("courses/<int:pk>/", views.course_outcomes, name="course"),
    path("courses/<int:pk>/chart.svg", views.course_chart, name="chart"),
    path("sessions/<int:pk>/adverse-event/", views.report_event, name="report"),
    path("adverse-events/", views.event_list, name="events"),
    path("adverse-events/<int:pk>/", views.event_detail, name="event"),
    path("lots/", views.lot_search, name="lot_search"),
    path("lots/export.csv", views.lot_export, name="lot_export"),
]
