"""Taking a photo: check who, what and the consent, clean the image, store it, write the row and the audit event.

The file (and its thumbnail) is stored before the row is written; if anything after that fails, the
files are removed again, so a failed upload leaves neither an orphan file nor a row. When the photo
is taken inside a caller's transaction that later rolls back, the files are removed once that is
known (:func:`discard_rolled_back`, see :mod:`pinpoint.web.photos.storage`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO

from django.db import models, transaction

from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.photos import PhotoSet, photo_set, protocol
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import Treatment
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.consents.models import Consent
from pinpoint.web.photos import storage
from pinpoint.web.photos.imaging import clean_image, thumbnail
from pinpoint.web.photos.models import Photo
from pinpoint.web.treatments.models import Course, Session
from pinpoint.web.treatments.selectors import consent_in_force

__all__ = ["PhotoInput", "course_treatment", "course_zones", "discard_rolled_back", "take_photo"]


@dataclass(frozen=True)
class PhotoInput:
    """What a photo shows: a zone of the course, a standard view, the day taken, the session if any."""

    course: Course
    zone: str
    view: str
    taken_on: dt.date
    session: Session | None = None


def course_treatment(ev: Evidence, course: Course) -> Treatment:
    """The treatment of ``course`` (from its indication in the evidence)."""
    ind = ev.indications.get(course.indication)
    if ind is None:
        raise InputError("course", f"no standard photo views are known for the course's indication {course.indication}")
    return ind.treatment


def course_zones(course: Course) -> list[str]:
    """The zones of ``course``: as chosen, then as the plan expanded them (a face's parts)."""
    zones = list(course.zones)
    zones += [zp.zone for zp in course.plan_obj().zones if zp.zone not in zones]
    return zones


def _photo_set(actor: Actor, ev: Evidence, data: PhotoInput) -> PhotoSet:
    course = data.course
    if course.organization_id != actor.org_id:
        raise InputError("course", "unknown course")
    if data.session is not None and data.session.course_id != course.pk:
        raise InputError("session", "the session belongs to another course")
    if data.zone not in course_zones(course):
        names = ", ".join(ev.zones[z].name for z in course.zones if z in ev.zones)
        raise InputError("zone", f"the course treats {names}; choose one of those")
    ps = photo_set(ev, data.zone, course_treatment(ev, course))
    ps.view(data.view)
    if data.taken_on > actor.today():
        raise InputError("taken_on", "the photo cannot be dated after today")
    if data.taken_on < course.created_at.date() - dt.timedelta(days=366):
        raise InputError("taken_on", "the photo cannot be dated more than a year before the course was planned")
    return ps


def _consent(actor: Actor, ev: Evidence, data: PhotoInput) -> Consent | None:
    """The consent allowing the photo; none needed in a personal space (people photographing themselves)."""
    if actor.organization.is_personal:
        return None
    treatment = course_treatment(ev, data.course)
    consent = consent_in_force(actor, data.course.client, treatment, data.taken_on)
    if consent is None or not consent.photo_clinical:
        msg = (
            f"{data.course.client.full_name} has no consent to clinical photos in force on "
            f"{data.taken_on:%d %B %Y}: record a consent that allows photos first"
        )
        raise RefusedError("photo", msg)
    return consent


def _still_stored(names: set[str]) -> set[str]:
    """Which of ``names`` belong to a photo row (the image or its thumbnail)."""
    rows = Photo.objects.filter(models.Q(stored_name__in=names) | models.Q(thumb_name__in=names))
    return {n for pair in rows.values_list("stored_name", "thumb_name") for n in pair} & names


def discard_rolled_back() -> int:
    """Remove stored photo files whose rows were rolled back after the photo's own block; how many."""
    return storage.discard_rolled_back(_still_stored)


def take_photo(actor: Actor, data: PhotoInput, upload: IO[bytes]) -> Photo:
    """Check, clean, store and record one photo and its thumbnail, sealed (the files removed again on any failure)."""
    actor.require(Perm.PHOTO_TAKE)
    ev = evidence_for(actor.organization)
    ps = _photo_set(actor, ev, data)
    consent = _consent(actor, ev, data)
    image = clean_image(upload)
    thumb = thumbnail(image)
    discard_rolled_back()
    key = storage.new_key()
    names: list[str] = []
    try:
        names.append(storage.store(key, image.data))
        names.append(storage.store(key, thumb.data, ".thumb"))
        name, thumb_name = names
        with transaction.atomic():
            proto, version = protocol(ev)
            photo = Photo(
                organization=actor.organization,
                client=data.course.client,
                course=data.course,
                session=data.session,
                consent=consent,
                zone=ps.zone,
                series=ps.series,
                view=data.view,
                protocol=f"{proto}:{version}",
                taken_on=data.taken_on,
                key=key,
                stored_name=name,
                sha256=image.sha256,
                width=image.width,
                height=image.height,
                size_bytes=len(image.data),
                thumb_name=thumb_name,
                thumb_sha256=thumb.sha256,
                taken_by=actor.user,
            )
            photo.save(force_insert=True)
            detail = {"zone": ps.zone, "view": data.view, "taken_on": data.taken_on.isoformat()}
            record_event(actor, Event.PHOTO_TAKE, photo, client=data.course.client, detail=detail)
    except BaseException:
        for stored in names:
            storage.remove(stored)
        raise
    storage.remember_until_commit(tuple(names))
    return photo
