"""Client URLs (the pages that read other apps too are added by ``records.urls``)."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.clients import views

app_name = "clients"
urlpatterns = [
    path("new/", views.client_new, name="new"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/questionnaire/", views.questionnaire_new, name="questionnaire_new"),
    path("<int:pk>/questionnaires/<int:qpk>/", views.questionnaire_detail, name="questionnaire"),
]
