"""Tenant-scoped reads of photos: by id or key, a client's timeline by view, one view compared, the marketing set."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from pinpoint.core.errors import PinpointError
from pinpoint.core.photos import compare_key, standard_view
from pinpoint.core.zones import zone_name
from pinpoint.evidence.loader import Evidence
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client
from pinpoint.web.consents.models import Consent
from pinpoint.web.photos.models import Photo, later_marketing_refusals

__all__ = [
    "ViewRow",
    "client_photos",
    "comparison",
    "get_photo",
    "get_photo_by_key",
    "marketing_photos",
    "previous_photos",
    "session_photos",
    "shows",
    "timeline",
    "view_name",
]


def _refusals() -> QuerySet[Consent]:
    """For a photo's row: the client's consents signed after the photo's that refuse marketing photos."""
    return later_marketing_refusals(OuterRef("organization_id"), OuterRef("client_id"), OuterRef("consent__signed_at"))


def _scoped(actor: Actor) -> QuerySet[Photo]:
    """The organization's photos with their consent and when a later consent of the client refused marketing."""
    return (
        Photo.objects.filter(organization=actor.organization)
        .select_related("consent")
        .annotate(later_marketing_refusal=Subquery(_refusals().values("signed_at")[:1]))
    )


def get_photo(actor: Actor, pk: int) -> Photo:
    """The photo ``pk`` of the actor's organization, else 404."""
    actor.require(Perm.PHOTO_VIEW)
    return get_object_or_404(_scoped(actor).select_related("client", "session", "taken_by"), pk=pk)


def get_photo_by_key(actor: Actor, key: str) -> Photo:
    """The photo stored under ``key`` in the actor's organization, else 404."""
    actor.require(Perm.PHOTO_VIEW)
    return get_object_or_404(_scoped(actor).select_related("client"), key=key)


def client_photos(actor: Actor, client: Client) -> QuerySet[Photo]:
    """Every photo of ``client``, oldest first."""
    actor.require(Perm.PHOTO_VIEW)
    return _scoped(actor).filter(client=client)


@dataclass
class ViewRow:
    """One comparable view of a client (a series' view, and the zone for a close-up), with its photos by date."""

    series: str
    view: str
    zone: str
    title: str
    photos: list[Photo] = field(default_factory=list)

    @property
    def latest_by_date(self) -> list[Photo]:
        """The newest photo of each date (a retake on the same day replaces the earlier one)."""
        by_date: dict[dt.date, Photo] = {}
        for p in self.photos:
            by_date[p.taken_on] = p
        return list(by_date.values())


def view_name(ev: Evidence, view: str) -> str:
    """The standard view's name in words ("Left three-quarter"), else the stored id."""
    try:
        return standard_view(ev, view).name
    except PinpointError:
        return view


def shows(ev: Evidence, p: Photo) -> str:
    """What the photo shows in words: the series of a shared view ("Face"), else the zone ("Left cheek")."""
    series = ev.extra["photos"].series.get(p.series)
    if series is not None and series.shared:
        return str(series.name)
    return zone_name(ev, p.zone)


def _title(ev: Evidence, p: Photo, key_zone: str) -> str:
    """The view's name, and the zone's for a close-up series (``key_zone`` set); a shared series (the face) has none."""
    name = view_name(ev, p.view)
    where = zone_name(ev, p.zone) if key_zone else ""
    return f"{name}: {where}" if where else name


def timeline(actor: Actor, ev: Evidence, client: Client) -> list[ViewRow]:
    """The client's photos grouped by comparable view, in the evidence order of views (one query)."""
    rows: dict[tuple[str, str, str], ViewRow] = {}
    for p in client_photos(actor, client):
        key = compare_key(ev, p.series, p.view, p.zone)
        if key not in rows:
            rows[key] = ViewRow(series=p.series, view=p.view, zone=key[2], title=_title(ev, p, key[2]))
        rows[key].photos.append(p)
    order = {v: i for i, v in enumerate(ev.extra["photos"].views)}
    return sorted(rows.values(), key=lambda r: (r.series, r.zone, order.get(r.view, 99)))


def comparison(actor: Actor, ev: Evidence, client: Client, series: str, view: str, zone: str) -> ViewRow:
    """One comparable view of ``client`` across dates (empty when nothing matches)."""
    row = ViewRow(series=series, view=view, zone=zone, title="")
    qs = client_photos(actor, client).filter(series=series, view=view)
    if zone:
        qs = qs.filter(zone=zone)
    row.photos = list(qs)
    if row.photos:
        row.title = _title(ev, row.photos[0], zone)
    return row


def session_photos(actor: Actor, session_pk: int) -> dict[tuple[str, str], Photo]:
    """The newest photo of each (zone filed under, view) taken in the session."""
    out: dict[tuple[str, str], Photo] = {}
    for p in _scoped(actor).filter(session_id=session_pk):
        out[p.zone, p.view] = p
    return out


def previous_photos(
    actor: Actor, ev: Evidence, client: Client, before: dt.date, session_pk: int | None = None
) -> dict[tuple[str, str, str], Photo]:
    """For each comparable view, the newest photo of ``client`` taken before ``before`` (or in another session)."""
    out: dict[tuple[str, str, str], Photo] = {}
    qs = client_photos(actor, client).filter(taken_on__lte=before)
    for p in qs:
        if p.taken_on == before and (session_pk is None or p.session_id == session_pk):
            continue
        out[compare_key(ev, p.series, p.view, p.zone)] = p
    return out


def marketing_photos(actor: Actor) -> defaultdict[Client, list[Photo]]:
    """Photos whose consent allows marketing use now: a withdrawn consent, or a later consent of the client
    refusing marketing photos, hides them at once."""
    actor.require(Perm.PHOTO_MARKETING)
    qs = (
        _scoped(actor)
        .filter(consent__photo_marketing=True, consent__withdrawn_at__isnull=True)
        .exclude(Exists(_refusals()))
        .select_related("client")
        .order_by("client__full_name", "taken_on", "pk")
    )
    out: defaultdict[Client, list[Photo]] = defaultdict(list)
    for p in qs:
        out[p.client].append(p)
    return out
