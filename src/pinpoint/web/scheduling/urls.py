"""Schedule URLs."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.day, name="day"),
    path("week/", views.week, name="week"),
    path("rooms/", views.rooms, name="rooms"),
    path("hours/", views.hours, name="hours"),
    path("sessions/<int:pk>/time/", views.book, name="book"),
    path("appointments/<int:pk>/free/", views.free, name="free"),
    path("courses/<int:pk>/add-session/", views.add_session, name="add_session"),
]
