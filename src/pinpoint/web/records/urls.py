"""The ``clients`` and ``devices`` URL maps: their apps' own pages and, under the same names, those of ``records``."""

from __future__ import annotations

from django.urls import path

from pinpoint.web.clients import urls as clients_urls
from pinpoint.web.devices import urls as devices_urls
from pinpoint.web.records import views

clients = (
    [
        path("", views.client_list, name="list"),
        path("<int:pk>/", views.client_detail, name="detail"),
        path("<int:pk>/history/", views.client_history, name="history"),
        *clients_urls.urlpatterns,
    ],
    clients_urls.app_name,
)
devices = (
    [path("<int:pk>/", views.device_detail, name="detail"), *devices_urls.urlpatterns],
    devices_urls.app_name,
)
