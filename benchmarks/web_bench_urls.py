"""URL map of the web load benchmark: the project's URLs plus a trivial view as the baseline.

The trivial view goes through the same middleware (sessions, authentication, tenancy, axes) as
every page, so the ratio page/trivial measures the page's own work.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from pinpoint.web.urls import urlpatterns as project_urlpatterns

TRIVIAL_PATH = "bench/trivial/"


def trivial(request: HttpRequest) -> HttpResponse:
    """Two bytes of plain text, no query of its own."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path(TRIVIAL_PATH, trivial, name="bench-trivial"), *project_urlpatterns]
