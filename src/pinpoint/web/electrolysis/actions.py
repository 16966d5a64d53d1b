"""Every change to electrolysis courses and sessions: one transaction, permission checked, audit written.

The rules are core's: screening and the plan (:mod:`pinpoint.core.hair`, :mod:`pinpoint.core.hair_course`),
the limits of a record (:mod:`pinpoint.core.hair_records`), what a signature covers; these
functions gather the inputs, call core and persist the outcome. Audit events use the shared
vocabulary (``course.create``, ``session.record``, ``session.sign``, ``session.addendum``) with
the electrolysis record as their target.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pinpoint.core.answers import parse_answers
from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.hair import get_modality
from pinpoint.core.hair_course import StartCount, check_count_areas, plan_forecast
from pinpoint.core.hair_records import AreaEntry, check_every_area_recorded, require_area_entry
from pinpoint.core.records import canonical_json, content_sha256
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.idempotency import once
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client
from pinpoint.web.clients.selectors import latest_questionnaire
from pinpoint.web.electrolysis.models import (
    SIGNED_REFUSAL,
    AreaRecord,
    Course,
    ElectrolysisAddendum,
    Session,
    SignedRecordError,
)
from pinpoint.web.electrolysis.selectors import course_sessions, visits_before
from pinpoint.web.electrolysis.signing import content_of

__all__ = ["CourseInput", "add_addendum", "create_course", "record_area", "sign_session", "start_session"]

SIGNED_FIELDS = ("notes", "status", "signed_at", "signed_by", "signed_content", "content_hash")
"""What signing writes on a session row; nothing else of it changes."""


@dataclass(frozen=True)
class CourseInput:
    """What a course is planned from: areas (zone ids), modality, first day, starting count."""

    areas: tuple[str, ...]
    modality: str
    start_on: dt.date
    count: StartCount


def create_course(actor: Actor, client: Client, data: CourseInput, *, key: uuid.UUID | None = None) -> Course:
    """Screen and plan with core from the client's latest electrolysis questionnaire, then keep the course.

    Raises :class:`RefusedError` without an electrolysis questionnaire, core's
    :class:`~pinpoint.core.errors.ScreeningBlockedError` for a blocking finding, and
    :class:`InputError` naming the field for bad input.
    """
    actor.require(Perm.COURSE_PLAN)
    if not data.areas:
        raise InputError("areas", "choose at least one area")
    check_count_areas(data.areas, data.count)
    q = latest_questionnaire(actor, client, "electrolysis")
    if q is None:
        ask = "answer your" if actor.organization.is_personal else "record the client's"
        raise RefusedError("areas", f"{ask} electrolysis questionnaire before planning a course")
    ev = evidence_for(actor.organization)
    answers = parse_answers(q.answers, ev)
    findings: list[dict[str, object]] = []
    for area in data.areas:
        f = plan_forecast(ev, area, data.modality, start=data.start_on, count=data.count, answers=answers)
        if f.plan.screening is not None:
            findings += [x.model_dump(mode="json") for x in f.plan.screening.findings]

    def create() -> Course:
        course = Course.objects.create(
            organization=actor.organization,
            client=client,
            questionnaire=q,
            areas=list(data.areas),
            modality=data.modality,
            start_on=data.start_on,
            count_kind=data.count.kind,
            window_cm2=data.count.window_cm2,
            hairs_seen=data.count.hairs_seen,
            hairs_estimate=data.count.hairs_estimate,
            uncertainty_percent=data.count.uncertainty_percent,
            screening=findings,
            evidence_version=ev.version,
            created_by=actor.user,
        )
        detail = {"treatment": "electrolysis", "areas": list(data.areas), "modality": data.modality}
        record_event(actor, Event.COURSE_CREATE, course, client=client, detail=detail)
        return course

    with transaction.atomic():
        courses = Course.objects.filter(organization=actor.organization)
        return once(actor.user, key, "electrolysis.course", courses, create)


def start_session(actor: Actor, course: Course, on: dt.date | None = None) -> Session:
    """Open the session of ``course`` held on ``on`` (default today; the one already open that day if any).

    Raises :class:`InputError` naming ``performed_on`` for a day after today or before the course's
    first day, and :class:`RefusedError` when the course has a session on a later day.
    """
    actor.require(Perm.SESSION_RUN)
    today = on or actor.today()
    if today > actor.today():
        raise InputError("performed_on", "a session is recorded on the day it is held or later, not before")
    if today < course.start_on:
        raise InputError("performed_on", f"the course starts on {course.start_on:%-d %b %Y}")
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=course.pk, organization=actor.organization)
        existing = Session.objects.filter(organization=actor.organization, course=course, performed_on=today).first()
        if existing is not None:
            return existing
        if Session.objects.filter(organization=actor.organization, course=course, performed_on__gt=today).exists():
            raise RefusedError("performed_on", "this course has a session on a later date")
        number = Session.objects.filter(organization=actor.organization, course=course).count() + 1
        session = Session.objects.create(
            organization=actor.organization,
            course=course,
            client_id=course.client_id,
            number=number,
            performed_on=today,
            practitioner=actor.user,
        )
        record_event(actor, Event.SESSION_START, session, client=course.client, detail={"treatment": "electrolysis"})
        return session


def _visit(actor: Actor, session: Session, area: str) -> int:
    sessions = course_sessions(actor, session.course)
    return visits_before(session, sessions).get(area, 0) + 1


def record_area(actor: Actor, session: Session, entry: AreaEntry) -> AreaRecord:
    """Record (or correct, before signing) one area of ``session``, checked against core's limits.

    Raises :class:`InputError` naming the field (the limit and its sources in the message) and
    :class:`SignedRecordError` once the session is signed.
    """
    actor.require(Perm.SESSION_RUN)
    if session.is_signed:
        raise SignedRecordError(SIGNED_REFUSAL, url=session.get_absolute_url())
    if entry.area not in session.course.areas:
        raise InputError("area", "this area is not in the course")
    ev = evidence_for(actor.organization)
    if entry.modality != session.course.modality:
        raise InputError("modality", f"the course uses {get_modality(ev, session.course.modality).name}")
    require_area_entry(ev, entry, visit=_visit(actor, session, entry.area))
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk, organization=actor.organization)
        if locked.is_signed:
            raise SignedRecordError(SIGNED_REFUSAL, url=session.get_absolute_url())
        values = {k: v for k, v in entry.__dict__.items() if k != "area"}
        record, _ = AreaRecord.objects.update_or_create(
            organization=actor.organization, session=session, area=entry.area, defaults=values
        )
        record_event(actor, Event.SESSION_RECORD, session, client=session.client, detail={"area": entry.area})
        return record


def sign_session(actor: Actor, session: Session, notes: str = "") -> Session:
    """Sign ``session``: every course area recorded, content and SHA-256 stored, the session sealed."""
    actor.require(Perm.SESSION_SIGN)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk, organization=actor.organization)
        if locked.is_signed:
            raise SignedRecordError(SIGNED_REFUSAL, url=session.get_absolute_url())
        records = list(AreaRecord.objects.filter(session=locked).order_by("area"))
        check_every_area_recorded(evidence_for(actor.organization), session.course.areas, (r.area for r in records))
        locked.notes = notes.strip()
        locked.status = Session.Status.SIGNED
        locked.signed_at = timezone.now()
        locked.signed_by = actor.user
        content = content_of(locked, records)
        locked.signed_content = canonical_json(content)
        locked.content_hash = content_sha256(content)
        locked.save(update_fields=SIGNED_FIELDS)
        record_event(actor, Event.SESSION_SIGN, locked, client=session.client, detail={"hash": locked.content_hash})
        return locked


def add_addendum(actor: Actor, session: Session, text: str) -> ElectrolysisAddendum:
    """Add a sealed addendum to a signed session."""
    actor.require(Perm.SESSION_ADDENDUM)
    if not session.is_signed:
        raise InputError("text", "addenda are added to signed sessions; edit the record until it is signed")
    if not text.strip():
        raise InputError("text", "write the addendum")
    with transaction.atomic():
        addendum = ElectrolysisAddendum.objects.create(
            organization=actor.organization, session=session, text=text.strip(), author=actor.user
        )
        record_event(actor, Event.SESSION_ADDENDUM, addendum, client=session.client, detail={"session": session.pk})
        return addendum
