"""URL map of the web app; the full list with permissions is in docs/web.md."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from pinpoint.web.api.urls import api_urls
from pinpoint.web.records import urls as records_urls
from pinpoint.web.records.dashboard import dashboard

urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("accounts/", include("pinpoint.web.accounts.urls")),
    path("clients/", include(records_urls.clients)),
    path("consents/", include("pinpoint.web.consents.urls")),
    path("devices/", include(records_urls.devices)),
    path("audit/", include("pinpoint.web.audit.urls")),
    path("documents/", include("pinpoint.web.documents.urls")),
    path("electrolysis/", include("pinpoint.web.electrolysis.urls")),
    path("schedule/", include("pinpoint.web.scheduling.urls")),
    path("reminders/", include("pinpoint.web.reminders.urls")),
    path("portal/", include("pinpoint.web.portal.urls")),
    path("exports/", include("pinpoint.web.exports.urls")),
    path("photos/", include("pinpoint.web.photos.urls")),
    path("follow-up/", include("pinpoint.web.outcomes.urls")),
    path("", include("pinpoint.web.treatments.urls")),
    path("api/", include("pinpoint.web.api.urls")),
    path("api/", api_urls),
    path("admin/", admin.site.urls),
]
