"""Export and erasure pages."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.exports import views

app_name = "exports"
urlpatterns = [
    path("", views.everything, name="everything"),
    path("download/", views.download, name="download"),
    path("clients/<int:pk>/erase/", views.erase, name="erase"),
]
