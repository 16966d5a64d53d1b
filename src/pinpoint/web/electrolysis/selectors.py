"""Reads of electrolysis courses and sessions, for this app's pages and the readers above it (ADR 0011).

Every read is scoped to the actor's organization and checks the permission to see clients. The
forecast is core's (:mod:`pinpoint.core.hair_course`): these functions gather the course's inputs
and its signed counts and call it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, Expression, F, Func, Max, Prefetch, Q, QuerySet, Subquery
from django.db.models.sql.compiler import SQLCompiler
from django.shortcuts import get_object_or_404

from pinpoint.core.errors import InputError
from pinpoint.core.hair_course import (
    CourseForecast,
    Learned,
    StartCount,
    learned_forecast,
    longest_spacing_days,
    next_due,
    plan_forecast,
    planned_schedule,
    window_removed,
)
from pinpoint.core.hair_records import AreaEntry
from pinpoint.core.planning import AftercareLine, aftercare_for
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import Setting
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client
from pinpoint.web.electrolysis.models import AreaRecord, Course, Session

__all__ = [
    "AreaForecast",
    "DueCourse",
    "aftercare_lines",
    "all_courses",
    "area_records_of_courses",
    "course_areas",
    "course_sessions",
    "courses_of",
    "due_courses",
    "entry_of",
    "forecast_area",
    "get_course",
    "get_session",
    "sessions_between",
    "sessions_for_export",
    "sessions_of_course",
    "sessions_of_courses",
    "start_count",
    "timeline_entries",
    "visits_before",
]


def get_course(actor: Actor, pk: int) -> Course:
    """The course ``pk`` of the actor's organization with its client, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(Course.objects.select_related("client"), organization=actor.organization, pk=pk)


def get_session(actor: Actor, pk: int) -> Session:
    """The session ``pk`` of the actor's organization with its course, client and signer, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    qs = Session.objects.select_related("course", "client", "signed_by", "practitioner")
    return get_object_or_404(qs, organization=actor.organization, pk=pk)


def course_sessions(actor: Actor, course: Course) -> list[Session]:
    """The course's sessions in order, each with its area records and addenda (three queries)."""
    actor.require(Perm.CLIENT_VIEW)
    return list(
        Session.objects.filter(organization=actor.organization, course=course)
        .select_related("signed_by")
        .prefetch_related(Prefetch("areas", queryset=AreaRecord.objects.order_by("area")), "addenda")
        .order_by("number")
    )


def sessions_of_course(actor: Actor, course: Course) -> QuerySet[Session]:
    """The course's sessions in order, with their area records (one more query), for paged lists."""
    actor.require(Perm.CLIENT_VIEW)
    return Session.objects.filter(organization=actor.organization, course=course).prefetch_related(
        Prefetch("areas", queryset=AreaRecord.objects.order_by("area"))
    )


def courses_of(actor: Actor, client: Client) -> QuerySet[Course]:
    """The client's electrolysis courses, newest first."""
    actor.require(Perm.CLIENT_VIEW)
    return Course.objects.filter(organization=actor.organization, client=client)


def timeline_entries(actor: Actor, client: Client) -> list[tuple[dt.date, str, object]]:
    """The client's electrolysis courses and sessions as timeline entries ``(date, kind, object)`` (two queries)."""
    actor.require(Perm.CLIENT_VIEW)
    org = actor.organization
    courses = list(Course.objects.filter(organization=org, client=client))
    sessions = list(
        Session.objects.filter(organization=org, client=client)
        .select_related("signed_by")
        .annotate(addenda_count=Count("addenda"))
    )
    return [(c.start_on, "electrolysis_course", c) for c in courses] + [
        (s.performed_on, "electrolysis_session", s) for s in sessions
    ]


def sessions_between(actor: Actor, first: dt.date, last: dt.date) -> QuerySet[Session]:
    """The organization's electrolysis sessions performed from ``first`` to ``last`` (dates, inclusive)."""
    actor.require(Perm.DASHBOARD_VIEW)
    return (
        Session.objects.filter(organization=actor.organization, performed_on__range=(first, last))
        .select_related("client", "course")
        .order_by("performed_on", "client__full_name", "number")
    )


def sessions_for_export(organization_id: int, client_ids: list[int] | None = None) -> QuerySet[Session]:
    """Signed electrolysis sessions of an organization (or of some of its clients) with their area records."""
    qs = Session.objects.filter(organization_id=organization_id, status=Session.Status.SIGNED)
    if client_ids is not None:
        qs = qs.filter(client_id__in=client_ids)
    return qs.select_related("course").prefetch_related("areas").order_by("pk")


def all_courses() -> QuerySet[Course]:
    """Every electrolysis course (the exports scope it to an organization or a client)."""
    return Course.objects.all()


def sessions_of_courses(course_ids: list[int]) -> QuerySet[Session]:
    """The sessions of the courses ``course_ids``, by course and number (for the exports)."""
    return Session.objects.filter(course_id__in=course_ids).order_by("course_id", "number")


def area_records_of_courses(course_ids: list[int]) -> QuerySet[AreaRecord]:
    """The area records of the sessions of the courses ``course_ids``, by session and area (for the exports)."""
    return AreaRecord.objects.filter(session__course_id__in=course_ids).order_by("session_id", "area")


def entry_of(r: AreaRecord) -> AreaEntry:
    """An area record as core's :class:`AreaEntry`."""
    return AreaEntry(
        area=r.area,
        modality=r.modality,
        probe_type=r.probe_type,
        probe_size=r.probe_size,
        current_ma=r.current_ma,
        intensity_w=r.intensity_w,
        seconds_per_insertion=r.seconds_per_insertion,
        insertions=r.insertions,
        hairs_removed=r.hairs_removed,
        minutes=r.minutes,
        reaction=r.reaction,
        aftercare_given=r.aftercare_given,
        window_cm2=r.window_cm2,
        hairs_seen=r.hairs_seen,
    )


def visits_before(session: Session, sessions: list[Session]) -> dict[str, int]:
    """For each area, how many signed sessions of the course recorded it before ``session``."""
    out: dict[str, int] = defaultdict(int)
    for s in sessions:
        if s.is_signed and s.number < session.number:
            for r in s.areas.all():
                out[r.area] += 1
    return out


def start_count(course: Course) -> StartCount:
    """The course's starting count as core's :class:`StartCount`."""
    kind = course.count_kind if course.count_kind in ("window", "estimate") else "default"
    return StartCount(
        kind=kind,  # type: ignore[arg-type]  # narrowed above
        window_cm2=course.window_cm2,
        hairs_seen=course.hairs_seen,
        hairs_estimate=course.hairs_estimate,
        uncertainty_percent=course.uncertainty_percent,
    )


@dataclass(frozen=True)
class AreaForecast:
    """One area of a course: the planned forecast with its band, the fit of the signed counts, recorded hours."""

    area: str
    planned: CourseForecast
    learned: Learned
    recorded: list[tuple[int, dt.date, float]]
    """Signed sessions on the area: (session number, date, cumulative hours recorded)."""
    problem: str = ""
    """Why the recorded counts could not be fitted (empty: they could)."""


def forecast_area(evidence: Evidence, course: Course, area: str, sessions: list[Session]) -> AreaForecast:
    """Plan and learn one area of ``course`` from its signed sessions (no query beyond ``sessions``' prefetch)."""
    planned = plan_forecast(evidence, area, course.modality, start=course.start_on, count=start_count(course))
    area_cm2 = evidence.zones[area].area_cm2.value
    rows: list[dict[str, object]] = []
    recorded: list[tuple[int, dt.date, float]] = []
    hours = 0.0
    for s in sessions:
        if not s.is_signed:
            continue
        for r in s.areas.all():
            if r.area != area:
                continue
            hours += r.minutes / 60
            recorded.append((s.number, s.performed_on, round(hours, 2)))
            if r.window_cm2 is not None and r.hairs_seen is not None:
                rows.append(
                    {
                        "date": s.performed_on.isoformat(),
                        "window_cm2": r.window_cm2,
                        "hairs_seen": r.hairs_seen,
                        "hairs_removed": window_removed(area_cm2, r.window_cm2, r.hairs_seen, r.hairs_removed),
                    }
                )
    try:
        learned, problem = learned_forecast(evidence, area, course.modality, rows), ""
    except InputError as exc:
        learned, problem = learned_forecast(evidence, area, course.modality, []), exc.message
    return AreaForecast(area=area, planned=planned, learned=learned, recorded=recorded, problem=problem)


def course_areas(evidence: Evidence, course: Course, sessions: list[Session]) -> list[dict[str, Any]]:
    """Each area of the course as its page and its print show it: the plan with its band, the fit, hours so far."""
    rows = []
    for area in course.areas:
        f = forecast_area(evidence, course, area, sessions)
        planned = f.planned
        cumulative, forecast_hours = 0.0, []
        for s in planned.plan.sessions:
            cumulative += s.minutes_used / 60
            forecast_hours.append(round(cumulative, 1))
        hours = [
            {"number": n, "date": d, "recorded": h, "forecast": forecast_hours[i] if i < len(forecast_hours) else None}
            for i, (n, d, h) in enumerate(f.recorded)
        ]
        rows.append(
            {
                "id": area,
                "name": evidence.zones[area].name,
                "f": f,
                "plan": planned.plan,
                "low": planned.low,
                "high": planned.high,
                "density": planned.density,
                "sessions_band": sorted(p.sessions_total for p in (planned.plan, planned.low, planned.high))[::2],
                "hours_band": sorted(p.hours_total for p in (planned.plan, planned.low, planned.high))[::2],
                "schedule": planned.plan.schedule[:12],
                "more": max(len(planned.plan.schedule) - 12, 0),
                "hours": hours,
            }
        )
    return rows


def aftercare_lines(evidence: Evidence, setting: Setting) -> tuple[AftercareLine, ...]:
    """The aftercare of an electrolysis session (core's lines with how long each lasts), at home or in a clinic."""
    return aftercare_for(evidence, "electrolysis", setting, 0.0)


@dataclass(frozen=True)
class DueCourse:
    """An electrolysis course whose next session is due on ``due`` (session ``number``)."""

    course: Course
    due: dt.date
    number: int


_SCHEDULES: dict[tuple[int, object, str], tuple[dt.date, ...]] = {}
_SCHEDULES_MAX = 2048
"""Planned schedules kept per process, by course and evidence version (a course's inputs never change)."""


def _schedule(evidence: Evidence, course: Course, area: str) -> tuple[dt.date, ...]:
    key = (course.pk, course.created_at, f"{evidence.version}:{area}")
    if key not in _SCHEDULES:
        if len(_SCHEDULES) >= _SCHEDULES_MAX:
            _SCHEDULES.clear()
        try:
            dates = planned_schedule(evidence, area, course.modality, start=course.start_on, count=start_count(course))
        except InputError:
            dates = ()
        _SCHEDULES[key] = dates
    return _SCHEDULES[key]


class _AmongIds(Func):
    """``key IN (ids)``, written on PostgreSQL as ``key = ANY(ARRAY(ids))``.

    PostgreSQL then reads the ids first and fetches each row by its key. For ``IN`` it judged from
    the dates a few thousand ids likely and read every course of the organization to join them
    (at a million clients, 100,000 courses for 99 ids: 45 ms, against 7 ms; docs/scale).
    """

    output_field = BooleanField()

    def __init__(self, key: Expression | F, ids: Subquery) -> None:
        super().__init__(key, ids)

    def _parts(self, compiler: SQLCompiler) -> tuple[str, str, tuple[Any, ...]]:
        (key, key_params), (ids, ids_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return key, ids, (*key_params, *ids_params)

    def as_sql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        key, ids, params = self._parts(compiler)
        return f"{key} IN {ids}", params

    def as_postgresql(self, compiler: SQLCompiler, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        key, ids, params = self._parts(compiler)
        return f"{key} = ANY(ARRAY{ids})", params


def due_courses(actor: Actor, today: dt.date, first: dt.date, last: dt.date, limit: int) -> list[DueCourse]:
    """Courses whose next session falls due from ``first`` to ``last`` (dates), soonest first (one query).

    The due day is core's (:func:`~pinpoint.core.hair_course.next_due`): the last session plus the
    planned spacing after as many sessions, the earliest over the course's areas. A course with a
    session today is not due. Only a course with a session or its start on or after ``first`` less
    the longest planned spacing can fall due from ``first``, so only those are read (through the
    indexes by organization and date: the last weeks' courses, not the whole history), and of them
    the ``limit`` with the latest activity are looked at.
    """
    actor.require(Perm.DASHBOARD_VIEW)
    ev = evidence_for(actor.organization)
    org = actor.organization
    since = first - dt.timedelta(days=longest_spacing_days(ev))
    recent = Session.objects.filter(organization=org, performed_on__gte=since).order_by().values("course_id")
    started = Course.objects.filter(organization=org, start_on__gte=since).order_by().values("pk")
    courses = (
        Course.objects.filter(_AmongIds(F("pk"), Subquery(recent.union(started))), organization=org)
        .annotate(held=Count("sessions"), last=Max("sessions__performed_on"))
        .filter(Q(last__lt=today) | Q(last__isnull=True))
        .select_related("client")
        .order_by("-last", "-start_on", "-pk")[:limit]
    )
    out = []
    for c in courses:
        held, when = int(getattr(c, "held", 0)), getattr(c, "last", None)
        dues = [d for a in c.areas if (d := next_due(_schedule(ev, c, a), held, when)) is not None]
        if dues and first <= min(dues) <= last:
            out.append(DueCourse(course=c, due=min(dues), number=held + 1))
    return sorted(out, key=lambda d: (d.due, d.course.client.full_name, d.course.pk))
