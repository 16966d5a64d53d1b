"""Electrolysis courses and sessions through the API: list and read, plan a course, open a session, save an area.

Every read goes through the electrolysis app's tenant-scoped selectors and every write through its
actions (:mod:`pinpoint.web.electrolysis.actions`), so the API checks what the pages check: the
role, the organization, core's screening of the client's electrolysis questionnaire and core's
limits of each recorded field (a value outside them answers 400 naming the field, with the limit
and its sources). Signing stays a person's act in the app. A course read carries core's forecast
of each area: the planned one with its band and the one fitted to the signed counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field, StringConstraints

from pinpoint.core.errors import PinpointError
from pinpoint.core.hair_course import CountKind, CourseForecast, Learned, StartCount
from pinpoint.core.hair_records import AreaEntry
from pinpoint.web.api.auth import actor, writer
from pinpoint.web.api.errors import READ, WRITE
from pinpoint.web.api.pagination import DEFAULT_LIMIT, CursorQ, LimitQ, Page, PkPath, page
from pinpoint.web.api.schemas import Id
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.clients.selectors import get_client
from pinpoint.web.electrolysis import actions, selectors
from pinpoint.web.electrolysis.models import AreaRecord, Course, Session

__all__ = ["router"]

router = Router(tags=["electrolysis"])

LIST_READ = {**READ, 400: READ[404]}  # 400: a cursor this list did not return
Amount = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]
"""A recorded number (its unit is in the field's name); core says what is allowed clinically."""
Count = Annotated[int, Field(ge=0, le=2**31 - 1)]


# --------------------------------------------------------------------------- shapes


class ElectrolysisCourseIn(Schema):
    """An electrolysis course to plan with core from the client's latest electrolysis questionnaire.

    ``count_kind``: ``window`` (``window_cm2`` and ``hairs_seen``), ``estimate`` (``hairs_estimate``
    on the whole area and ``uncertainty_percent``) or ``default`` (the evidence's density).
    """

    areas: Annotated[list[Id], Field(min_length=1, max_length=20)]
    modality: Id
    start_on: dt.date
    count_kind: CountKind = "default"
    window_cm2: Amount | None = None
    hairs_seen: Count | None = None
    hairs_estimate: Count | None = None
    uncertainty_percent: Amount | None = None


class AreaForecastOut(Schema):
    """One area's forecast: planned from the starting count (with its band), then fitted to the signed counts."""

    area: str
    planned: CourseForecast
    learned: Learned
    hours_recorded: float = Field(description="hours recorded on the area in signed sessions")
    problem: str = Field(description="why the signed counts could not be fitted (empty: they could)")


class ElectrolysisCourseOut(Schema):
    """An electrolysis course; ``forecast`` is given when one course is read, not in lists."""

    id: int
    client_id: int
    questionnaire_id: int
    areas: list[str]
    modality: str
    start_on: dt.date
    count_kind: str
    window_cm2: float | None
    hairs_seen: int | None
    hairs_estimate: int | None
    uncertainty_percent: float | None
    screening: list[dict[str, Any]]
    evidence_version: str
    created_at: dt.datetime
    forecast: list[AreaForecastOut] | None = None


class AreaRecordIn(Schema):
    """One area of a running session (units in the names); core checks each value against its limits."""

    probe_type: Id
    probe_size: Id
    current_ma: Amount | None = None
    intensity_w: Amount | None = None
    seconds_per_insertion: Amount
    insertions: Count
    hairs_removed: Count
    minutes: Amount
    reaction: Id
    aftercare_given: bool = False
    window_cm2: Amount | None = None
    hairs_seen: Count | None = None


class AreaRecordOut(Schema):
    """What was done on one area in a session."""

    area: str
    modality: str
    probe_type: str
    probe_size: str
    current_ma: float | None
    intensity_w: float | None
    seconds_per_insertion: float
    insertions: int
    hairs_removed: int
    minutes: float
    reaction: str
    aftercare_given: bool
    window_cm2: float | None
    hairs_seen: int | None


class ElectrolysisSessionOut(Schema):
    """An electrolysis session with its area records; ``status`` is in_progress or signed."""

    id: int
    course_id: int
    client_id: int
    number: int
    performed_on: dt.date
    status: str
    notes: str
    signed_at: dt.datetime | None
    content_hash: str
    areas: list[AreaRecordOut]


class SessionStartIn(Schema):
    """Open the course's session on a date (the one already open that day, if any)."""

    on: dt.date


# --------------------------------------------------------------------------- shaping

_COURSE_FIELDS = (
    "client_id",
    "questionnaire_id",
    "areas",
    "modality",
    "start_on",
    "count_kind",
    "window_cm2",
    "hairs_seen",
    "hairs_estimate",
    "uncertainty_percent",
    "screening",
    "evidence_version",
    "created_at",
)
_COURSE_FIELD_OF = {"area": "areas", "zone": "areas", "start": "start_on"}
_AREA_FIELDS = tuple(AreaRecordOut.model_fields)


def _course(c: Course, forecast: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"id": c.pk, **{f: getattr(c, f) for f in _COURSE_FIELDS}, "forecast": forecast}


def _area(r: AreaRecord) -> dict[str, Any]:
    return {f: getattr(r, f) for f in _AREA_FIELDS}


def _session(x: Session) -> dict[str, Any]:
    fields = ("course_id", "client_id", "number", "performed_on", "status", "notes", "signed_at", "content_hash")
    return {"id": x.pk, **{f: getattr(x, f) for f in fields}, "areas": [_area(r) for r in x.areas.all()]}


def _forecast(request: HttpRequest, course: Course) -> list[dict[str, Any]]:
    who = actor(request)
    ev = evidence_for(who.organization)
    sessions = selectors.course_sessions(who, course)
    out = []
    for area in course.areas:
        f = selectors.forecast_area(ev, course, area, sessions)
        hours = f.recorded[-1][2] if f.recorded else 0.0
        out.append(
            {"area": area, "planned": f.planned, "learned": f.learned, "hours_recorded": hours, "problem": f.problem}
        )
    return out


def _one_session(request: HttpRequest, session: Session) -> dict[str, Any]:
    sessions = selectors.course_sessions(actor(request), session.course)
    return _session(next(s for s in sessions if s.pk == session.pk))


# --------------------------------------------------------------------------- courses


@router.get(
    "/clients/{client_id}/electrolysis/courses",
    response={200: Page[ElectrolysisCourseOut], **LIST_READ},
    summary="List electrolysis courses",
)
def list_courses(request: HttpRequest, client_id: PkPath, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT) -> Any:
    """The client's electrolysis courses (read one course for its forecast)."""
    who = actor(request)
    return page(request, selectors.courses_of(who, get_client(who, client_id)), cursor, limit, _course)


@router.post(
    "/clients/{client_id}/electrolysis/courses",
    response={201: ElectrolysisCourseOut, **WRITE},
    summary="Plan an electrolysis course",
)
def create_course(request: HttpRequest, client_id: PkPath, body: ElectrolysisCourseIn) -> Any:
    """Plan a course screened by core from the client's latest electrolysis questionnaire.

    Without such a questionnaire, or with a blocking finding, it answers 422; an unknown area or
    modality, or a starting count the area cannot hold, answers 400 naming the field.
    """
    who = writer(request)
    client = get_client(who, client_id)
    count = StartCount(
        kind=body.count_kind,
        window_cm2=body.window_cm2,
        hairs_seen=body.hairs_seen,
        hairs_estimate=body.hairs_estimate,
        uncertainty_percent=body.uncertainty_percent,
    )
    data = actions.CourseInput(tuple(body.areas), body.modality, body.start_on, count)
    try:
        course = actions.create_course(who, client, data)
    except PinpointError as exc:
        exc.field = _COURSE_FIELD_OF.get(exc.field, exc.field)  # core names one area; the body lists them
        raise
    return Status(201, _course(course, _forecast(request, course)))


@router.get(
    "/electrolysis/courses/{course_id}",
    response={200: ElectrolysisCourseOut, **READ},
    summary="Read an electrolysis course with its forecast",
)
def read_course(request: HttpRequest, course_id: PkPath) -> Any:
    """One course with core's forecast of each area, planned and fitted to the signed counts."""
    who = actor(request)
    course = selectors.get_course(who, course_id)
    record_view(who, course.client, "electrolysis_course", course.pk)
    return _course(course, _forecast(request, course))


@router.get(
    "/electrolysis/courses/{course_id}/sessions",
    response={200: Page[ElectrolysisSessionOut], **LIST_READ},
    summary="List an electrolysis course's sessions",
)
def list_sessions(
    request: HttpRequest, course_id: PkPath, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT
) -> Any:
    """The course's sessions with their area records."""
    who = actor(request)
    course = selectors.get_course(who, course_id)
    return page(request, selectors.sessions_of_course(who, course), cursor, limit, _session)


@router.post(
    "/electrolysis/courses/{course_id}/sessions",
    response={200: ElectrolysisSessionOut, **WRITE},
    summary="Open an electrolysis session",
)
def start_session(request: HttpRequest, course_id: PkPath, body: SessionStartIn) -> Any:
    """Open the course's session on ``on`` (the one already open that day is returned as it is)."""
    who = writer(request)
    session = actions.start_session(who, selectors.get_course(who, course_id), body.on)
    return _one_session(request, session)


# --------------------------------------------------------------------------- sessions


@router.get(
    "/electrolysis/sessions/{session_id}",
    response={200: ElectrolysisSessionOut, **READ},
    summary="Read an electrolysis session",
)
def read_session(request: HttpRequest, session_id: PkPath) -> Any:
    """One session with its area records."""
    who = actor(request)
    session = selectors.get_session(who, session_id)
    record_view(who, session.client, "electrolysis_session", session.pk)
    return _one_session(request, session)


@router.put(
    "/electrolysis/sessions/{session_id}/areas/{area}",
    response={200: ElectrolysisSessionOut, **WRITE},
    summary="Save an area of a running electrolysis session",
)
def save_area(
    request: HttpRequest,
    session_id: PkPath,
    area: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00]*$")],
    body: AreaRecordIn,
) -> Any:
    """Record (or correct) one area of a session before it is signed; core checks every value.

    The modality is the course's. A signed session answers 409; signing is done in the app.
    """
    who = writer(request)
    session = selectors.get_session(who, session_id)
    entry = AreaEntry(area=area, modality=session.course.modality, **body.model_dump())
    actions.record_area(who, session, entry)
    return _one_session(request, session)
