"""Photos through the API: a client's photos, taking one for a course (multipart upload), and the image bytes.

Every read goes through the photos app's tenant-scoped selectors and the upload through its action
(:func:`pinpoint.web.photos.actions.take_photo`), so the API checks what the pages check: the role,
the organization, the consent to clinical photos, the file by its content. Each read is recorded
in the audit trail; the image is served privately and never cached, like the page's image view.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status
from pydantic import Field

from pinpoint.core.errors import InputError
from pinpoint.web.api.auth import actor, writer
from pinpoint.web.api.errors import READ, WRITE
from pinpoint.web.api.pagination import DEFAULT_LIMIT, CursorQ, LimitQ, Page, PkPath, page
from pinpoint.web.api.schemas import Id
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.clients.selectors import get_client
from pinpoint.web.photos import selectors, storage
from pinpoint.web.photos.actions import PhotoInput, take_photo
from pinpoint.web.photos.models import Photo
from pinpoint.web.treatments.selectors import get_course, get_session

__all__ = ["PhotoOut", "router"]

router = Router(tags=["photos"])

LIST_READ = {**READ, 400: READ[404]}
JPEG = {"content": {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}}


class PhotoOut(Schema):
    """One photo: what it shows, when, under which consent; the image itself at ``image``."""

    id: int
    client_id: int
    course_id: int
    session_id: int | None
    consent_id: int | None
    zone: str
    series: str
    view: str
    view_name: str
    taken_on: dt.date
    width: int = Field(description="pixels")
    height: int = Field(description="pixels")
    size_bytes: int
    sha256: str = Field(description="SHA-256 of the stored image (sealed with the record)")
    marketing_allowed: bool
    created_at: dt.datetime
    image: str = Field(description="API path of the image bytes (add ?size=small for the thumbnail)")


def _photo(p: Photo, view_name: str) -> dict[str, Any]:
    fields = ("client_id", "course_id", "session_id", "consent_id", "zone", "series", "view", "taken_on")
    more = ("width", "height", "size_bytes", "sha256", "created_at")
    return {
        "id": p.pk,
        **{f: getattr(p, f) for f in (*fields, *more)},
        "view_name": view_name,
        "marketing_allowed": p.marketing_allowed,
        "image": f"/api/photos/{p.pk}/image",
    }


@router.get(
    "/clients/{client_id}/photos", response={200: Page[PhotoOut], **LIST_READ}, summary="List a client's photos"
)
def list_photos(request: HttpRequest, client_id: PkPath, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT) -> Any:
    """The client's photos in the order they were stored (the list is recorded in the audit trail)."""
    who = actor(request)
    client = get_client(who, client_id)
    photos = selectors.client_photos(who, client)  # the role may see photos (403 before anything is recorded)
    ev = evidence_for(who.organization)
    record_view(who, client, "photos")
    return page(request, photos, cursor, limit, lambda p: _photo(p, selectors.view_name(ev, p.view)))


@router.post("/courses/{course_id}/photos", response={201: PhotoOut, **WRITE}, summary="Take a photo")
def upload_photo(
    request: HttpRequest,
    course_id: PkPath,
    zone: Annotated[Id, Form()],
    view: Annotated[Id, Form()],
    taken_on: Annotated[dt.date, Form()],
    photo: Annotated[UploadedFile, File()],
    session_id: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> Any:
    """Store one standard view of a zone of the course: checked by content, re-encoded without metadata, sealed.

    Needs a consent to clinical photos in force on ``taken_on`` (422 otherwise); a file that is not
    a readable JPEG, PNG or WebP photo within the limits answers 400 naming the field ``photo``.
    """
    who = writer(request)
    course = get_course(who, course_id)
    session = get_session(who, session_id) if session_id is not None else None
    if session is not None and session.course_id != course.pk:
        raise InputError("session_id", "the session belongs to another course")
    data = PhotoInput(course=course, zone=zone, view=view, taken_on=taken_on, session=session)
    made = take_photo(who, data, photo)
    return Status(201, _photo(made, selectors.view_name(evidence_for(who.organization), made.view)))


@router.get(
    "/photos/{photo_id}/image",
    response={200: bytes, **READ},
    summary="Download a photo",
    openapi_extra={"responses": {200: {"description": "The photo as a JPEG", **JPEG}}},
)
def download_photo(
    request: HttpRequest, photo_id: PkPath, size: Annotated[Literal["full", "small"], Query()] = "full"
) -> Any:
    """The stored JPEG (``size=small``: the thumbnail made at upload); private, never cached, recorded."""
    who = actor(request)
    p = selectors.get_photo(who, photo_id)
    small = size == "small" and bool(p.thumb_name)
    try:
        data = storage.open_bytes(p.thumb_name if small else p.stored_name)
    except OSError:
        raise Http404 from None
    record_view(who, p.client, "photo thumbnail" if small else "photo image", p.pk)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = f'inline; filename="photo-{p.pk}{"-small" if small else ""}.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
