"""URL map of the web load benchmark: the project's URLs plus a trivial view as the baseline, and two floors.

The trivial view goes through the same middleware (sessions, authentication, tenancy, axes) as
every page, so the ratio page/trivial measures the page's own work. The two floor views measure
what every page of a client's record pays before its own work, each with the project's own code:

- ``floor_actor``: a page (``page`` with the permission the timeline needs) that reads its actor
  (``actor_of``) and answers a few bytes;
- ``floor_view_log``: the same, plus the client read and the sealed record-view log exactly as the
  timeline writes them (``get_client``, then ``record_view(actor, client, "timeline")``).

These URLs exist only in this map (``web_bench_settings``): the product's URL map has none of them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.selectors import get_client
from pinpoint.web.urls import urlpatterns as project_urlpatterns

TRIVIAL_PATH = "bench/trivial/"
FLOOR_ACTOR_PATH = "bench/floor-actor/"
FLOOR_VIEW_LOG_PATH = "bench/floor-view-log/<int:pk>/"


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
    """A client record page's floor: the above, the client read and its view logged and sealed as the timeline does."""
    actor = actor_of(request)
    client = get_client(actor, pk)
    view = record_view(actor, client, "timeline")
    return HttpResponse(f"ok {view.pk}".encode(), content_type="text/plain")


urlpatterns = [
    path(TRIVIAL_PATH, trivial, name="bench-trivial"),
    path(FLOOR_ACTOR_PATH, floor_actor, name="bench-floor-actor"),
    path(FLOOR_VIEW_LOG_PATH, floor_view_log, name="bench-floor-view-log"),
    *project_urlpatterns,
]
