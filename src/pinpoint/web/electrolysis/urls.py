"""Electrolysis URLs, under /electrolysis/."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.electrolysis import views

app_name = "electrolysis"
urlpatterns = [
    path("clients/<int:pk>/courses/new/", views.course_new, name="course_new"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/chart/<slug:area>.svg", views.course_chart, name="chart"),
    path("courses/<int:pk>/sessions/start/", views.session_start, name="start"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/record/", views.session_record, name="record"),
    path("sessions/<int:pk>/sign/", views.session_sign, name="sign"),
    path("sessions/<int:pk>/addenda/", views.session_addendum, name="addendum"),
]
