"""Reading an organization's rows as the plain records of :mod:`pinpoint.interop.records`, in chunks.

Every read is scoped to one organization (and to one client when asked) and goes through
``.iterator()`` or pages of :data:`CHUNK` rows, so an export holds one chunk at a time, never the
organization. Sessions come with their course, in course order, with their zone records fetched
per chunk (one query per chunk, not per session).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.text import slugify

from pinpoint.core.erasure import pseudonym
from pinpoint.core.hair import get_modality
from pinpoint.evidence.loader import Evidence
from pinpoint.interop.records import (
    AreaRec,
    ClientRec,
    ConsentRec,
    CourseRec,
    DeviceRec,
    ElectrolysisCourseRec,
    ElectrolysisSessionRec,
    OrganizationRec,
    PersonRec,
    PhotoRec,
    QuestionnaireRec,
    SessionRec,
    ZoneRec,
)
from pinpoint.web.accounts.models import Organization, User
from pinpoint.web.audit.erasures import erased_file_names
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.consents.models import Consent
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.electrolysis import selectors as el
from pinpoint.web.photos.models import Photo
from pinpoint.web.photos.selectors import shows
from pinpoint.web.treatments.models import Course, Session, ZoneRecord

__all__ = ["CHUNK", "Scope", "find_organization"]

CHUNK = 2000
"""Rows per query when streaming."""
COURSES = 100
"""Courses per chunk: a chunk's sessions and their records are held together, so this bounds the memory."""


def find_organization(ref: str) -> Organization | None:
    """The organization named by ``ref``: its id, or its name as a slug (``demo-clinic``)."""
    if ref.isdigit():
        return Organization.objects.filter(pk=int(ref)).first()
    for org in Organization.objects.order_by("pk").iterator():
        if slugify(org.name) == ref:
            return org
    return None


def _ids(qs: QuerySet[Any], size: int = COURSES) -> Iterator[list[int]]:
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1]


@dataclass
class Scope:
    """One organization's records, optionally one client's."""

    org: Organization
    ev: Evidence
    client_id: int | None = None

    def _f(self, qs: QuerySet, client_field: str = "client_id") -> QuerySet:  # type: ignore[type-arg]
        qs = qs.filter(organization=self.org)
        return qs.filter(**{client_field: self.client_id}) if self.client_id is not None else qs

    def organization(self) -> OrganizationRec:
        """The organization."""
        o = self.org
        return OrganizationRec(o.pk, o.name, o.kind, o.time_zone)

    def people(self, ids: set[int]) -> Iterator[PersonRec]:
        """The users ``ids`` (members or not)."""
        for u in User.objects.filter(pk__in=ids).order_by("pk").iterator(chunk_size=CHUNK):
            yield PersonRec(u.pk, u.full_name, u.email)

    def member_ids(self) -> set[int]:
        """The organization's members."""
        return set(self.org.memberships.values_list("user_id", flat=True))

    def clients(self) -> Iterator[ClientRec]:
        """The clients (one with ``client_id``)."""
        qs = self._f(Client.objects.all(), "pk").order_by("pk")
        for c in qs.iterator(chunk_size=CHUNK):
            erased = c.full_name == pseudonym(c.pk)
            yield ClientRec(c.pk, c.organization_id, c.full_name, c.birth_date, c.email, c.phone, erased)

    def photos(self) -> Iterator[PhotoRec]:
        """The photos (records only; ``erased`` when an erasure deleted the file), oldest first."""
        erased = erased_file_names(self.org.pk)
        qs = self._f(Photo.objects.all()).select_related("session").order_by("pk")
        for p in qs.iterator(chunk_size=CHUNK):
            started = p.session is not None and p.session.status in ("signed", "in_progress")
            yield PhotoRec(
                p.pk, p.client_id, p.course_id, p.session_id, started, p.zone, p.view, p.taken_on, p.taken_by_id,
                p.stored_name, p.sha256, p.width, p.height, p.size_bytes, shows(self.ev, p), p.stored_name in erased,
            )  # fmt: skip

    def devices(self, ids: set[int] | None = None) -> Iterator[DeviceRec]:
        """The device units (only ``ids`` when given)."""
        qs = DeviceUnit.objects.filter(organization=self.org)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        for d in qs.order_by("pk").iterator(chunk_size=CHUNK):
            yield DeviceRec(d.pk, d.organization_id, d.catalog_id, d.label, d.lot_number, d.expires_on, d.retired_on)

    def questionnaires(self) -> Iterator[QuestionnaireRec]:
        """The questionnaire snapshots."""
        for q in self._f(Questionnaire.objects.all()).order_by("pk").iterator(chunk_size=CHUNK):
            yield QuestionnaireRec(q.pk, q.client_id, q.taken_on, q.evidence_version, q.recorded_by_id, q.answers)

    def consents(self) -> Iterator[ConsentRec]:
        """The signed consents."""
        for c in self._f(Consent.objects.all()).order_by("pk").iterator(chunk_size=CHUNK):
            yield ConsentRec(
                c.pk, c.client_id, c.treatment, c.title, c.text, c.template_version, c.signer, c.signed_at,
                c.recorded_by_id, c.photo_clinical, c.photo_marketing, c.withdrawn_at,
            )  # fmt: skip

    def courses(self) -> Iterator[tuple[CourseRec, list[SessionRec]]]:
        """Each course with its sessions (and their zone records), a chunk of courses at a time."""
        for ids in _ids(self._f(Course.objects.all())):
            sessions: dict[int, list[Session]] = defaultdict(list)
            session_rows = list(Session.objects.filter(course_id__in=ids).order_by("course_id", "number"))
            zones: dict[int, list[ZoneRec]] = defaultdict(list)
            zone_qs = ZoneRecord.objects.filter(session__course_id__in=ids).order_by("pk")
            for z in zone_qs.iterator(chunk_size=CHUNK):
                zones[z.session_id].append(
                    ZoneRec(z.pk, z.zone, z.treated, z.device, z.device_unit_id, z.lot_number, z.depth_mm, z.passes)
                )
            for s in session_rows:
                sessions[s.course_id].append(s)
            for course in Course.objects.filter(pk__in=ids).order_by("pk"):
                recs = [self._session(s, zones.get(s.pk, [])) for s in sessions.get(course.pk, [])]
                yield self._course(course, recs), recs

    def _course(self, c: Course, sessions: list[SessionRec]) -> CourseRec:
        ind = self.ev.indications.get(c.indication)
        finished = bool(sessions) and all(s.status in ("signed", "cancelled") for s in sessions)
        return CourseRec(
            c.pk, c.client_id, ind.treatment if ind else "microneedling", c.indication,
            ind.name if ind else c.indication, c.setting, tuple(c.zones), c.start_on, c.created_by_id,
            c.created_at, finished,
        )  # fmt: skip

    @staticmethod
    def _session(s: Session, zones: list[ZoneRec]) -> SessionRec:
        return SessionRec(
            s.pk, s.course_id, s.client_id, s.number, s.status, s.scheduled_on, s.performed_on, s.started_at,
            s.started_by_id, s.signed_at, s.signed_by_id, tuple(zones),
        )  # fmt: skip

    def electrolysis(self) -> Iterator[tuple[ElectrolysisCourseRec, list[ElectrolysisSessionRec]]]:
        """Each electrolysis course with its sessions and their area records, a chunk of courses at a time."""
        for ids in _ids(self._f(el.all_courses())):
            areas: dict[int, list[AreaRec]] = defaultdict(list)
            for a in el.area_records_of_courses(ids):
                areas[a.session_id].append(
                    AreaRec(
                        a.pk, a.area, a.modality, a.probe_type, a.probe_size, a.current_ma, a.intensity_w,
                        a.seconds_per_insertion, a.insertions, a.hairs_removed, a.minutes, a.reaction,
                        a.aftercare_given, a.window_cm2, a.hairs_seen,
                    )
                )  # fmt: skip
            sessions: dict[int, list[ElectrolysisSessionRec]] = defaultdict(list)
            for x in el.sessions_of_courses(ids):
                sessions[x.course_id].append(
                    ElectrolysisSessionRec(
                        x.pk, x.course_id, x.client_id, x.number, x.status, x.performed_on, x.practitioner_id,
                        x.signed_at, x.signed_by_id, tuple(areas.get(x.pk, [])),
                    )
                )  # fmt: skip
            for c in el.all_courses().filter(pk__in=ids).order_by("pk"):
                name = get_modality(self.ev, c.modality).name
                rec = ElectrolysisCourseRec(
                    c.pk, c.client_id, tuple(c.areas), c.modality, name, c.start_on, c.created_by_id, c.created_at
                )
                yield rec, sessions.get(c.pk, [])
