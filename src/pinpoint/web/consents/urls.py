"""Consent URLs."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.consents import views

app_name = "consents"
urlpatterns = [
    path("templates/", views.templates, name="templates"),
    path("clients/<int:pk>/new/", views.consent_new, name="new"),
    path("<int:pk>/", views.consent_detail, name="detail"),
    path("<int:pk>/withdraw/", views.consent_withdraw, name="withdraw"),
]
