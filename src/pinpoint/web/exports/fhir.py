"""Writing one organization's (or one client's) records as a FHIR Bundle, streamed to a text file."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pinpoint.core.errors import PinpointError
from pinpoint.evidence.loader import load_evidence
from pinpoint.interop.bundle import BundleWriter
from pinpoint.interop.codes import Codes
from pinpoint.interop.fhir import Mapper, Version
from pinpoint.web.accounts.models import Organization
from pinpoint.web.exports import follow_up
from pinpoint.web.exports.selectors import Scope
from pinpoint.web.photos.storage import open_bytes

__all__ = ["write_bundle"]


def _microneedling(w: BundleWriter, m: Mapper, scope: Scope, people: set[int], units: set[int]) -> None:
    """Courses as CarePlans; sessions as Appointments, Encounters and a Procedure per treated zone."""
    org = scope.org
    for course, sessions in scope.courses():
        people.add(course.created_by_id)
        w.add(m.care_plan(course, sessions))
        for s in sessions:
            if s.performer_id:
                people.add(s.performer_id)
            units.update(z.device_unit_id for z in s.zones if z.device_unit_id is not None)
            w.add(m.appointment(s, org.time_zone))
            w.add(m.encounter(s, org.pk))
            for p in m.procedures(s, course):
                w.add(p)


def _electrolysis(w: BundleWriter, m: Mapper, scope: Scope, people: set[int]) -> None:
    """Electrolysis courses as CarePlans; each recorded area a Procedure, each window count an Observation."""
    for course, sessions in scope.electrolysis():
        people.add(course.created_by_id)
        w.add(m.electrolysis_care_plan(course, sessions))
        for s in sessions:
            people.add(s.performer_id)
            for resource in m.electrolysis_procedures(s):
                w.add(resource)


def _image(photo_id: int, name: str) -> bytes:
    """The stored file of a photo; a file lost without an erasure stops the export naming the photo."""
    try:
        return open_bytes(name)
    except FileNotFoundError:
        msg = f"photo {photo_id}: its stored file is missing and no erasure deleted it (pinpoint verify lists it)"
        raise PinpointError("photo", msg) from None


def _photos(w: BundleWriter, m: Mapper, scope: Scope, people: set[int]) -> None:
    """Each photo as Media (R4B) or DocumentReference (R5) with its image in a Binary, one file in memory at a time."""
    for photo in scope.photos():
        people.add(photo.taken_by_id)
        image = None if photo.erased else _image(photo.id, photo.file)
        for resource in m.photo(photo, image):
            w.add(resource)
        del image


def write_bundle(
    out: Any, org: Organization, version: Version, *, now: dt.datetime, client_id: int | None = None
) -> int:
    """Write the bundle of ``org`` (or of its client ``client_id``) to ``out``; the number of entries."""
    ev = load_evidence()
    scope = Scope(org, ev, client_id)
    m = Mapper(version, Codes(ev))
    suffix = f"-client-{client_id}" if client_id is not None else ""
    w = BundleWriter(out, version, bundle_id=f"org-{org.pk}{suffix}", timestamp=now)
    people: set[int] = set() if client_id is not None else scope.member_ids()
    units: set[int] = set()
    versions: set[str] = set()
    w.add(m.organization(scope.organization()))
    for c in scope.clients():
        w.add(m.patient(c))
    for q in scope.questionnaires():
        versions.add(q.evidence_version)
        people.add(q.recorded_by_id)
        w.add(m.questionnaire_response(q))
    for con in scope.consents():
        w.add(m.consent(con, org.pk))
    _microneedling(w, m, scope, people, units)
    _electrolysis(w, m, scope, people)
    _photos(w, m, scope, people)
    for score in follow_up.scores(scope):
        people.add(score.recorded_by_id)
        w.add(m.score(score))
    for event in follow_up.adverse_events(scope):
        people.add(event.reported_by_id)
        units.update(event.unit_ids)
        w.add(m.adverse_event(event))
    for v in sorted(versions):
        w.add(m.questionnaire(v))
    for d in scope.devices(units if client_id is not None else None):
        w.add(m.device(d))
    for person in scope.people(people):
        w.add(m.practitioner(person))
    for code_system in m.code_systems():
        w.add(code_system)
    w.close()
    return w.count
