"""Pages that read several apps: the client list and a client's timeline and change history, a device unit's page.

Their URLs keep their names (``clients:list``, ``clients:detail``, ``clients:history``,
``devices:detail``): ``records.urls`` serves them beside the pages of ``clients`` and ``devices``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor, permission_names
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.forms import SearchForm
from pinpoint.web.clients.models import Client
from pinpoint.web.clients.selectors import get_client
from pinpoint.web.devices.selectors import get_unit, units, with_status
from pinpoint.web.records.clients import Timeline, client_page, timeline
from pinpoint.web.records.clients import client_history as history
from pinpoint.web.records.links import link
from pinpoint.web.records.versions import UNREAD, Unread, data_version_column, kept, kept_key
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
    screening today and for the next session; every course summed up on every page.

    Every view is logged. The page's content (the client's details, the buttons her role may use,
    the screenings, the courses summed up, the page of entries) is kept, rendered, under the
    organization's data version with the client, the role and the page asked for
    (:func:`pinpoint.web.records.versions.kept_key`, ADR 0015): read again only after a write to
    the organization's records or a new day. The data version is read with the client, in one
    statement, before the view is logged and the body's records are read.
    """
    actor = actor_of(request)
    client = get_client(actor, pk, data_version=data_version_column(actor.org_id))
    record_view(actor, client, "timeline")
    key = timeline_key(request, actor, client.pk, client.data_version)  # type: ignore[attr-defined]
    body = kept(
        key,
        lambda: render_to_string(
            "clients/_timeline_page.html",
            {"client": client, "actor": actor, "can": permission_names(actor), "t": _timeline(actor, client, request)},
        ),
    )
    return render(request, "clients/detail.html", {"client": client, "body": body, "kept_key": key})


def timeline_key(
    request: HttpRequest, actor: Actor, client_pk: int, version: str | Unread | None = UNREAD
) -> str | None:
    """The key a timeline's page is kept under: the client's, for the actor's role, the page asked for, today."""
    return kept_key("timeline", request, actor, actor.today(), client_pk, actor.role, version=version)


def _timeline(actor: Actor, client: Client, request: HttpRequest) -> Timeline:
    """The timeline's page asked for, each record and course with its address."""
    t = timeline(actor, client, request.GET.get("page"))
    for _, kind, obj in t.entries:
        obj.href = _entry_link(kind, client.pk, obj.pk)  # type: ignore[attr-defined]
    for summary in t.summaries:
        summary.course.href = _entry_link(summary.kind, client.pk, summary.course.pk)  # type: ignore[union-attr]
    return t


_ENTRY_URLS = {
    "consent": "consents:detail",
    "withdrawal": "consents:detail",
    "course": "treatments:course",
    "session": "treatments:session",
    "electrolysis_course": "electrolysis:course",
    "electrolysis_session": "electrolysis:session",
}


def _entry_link(kind: str, client_pk: int, pk: int) -> str:
    """The address of a timeline entry's record (a questionnaire's under its client's)."""
    if kind == "questionnaire":
        return link("clients:questionnaire", client_pk, pk)
    return link(_ENTRY_URLS[kind], pk)


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
