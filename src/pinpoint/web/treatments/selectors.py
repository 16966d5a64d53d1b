"""Tenant-scoped reads of courses and sessions; another organization's object answers 404."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Hashable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from pinpoint.core.errors import PinpointError
from pinpoint.core.guide import Guide, guide_for_plan
from pinpoint.core.planning import Plan
from pinpoint.core.records import BookedSession
from pinpoint.evidence.loader import Evidence
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.sql import table
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client
from pinpoint.web.clients.selectors import PlanRef, ScreeningResult, screening_for
from pinpoint.web.consents.models import Consent
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.devices.selectors import UnitStatus, choosable
from pinpoint.web.treatments.models import Course, Session, ZoneRecord

__all__ = [
    "SessionContext",
    "SessionRow",
    "booked",
    "consent_in_force",
    "count_between",
    "course_plans",
    "course_sessions",
    "get_course",
    "get_session",
    "open_session_rows",
    "plan_ref",
    "session_context",
    "unit_sessions",
]


def get_course(actor: Actor, pk: int) -> Course:
    """The course ``pk`` of the actor's organization, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(Course.objects.select_related("client"), organization=actor.organization, pk=pk)


def get_session(actor: Actor, pk: int) -> Session:
    """The session ``pk`` of the actor's organization, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(
        Session.objects.select_related("course", "client", "signed_by", "started_by", "override_by"),
        organization=actor.organization,
        pk=pk,
    )


@dataclass
class SessionContext:
    """Everything a session's pages and its runner read, loaded once per request.

    ``plan`` is the course's plan parsed once; ``screening`` is the client's screening on the
    session's day (the booked day before it starts, the day it took place after) and ``guide``
    core's guide shaped by it (``guide_error`` when core cannot guide this plan); ``records``
    maps zone ids to their rows; ``units`` are the organization's units in service, ``unit_rows``
    the same with core's verdict on choosing each on the session's day (expired, recalled, used up).
    """

    session: Session
    plan: Plan
    evidence: Evidence
    records: dict[str, ZoneRecord]
    screening: ScreeningResult
    guide: Guide | None
    guide_error: str
    units: list[DeviceUnit] = field(default_factory=list)
    unit_rows: list[UnitStatus] = field(default_factory=list)

    @property
    def usable_units(self) -> list[DeviceUnit]:
        """The units that may be chosen on the session's day."""
        return [r.unit for r in self.unit_rows if r.usable]

    @property
    def day(self) -> dt.date:
        """The day the session is screened for (see the class docstring)."""
        return self.screening.on


def session_context(actor: Actor, pk: int, *, for_update: bool = False) -> SessionContext:
    """The session ``pk`` of the actor's organization (else 404) with its plan, records, screening and guide.

    ``for_update`` locks the session's row until the caller's transaction ends (call it inside
    ``transaction.atomic()``): the actions that change a session then trust what was read here.
    """
    actor.require(Perm.CLIENT_VIEW)
    qs = Session.objects.select_related("course", "client")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    else:
        qs = qs.select_related("signed_by", "started_by", "override_by")
    session = get_object_or_404(qs, organization=actor.organization, pk=pk)
    plan = session.course.plan_obj()
    evidence = evidence_for(actor.organization)
    records = ZoneRecord.objects.filter(organization=actor.organization, session=session).select_related("device_unit")
    booked_only = session.status == Session.Status.BOOKED
    day = session.scheduled_on if booked_only else session.performed_on or session.scheduled_on
    screening = screening_for(actor, session.client, day, plan)
    try:
        guide, guide_error = guide_for_plan(evidence, plan, screening=screening.screening), ""
    except PinpointError as exc:
        guide, guide_error = None, exc.message
    in_progress = session.status == Session.Status.IN_PROGRESS
    unit_rows = choosable(actor, day, lock=for_update) if in_progress else []
    return SessionContext(
        session=session,
        plan=plan,
        evidence=evidence,
        records={zr.zone: zr for zr in records},
        screening=screening,
        guide=guide,
        guide_error=guide_error,
        units=[r.unit for r in unit_rows],
        unit_rows=unit_rows,
    )


def course_sessions(course: Course) -> QuerySet[Session]:
    """The sessions of ``course`` in date order."""
    return Session.objects.filter(organization=course.organization_id, course=course).order_by("number")


def booked(course: Course) -> list[BookedSession]:
    """The course's sessions that are not cancelled, for spacing checks (recorded depths once signed)."""
    sessions = course_sessions(course).exclude(status=Session.Status.CANCELLED).prefetch_related("zone_records")
    out = []
    for s in sessions:
        depths = None
        if s.is_signed:
            depths = {
                zr.zone: float(zr.depth_mm) for zr in s.zone_records.all() if zr.treated and zr.depth_mm is not None
            }
        out.append(BookedSession(number=s.number, date=s.date, depths_mm=depths or None, signed=s.is_signed))
    return out


def consent_in_force(actor: Actor, client: Client, treatment: str, on: dt.date) -> Consent | None:
    """The latest consent of ``client`` to ``treatment`` in force on ``on``."""
    consents = Consent.objects.filter(organization=actor.organization, client=client, treatment=treatment)
    return next((c for c in consents.order_by("-signed_at") if c.in_force_on(on)), None)


_OPEN = (Session.Status.BOOKED.value, Session.Status.IN_PROGRESS.value)
_OPEN_SQL = f"status IN ('{_OPEN[0]}', '{_OPEN[1]}')"
"""Booked or running, written out: the partial index on open sessions serves only a query that names its values
(the ORM would bind the statuses, which SQLite's planner cannot match to a partial index)."""


def count_between(actor: Actor, spans: dict[str, tuple[dt.date, dt.date]]) -> dict[str, int]:
    """For each named span ``(first, last)`` (inclusive), how many booked or running sessions of the organization
    it holds; one query, which the index of open sessions answers alone."""
    names = list(spans)
    sums = ", ".join("SUM(CASE WHEN scheduled_on >= %s AND scheduled_on <= %s THEN 1 ELSE 0 END)" for _ in names)
    params: list[Any] = [d for name in names for d in spans[name]]
    params += [actor.organization.pk, min(a for a, _ in spans.values()), max(b for _, b in spans.values())]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sums} FROM {table(Session)}"  # noqa: S608 - a model's table, values bound
            f" WHERE organization_id = %s AND scheduled_on >= %s AND scheduled_on <= %s AND {_OPEN_SQL}",
            params,
        )
        row = cursor.fetchone()
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}


def open_session_rows(
    actor: Actor, first: dt.date, last: dt.date, limit: int, *, latest_first: bool = False
) -> list[SessionRow]:
    """Booked or running sessions of the organization from ``first`` to ``last`` (inclusive) as rows, by date
    (the latest first when asked), client name and number; at most ``limit``. One query, in SQL that names
    the open statuses so the index of open sessions serves it."""
    order = "DESC" if latest_first else "ASC"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.number, s.scheduled_on, s.status, s.client_id, c.full_name, s.course_id,"  # noqa: S608
            " co.indication, co.setting, co.device, co.zones, co.start_on"
            f" FROM {table(Session)} s JOIN {table(Client)} c ON c.id = s.client_id"
            f" JOIN {table(Course)} co ON co.id = s.course_id"
            f" WHERE s.organization_id = %s AND s.scheduled_on >= %s AND s.scheduled_on <= %s AND s.{_OPEN_SQL}"
            f" ORDER BY s.scheduled_on {order}, c.full_name ASC, s.number ASC LIMIT %s",
            [actor.organization.pk, first, last, limit],
        )
        rows = cursor.fetchall()
    return [
        SessionRow(
            pk=r[0], number=r[1], scheduled_on=_date(r[2]), status=r[3], client_id=r[4], client_name=r[5],
            course_id=r[6], indication=r[7], setting=r[8], device=r[9], zones=_json(r[10]), start_on=_date(r[11]),
        )
        for r in rows
    ]  # fmt: skip


def _json(value: Any) -> Any:
    """A JSON column's value: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _date(value: Any) -> dt.date:
    """A date column's value: text on SQLite, a date on PostgreSQL."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class SessionRow:
    """A session as a list of many shows it, read as plain values: no model instances, no course plan.

    ``plan`` names the course's plan for the screening cache without reading it.
    """

    pk: int
    number: int
    scheduled_on: dt.date
    status: str
    client_id: int
    client_name: str
    course_id: int
    indication: str
    setting: str
    device: str
    zones: list[str]
    start_on: dt.date

    @property
    def status_label(self) -> str:
        """The status in words ("Booked")."""
        return str(Session.Status(self.status).label)

    @property
    def plan(self) -> PlanRef:
        """The course's plan, named for the screening cache (:func:`course_plans` reads it)."""
        key = _plan_key(self.course_id, self.indication, self.setting, self.device, self.zones, self.start_on)
        return PlanRef(key, self.indication)


_PLAN_KEY_FIELDS = ("pk", "indication", "setting", "device", "zones", "start_on")


def _plan_key(pk: int, indication: str, setting: str, device: str, zones: list[str], start_on: dt.date) -> Hashable:
    """Names a course's plan for good: the course's id (a plan is written once) with what its plan was made
    from, so an id used again (a test database rolled back, a development database made anew) is told apart.

    Only columns stored before the plan's JSON are read: SQLite reads a column stored after it
    (``created_at``) by walking the plan's overflow pages, a few milliseconds for a dashboard.
    """
    return ("course", pk, indication, setting, device, tuple(zones), start_on)


def plan_ref(course: Course) -> PlanRef:
    """``course``'s plan, named for the screening cache (:func:`course_plans` reads it)."""
    key = _plan_key(course.pk, course.indication, course.setting, course.device, course.zones, course.start_on)
    return PlanRef(key, course.indication)


def course_plans(actor: Actor, keys: Collection[Hashable]) -> dict[Hashable, Plan]:
    """The plans named by the keys of :func:`plan_ref` and :attr:`SessionRow.plan`, parsed; one query."""
    wanted = set(keys)
    ids = {key[1] for key in wanted if isinstance(key, tuple)}
    rows = Course.objects.filter(organization=actor.organization, pk__in=ids).values_list(*_PLAN_KEY_FIELDS, "plan")
    found = ((_plan_key(*row[:-1]), row[-1]) for row in rows)
    return {key: Plan.model_validate(plan) for key, plan in found if key in wanted}


def unit_sessions(actor: Actor, unit: DeviceUnit) -> QuerySet[Session]:
    """Every session that recorded ``unit`` (who got this lot), latest first."""
    return (
        Session.objects.filter(organization=actor.organization, zone_records__device_unit=unit)
        .select_related("client")
        .distinct()
        .order_by("-scheduled_on")
    )
