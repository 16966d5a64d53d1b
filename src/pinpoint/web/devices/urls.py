"""Device URLs."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.devices import views

app_name = "devices"
urlpatterns = [
    path("", views.device_list, name="list"),
    path("<int:pk>/", views.device_detail, name="detail"),
    path("<int:pk>/retire/", views.device_retire, name="retire"),
]
