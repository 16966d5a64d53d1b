"""Course and session URLs."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.treatments import views

app_name = "treatments"
urlpatterns = [
    path("clients/<int:pk>/courses/new/", views.course_new, name="course_new"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/book/", views.course_book, name="book"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="reschedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="cancel"),
    path("sessions/<int:pk>/start/", views.session_start, name="start"),
    path("sessions/<int:pk>/run/", views.session_run, name="run"),
    path("sessions/<int:pk>/anaesthetic/", views.session_anaesthetic, name="anaesthetic"),
    path("sessions/<int:pk>/addenda/", views.session_addendum, name="addendum"),
]
