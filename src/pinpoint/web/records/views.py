"""Pages that read several apps: the client list and a client's timeline and change history, a device unit's page.

Their URLs keep their names (``clients:list``, ``clients:detail``, ``clients:history``,
``devices:detail``): ``records.urls`` serves them beside the pages of ``clients`` and ``devices``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.forms import SearchForm
from pinpoint.web.clients.selectors import get_client
from pinpoint.web.devices.selectors import get_unit, units, with_status
from pinpoint.web.records.clients import client_history as history
from pinpoint.web.records.clients import client_page, timeline
from pinpoint.web.treatments.selectors import unit_sessions

PAGE_SIZE = 50
CURSOR_MAX = 1000


@page(Perm.CLIENT_VIEW)
def client_list(request: HttpRequest) -> HttpResponse:
    """Clients of the organization in name order, searchable, 50 a page from a cursor (plain links)."""
    actor = actor_of(request)
    form = SearchForm(request.GET)
    search = form.cleaned_data["q"] if form.is_valid() else ""
    after, before = request.GET.get("after", ""), request.GET.get("before", "")
    page_obj = client_page(actor, search, after=after[:CURSOR_MAX], before=before[:CURSOR_MAX], size=PAGE_SIZE)
    return render(request, "clients/list.html", {"page": page_obj, "q": search, "form": form})


@page(Perm.CLIENT_VIEW)
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's timeline, 20 entries a page (``?page=2``): questionnaires, consents, courses, sessions;
    screening today and for the next session; every course summed up on every page."""
    actor = actor_of(request)
    client = get_client(actor, pk)
    record_view(actor, client, "timeline")
    t = timeline(actor, client, request.GET.get("page"))
    return render(request, "clients/detail.html", {"client": client, "t": t})


@page(Perm.AUDIT_VIEW)
def client_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to the client's records (owner only), and who viewed them."""
    actor = actor_of(request)
    client = get_client(actor, pk)
    return render(request, "clients/history.html", {"client": client, **history(actor, client)})


@page(Perm.DEVICE_MANAGE)
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One unit: status and every session that used it."""
    actor = actor_of(request)
    unit = get_unit(actor, pk)
    row = with_status(actor, units(actor).filter(pk=unit.pk), actor.today())[0]
    sessions = unit_sessions(actor, unit)
    return render(request, "devices/detail.html", {"row": row, "sessions": sessions})
