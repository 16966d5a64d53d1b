"""Pages that read several apps: the client list and a client's timeline and change history, a device unit's page.

Their URLs keep their names (``clients:list``, ``clients:detail``, ``clients:history``,
``devices:detail``): ``records.urls`` serves them beside the pages of ``clients`` and ``devices``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pinpoint.evidence import load_evidence
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.forms import SearchForm
from pinpoint.web.clients.selectors import ScreeningResult, get_client
from pinpoint.web.devices.selectors import get_unit, units, with_status
from pinpoint.web.records.clients import Timeline, client_page, timeline
from pinpoint.web.records.clients import client_history as history
from pinpoint.web.records.links import link
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
    for _, kind, obj in t.entries:
        obj.href = _entry_link(kind, client.pk, obj.pk)  # type: ignore[attr-defined]
    for summary in t.summaries:
        summary.course.href = _entry_link(summary.kind, client.pk, summary.course.pk)  # type: ignore[union-attr]
    return render(request, "clients/detail.html", {"client": client, "t": t, "body_key": _body_key(t)})


def _row(obj: Any) -> list[tuple[str, Any]] | None:
    """Every value a record read for the page holds (columns, annotations, its address), by name."""
    return None if obj is None else sorted((k, v) for k, v in vars(obj).items() if k != "_state")


def _screened(r: ScreeningResult | None) -> tuple[Any, ...] | None:
    return None if r is None else (r.on, _row(r.questionnaire), r.screening, r.error)


def _body_key(t: Timeline) -> str:
    """A digest of everything the timeline's cached fragment shows (``{% cache %}`` in ``clients/detail.html``).

    The fragment (the screenings, the courses summed up, the page of entries) is kept by what it
    shows, not by time: each record on it enters with every value it was read with, each screening
    whole, with the page and the evidence that names things; a change to any of them gives another
    digest, hence a fresh rendering.
    """
    shown = (
        load_evidence().version,
        t.client.pk,
        _screened(t.today),
        _row(t.next_session),
        _screened(t.next_screening),
        [(c.kind, _row(c.course), c.sessions, c.signed, c.booked) for c in t.summaries],
        t.page,
        [(day, kind, _row(obj)) for day, kind, obj in t.entries],
    )
    return hashlib.blake2b(repr(shown).encode(), digest_size=20).hexdigest()


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
