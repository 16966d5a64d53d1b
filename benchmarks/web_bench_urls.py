"""URL map of the web load benchmark: the project's URLs plus a trivial view as the baseline, and two floors.

The trivial view goes through the same middleware (sessions, authentication, tenancy, axes) as
every page, so the ratio page/trivial measures the page's own work. The two floor views measure
what every page of a client's record pays before its own work, each with the project's own code:

- ``floor_actor``: a page (``page`` with the permission the timeline needs) that reads its actor
  (``actor_of``) and answers a few bytes;
- ``floor_view_log``: the same, plus the client read and the sealed record-view log exactly as the
  timeline writes them (``get_client``, then ``record_view(actor, client, "timeline")``).

And ``dashboard_afresh`` and ``timeline_afresh``: the page with its kept body dropped first
(``records.versions.kept_key``), so each request computes it as the first request after a write does.

These URLs exist only in this map (``web_bench_settings``): the product's URL map has none of them.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.urls import path

from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.selectors import get_client
from pinpoint.web.records.dashboard import dashboard
from pinpoint.web.records.versions import data_version_column, kept_key
from pinpoint.web.records.views import client_detail, timeline_key
from pinpoint.web.urls import urlpatterns as project_urlpatterns

TRIVIAL_PATH = "bench/trivial/"
FLOOR_ACTOR_PATH = "bench/floor-actor/"
FLOOR_VIEW_LOG_PATH = "bench/floor-view-log/<int:pk>/"
DASHBOARD_AFRESH_PATH = "bench/dashboard-afresh/"
TIMELINE_AFRESH_PATH = "bench/timeline-afresh/<int:pk>/"


def trivial(request: HttpRequest) -> HttpResponse:
    """Two bytes of plain text, no query of its own."""
    return HttpResponse(b"ok", content_type="text/plain")


@page(Perm.CLIENT_VIEW)
def floor_actor(request: HttpRequest) -> HttpResponse:
    """A signed-in page's floor: the guard of the timeline's permission and the actor; its organization's id."""
    actor = actor_of(request)
    return HttpResponse(f"ok {actor.org_id}".encode(), content_type="text/plain")


@page(Perm.CLIENT_VIEW)
def floor_view_log(request: HttpRequest, pk: int) -> HttpResponse:
    """A client record page's floor: the above, the client read and its view logged and sealed as the timeline does.

    The client is read as the timeline reads it, with the organization's data version in the same statement.
    """
    actor = actor_of(request)
    client = get_client(actor, pk, data_version=data_version_column(actor.org_id))
    view = record_view(actor, client, "timeline")
    return HttpResponse(f"ok {view.pk}".encode(), content_type="text/plain")


@page(Perm.DASHBOARD_VIEW)
def dashboard_afresh(request: HttpRequest) -> HttpResponse:
    """The dashboard computed afresh: its kept page is dropped first (one more query: the data version)."""
    actor = actor_of(request)
    key = kept_key("dashboard", request, actor, actor.today())
    if key is not None:
        cache.delete(key)
    return dashboard(request)


@page(Perm.CLIENT_VIEW)
def timeline_afresh(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's timeline computed afresh: its kept page dropped first (two more queries: the client, the version)."""
    actor = actor_of(request)
    key = timeline_key(request, actor, get_client(actor, pk).pk)
    if key is not None:
        cache.delete(key)
    return client_detail(request, pk)


urlpatterns = [
    path(TRIVIAL_PATH, trivial, name="bench-trivial"),
    path(FLOOR_ACTOR_PATH, floor_actor, name="bench-floor-actor"),
    path(FLOOR_VIEW_LOG_PATH, floor_view_log, name="bench-floor-view-log"),
    path(DASHBOARD_AFRESH_PATH, dashboard_afresh, name="bench-dashboard-afresh"),
    path(TIMELINE_AFRESH_PATH, timeline_afresh, name="bench-timeline-afresh"),
    *project_urlpatterns,
]
