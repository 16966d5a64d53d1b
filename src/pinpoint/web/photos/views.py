"""Photo pages: a client's photos by view, taking photos (in a session or as a diary), one photo, a comparison,
the marketing set, and the image bytes (after checking who asks, logged, never cached)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from pinpoint.core.errors import InputError, PinpointError
from pinpoint.core.photos import PhotoSet, compare_key, photo_set, photo_sets, protocol
from pinpoint.evidence.loader import Evidence
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.forms import add_error, set_choices
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.base.views import actor_of, page
from pinpoint.web.clients.selectors import get_client
from pinpoint.web.photos import selectors, storage
from pinpoint.web.photos.actions import PhotoInput, course_treatment, course_zones, take_photo
from pinpoint.web.photos.forms import DiaryChoiceForm, PhotoForm
from pinpoint.web.photos.models import Photo
from pinpoint.web.treatments.models import Course, Session
from pinpoint.web.treatments.selectors import get_session

__all__ = ["client_photos", "compare", "marketing", "photo_detail", "photo_image", "photo_thumb", "session_photos"]


def _cards(
    actor: Actor, ev: Evidence, sets: tuple[PhotoSet, ...], previous: dict[tuple[str, str, str], Photo], taken: Any
) -> list[dict[str, Any]]:
    """One card per set: each view with how to take it, the photo taken, the previous one (the overlay)."""
    out = []
    for ps in sets:
        views = []
        for v in ps.views:
            views.append(
                {
                    "view": v,
                    "taken": taken.get((ps.zone, v.id)),
                    "previous": previous.get(compare_key(ev, ps.series, v.id, ps.zone)),
                    "form": PhotoForm(initial={"zone": ps.zone, "view": v.id}, auto_id=f"id_{ps.zone}_{v.id}_%s"),
                }
            )
        out.append({"set": ps, "views": views})
    return out


def _take(request: HttpRequest, actor: Actor, data: PhotoInput, form: PhotoForm) -> bool:
    try:
        take_photo(actor, data, form.cleaned_data["photo"])
    except PinpointError as exc:
        add_error(form, exc)
        return False
    return True


def _session_sets(ev: Evidence, session: Session) -> tuple[PhotoSet, ...]:
    course = session.course
    zones = [zp.zone for zp in course.plan_obj().zones]
    try:
        return photo_sets(ev, zones, course_treatment(ev, course))
    except PinpointError:
        return ()


@page(Perm.PHOTO_TAKE)
def session_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo step of a session: each standard view of the session's zones, with last time's photo to line up."""
    actor = actor_of(request)
    session = get_session(actor, pk)
    ev = evidence_for(actor.organization)
    sets = _session_sets(ev, session)
    on = session.performed_on or actor.today()
    bad: tuple[str, str, PhotoForm] | None = None
    if request.method == "POST":
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            data = PhotoInput(course=session.course, zone=d["zone"], view=d["view"], taken_on=on, session=session)
            if _take(request, actor, data, form):
                messages.success(request, "Photo saved.")
                return redirect(f"{reverse('photos:session', args=[pk])}#view-{d['zone']}-{d['view']}")
        bad = (str(form["zone"].value()), str(form["view"].value()), form)
    record_view(actor, session.client, "session photos", session.pk)
    previous = selectors.previous_photos(actor, ev, session.client, on, session.pk)
    cards = _cards(actor, ev, sets, previous, selectors.session_photos(actor, session.pk))
    if bad is not None:
        for card in cards:
            for v in card["views"]:
                if (card["set"].zone, v["view"].id) == bad[:2]:
                    v["form"] = bad[2]
    status = 400 if bad is not None else 200
    ctx = {"s": session, "client": session.client, "cards": cards, "on": on, "evidence": ev, "setup": _setup(ev)}
    return render(request, "photos/take.html", ctx, status=status)


def _setup(ev: Evidence) -> str:
    return str(ev.extra["photos"].protocol.setup)


def _course_label(ev: Evidence, course: Course) -> str:
    ind = ev.indications.get(course.indication)
    return f"{ind.name if ind else course.indication} from {course.start_on:%d %B %Y}"


def _diary_choice(actor: Actor, ev: Evidence, client_pk: int, data: Any) -> tuple[DiaryChoiceForm, list[Course]]:
    courses = list(Course.objects.filter(organization=actor.organization, client_id=client_pk).order_by("-start_on"))
    form = DiaryChoiceForm(data, initial={"taken_on": actor.today()})
    set_choices(form, "course", [(str(c.pk), _course_label(ev, c)) for c in courses])
    zones = {z: ev.zones[z].name for c in courses for z in course_zones(c) if z in ev.zones}
    set_choices(form, "zone", list(zones.items()))
    return form, courses


@page(Perm.PHOTO_VIEW)
def client_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's photos by view and date, and the diary: photos on a chosen day for a course's zone."""
    actor = actor_of(request)
    client = get_client(actor, pk)
    ev = evidence_for(actor.organization)
    choice, courses = _diary_choice(actor, ev, client.pk, request.GET if "course" in request.GET else None)
    cards: list[dict[str, Any]] = []
    status = 200
    form: PhotoForm | None = None
    if choice.is_bound and choice.is_valid() and actor.can(Perm.PHOTO_TAKE):
        course = next(c for c in courses if c.pk == choice.cleaned_data["course"])
        zone, on = choice.cleaned_data["zone"], choice.cleaned_data["taken_on"]
        if request.method == "POST":
            form = PhotoForm(request.POST, request.FILES)
            if form.is_valid():
                d = form.cleaned_data
                data = PhotoInput(course=course, zone=d["zone"], view=d["view"], taken_on=on)
                if _take(request, actor, data, form):
                    messages.success(request, "Photo saved.")
                    return redirect(request.get_full_path())
            status = 400
        sets: tuple[PhotoSet, ...] = ()
        try:
            sets = (_diary_set(ev, course, zone),)
        except PinpointError as exc:
            add_error(choice, exc)
        previous = selectors.previous_photos(actor, ev, client, on)
        taken = {(p.zone, p.view): p for p in selectors.client_photos(actor, client).filter(taken_on=on, session=None)}
        cards = _cards(actor, ev, sets, previous, taken)
        if form is not None and form.errors:
            for card in cards:
                for v in card["views"]:
                    if v["view"].id == form["view"].value():
                        v["form"] = form
    elif request.method == "POST":
        raise Http404
    record_view(actor, client, "photos")
    rows = selectors.timeline(actor, ev, client)
    ctx = {"client": client, "rows": rows, "choice": choice, "cards": cards, "evidence": ev, "setup": _setup(ev)}
    return render(request, "photos/client.html", ctx, status=status)


def _diary_set(ev: Evidence, course: Course, zone: str) -> PhotoSet:
    """The views for ``zone`` of ``course`` (core's set, filed under the zone)."""
    if zone not in course_zones(course):
        raise InputError("zone", "the course does not treat this zone")
    return photo_set(ev, zone, course_treatment(ev, course))


@page(Perm.PHOTO_VIEW)
def photo_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One photo: what it shows, when, who took it, the consent that allows it and whether marketing may use it."""
    actor = actor_of(request)
    photo = selectors.get_photo(actor, pk)
    ev = evidence_for(actor.organization)
    record_view(actor, photo.client, "photo", photo.pk)
    key = compare_key(ev, photo.series, photo.view, photo.zone)
    ctx = {
        "photo": photo,
        "client": photo.client,
        "evidence": ev,
        "compare_zone": key[2],
        "protocol": protocol(ev),
        "view_name": selectors.view_name(ev, photo.view),
        "shows": selectors.shows(ev, photo),
    }
    return render(request, "photos/detail.html", ctx)


@page(Perm.PHOTO_VIEW)
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The same view across dates: side by side, and a slider over two chosen dates."""
    actor = actor_of(request)
    client = get_client(actor, pk)
    ev = evidence_for(actor.organization)
    series, view, zone = (request.GET.get(k, "")[:64] for k in ("series", "view", "zone"))
    row = selectors.comparison(actor, ev, client, series, view, zone)
    photos = row.latest_by_date
    if not photos:
        raise Http404
    record_view(actor, client, "photo comparison")
    before, after = _pair(request, photos)
    ctx = {"client": client, "row": row, "photos": photos, "before": before, "after": after, "evidence": ev}
    return render(request, "photos/compare.html", ctx)


def _pair(request: HttpRequest, photos: list[Photo]) -> tuple[Photo, Photo]:
    by_id = {str(p.pk): p for p in photos}
    before = by_id.get(request.GET.get("before", ""), photos[-2] if len(photos) > 1 else photos[0])
    after = by_id.get(request.GET.get("after", ""), photos[-1])
    return before, after


@page(Perm.PHOTO_MARKETING)
def marketing(request: HttpRequest) -> HttpResponse:
    """Photos that may be used for marketing now: consent to marketing given and not withdrawn."""
    actor = actor_of(request)
    groups = selectors.marketing_photos(actor)
    ctx = {"groups": dict(groups), "evidence": evidence_for(actor.organization)}
    return render(request, "photos/marketing.html", ctx)


def _image_response(request: HttpRequest, key: str, *, thumb: bool) -> HttpResponse:
    actor = actor_of(request)
    photo = selectors.get_photo_by_key(actor, key)
    small = thumb and bool(photo.thumb_name)  # a photo taken before thumbnails were made: the image itself
    try:
        data = storage.open_bytes(photo.thumb_name if small else photo.stored_name)
    except (OSError, FileNotFoundError):
        raise Http404 from None
    record_view(actor, photo.client, "photo thumbnail" if thumb else "photo image", photo.pk)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    name = f"photo-{photo.pk}{'-small' if small else ''}.jpg"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@page(Perm.PHOTO_VIEW)
def photo_image(request: HttpRequest, key: str) -> HttpResponse:
    """The image bytes of the photo stored under ``key``: checked, logged, private and never cached."""
    return _image_response(request, key, thumb=False)


@require_GET
@page(Perm.PHOTO_VIEW)
def photo_thumb(request: HttpRequest, key: str) -> HttpResponse:
    """The thumbnail of the photo stored under ``key`` (for lists), checked and logged like the image."""
    return _image_response(request, key, thumb=True)
