"""Printable document URLs: /documents/<record>/<id>/<document>.pdf (``?size=letter`` for US Letter)."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.documents import views

app_name = "documents"
urlpatterns = [
    path("courses/<int:pk>/plan.pdf", views.document, {"kind": "plan"}, name="plan"),
    path("consents/<int:pk>/consent.pdf", views.document, {"kind": "consent"}, name="consent"),
    path("sessions/<int:pk>/record.pdf", views.document, {"kind": "record"}, name="record"),
    path("sessions/<int:pk>/aftercare.pdf", views.document, {"kind": "aftercare"}, name="aftercare"),
    path(
        "electrolysis/courses/<int:pk>/plan.pdf",
        views.document,
        {"kind": "electrolysis-plan"},
        name="electrolysis_plan",
    ),
    path(
        "electrolysis/sessions/<int:pk>/record.pdf",
        views.document,
        {"kind": "electrolysis-record"},
        name="electrolysis_record",
    ),
    path(
        "electrolysis/sessions/<int:pk>/aftercare.pdf",
        views.document,
        {"kind": "electrolysis-aftercare"},
        name="electrolysis_aftercare",
    ),
]
