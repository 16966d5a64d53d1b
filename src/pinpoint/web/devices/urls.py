"""Device URLs (the pages that read other apps too are added by ``records.urls``)."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.devices import views

app_name = "devices"
urlpatterns = [
    path("", views.device_list, name="list"),
    path("<int:pk>/retire/", views.device_retire, name="retire"),
    path("<int:pk>/recall/", views.device_recall, name="recall"),
    path("<int:pk>/clean/", views.device_clean, name="clean"),
]
