"""Follow-up through the API: a course's outcome scores, adverse events with their follow-ups, who got a lot.

Every read goes through the outcomes app's tenant-scoped selectors and every write through its
actions (:mod:`pinpoint.web.outcomes.actions`), so core checks a score against its scale and a
report against the vocabulary exactly as on the pages, and reports and follow-ups are sealed
when written. Names (scales, kinds, severities, outcomes) come from the evidence base and core.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, StringConstraints

from pinpoint.core.adverse import CLOSING, OUTCOMES
from pinpoint.core.outcomes import scales
from pinpoint.core.zones import zone_name
from pinpoint.evidence.loader import Evidence
from pinpoint.web.api.auth import actor, writer
from pinpoint.web.api.errors import READ, WRITE
from pinpoint.web.api.pagination import DEFAULT_LIMIT, CursorQ, LimitQ, Page, PkPath, page
from pinpoint.web.api.schemas import Id
from pinpoint.web.audit.actions import record_view
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.outcomes import actions, selectors
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventUpdate, Assessment
from pinpoint.web.treatments.selectors import get_session

__all__ = ["router"]

router = Router(tags=["follow-up"])

LIST_READ = {**READ, 400: READ[404]}  # 400: a cursor this list did not return
Note = Annotated[str, StringConstraints(max_length=4000, pattern=r"^[^\x00]*$")]
Key = Annotated[
    uuid.UUID | None,
    Field(description="Any new UUID; sending the same one again returns the first record instead of a second."),
]
LotQ = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[^\x00]*$", description="Lot number, any case.")]


# --------------------------------------------------------------------------- shapes


class ScoreIn(Schema):
    """A score of a course on one scale of the evidence base (an mMASI by its region grades)."""

    scale: Id
    rater: Id = Field(description="Who gave the score: practitioner or client.")
    taken_on: dt.date
    value: float | None = Field(default=None, ge=-1e6, le=1e6, description="Omit for an mMASI given by regions.")
    components: dict[Id, dict[Id, float]] | None = Field(
        default=None, description="mMASI only: {region: {area: grade, darkness: grade}}."
    )
    submission_id: Key = None


class ScoreOut(Schema):
    """One recorded score with the scale's name and the words of its level."""

    id: int
    client_id: int
    course_id: int
    scale: str
    scale_name: str
    rater: str
    taken_on: dt.date
    value: float
    label: str = Field(description="The scale's words for this level ('' for counts and sums).")
    components: dict[str, Any]
    created_at: dt.datetime


class AdverseEventIn(Schema):
    """What happened after a signed session."""

    kind: Id = Field(description="An adverse event id of the evidence base (an unknown one answers 400 naming them).")
    severity: Id
    onset_on: dt.date
    action_taken: Note = ""
    zones: list[Id] = Field(
        default_factory=list, max_length=50, description="Treated zones affected; empty for every treated zone."
    )
    submission_id: Key = None


class FollowUpIn(Schema):
    """How an adverse event stands now."""

    outcome: Id = Field(description=f"One of: {', '.join(OUTCOMES)}.")
    resolved_on: dt.date | None = None
    note: Note = ""
    submission_id: Key = None


class FollowUpOut(Schema):
    """A sealed follow-up."""

    id: int
    outcome: str
    outcome_name: str
    resolved_on: dt.date | None
    note: str
    at: dt.datetime


class LotOut(Schema):
    """A lot named by a report (flagged by it)."""

    device_id: int
    lot_number: str
    label: str


class AdverseEventOut(Schema):
    """A sealed adverse event report, its lots and its follow-ups; ``open`` until a follow-up ends it."""

    id: int
    client_id: int
    session_id: int
    kind: str
    kind_name: str
    severity: str
    severity_name: str
    onset_on: dt.date
    zones: list[str]
    lots: list[LotOut]
    action_taken: str
    reported_at: dt.datetime
    open: bool
    follow_ups: list[FollowUpOut]


class RecipientOut(Schema):
    """One zone that received the lot: the client with contact details for a recall, the session, the zone."""

    client_id: int
    client: str
    email: str
    phone: str
    session_id: int
    session_number: int
    date: dt.date
    status: str
    zone: str
    zone_name: str
    device: str
    lot_number: str


class LotRecipientsOut(Schema):
    """Who got a lot: every zone that received it, latest session first."""

    lot_number: str
    clients: int = Field(description="How many different clients received it.")
    items: list[RecipientOut]
    complete: bool = Field(description=f"False when the list stopped at {selectors.MAX_LOT_ROWS} rows.")


def _score(a: Assessment, ev: Evidence) -> dict[str, Any]:
    info = {s.id: s for s in scales(ev)}.get(a.scale)
    value = float(a.value)
    label = info.labels.get(int(value), "") if info is not None and value.is_integer() else ""
    fields = ("client_id", "course_id", "scale", "rater", "taken_on", "components", "created_at")
    return {
        "id": a.pk,
        **{f: getattr(a, f) for f in fields},
        "scale_name": info.name if info is not None else a.scale,
        "value": value,
        "label": label,
    }


def _follow_up(u: AdverseEventUpdate) -> dict[str, Any]:
    fields = ("outcome", "resolved_on", "note", "at")
    return {"id": u.pk, **{f: getattr(u, f) for f in fields}, "outcome_name": OUTCOMES.get(u.outcome, u.outcome)}


def _event(e: AdverseEvent, ev: Evidence) -> dict[str, Any]:
    data = ev.extra["outcomes"]
    kind, severity = data.adverse_events.get(e.kind), data.severities.get(e.severity)
    updates = list(e.updates.all())
    fields = ("client_id", "session_id", "kind", "severity", "onset_on", "zones", "action_taken", "reported_at")
    return {
        "id": e.pk,
        **{f: getattr(e, f) for f in fields},
        "kind_name": kind.name if kind is not None else e.kind,
        "severity_name": severity.name if severity is not None else e.severity,
        "lots": [{"device_id": x["unit"], "lot_number": x["lot"], "label": x["label"]} for x in e.lots],
        "open": not any(u.outcome in CLOSING for u in updates),
        "follow_ups": [_follow_up(u) for u in updates],
    }


# --------------------------------------------------------------------------- outcome scores


@router.get(
    "/courses/{course_id}/scores", response={200: Page[ScoreOut], **LIST_READ}, summary="List a course's scores"
)
def list_scores(request: HttpRequest, course_id: PkPath, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT) -> Any:
    """The course's outcome scores in the order they were recorded."""
    who = actor(request)
    course = selectors.get_course(who, course_id)
    ev = evidence_for(who.organization)
    return page(request, selectors.course_scores(who, course), cursor, limit, lambda a: _score(a, ev))


@router.post("/courses/{course_id}/scores", response={201: ScoreOut, **WRITE}, summary="Record a score")
def record_score(request: HttpRequest, course_id: PkPath, body: ScoreIn) -> Any:
    """Record an outcome score of the course; core checks it against its scale (400 naming the field)."""
    who = writer(request)
    course = selectors.get_course(who, course_id)
    made = actions.record_score(
        who,
        course,
        body.scale,
        body.rater,
        body.taken_on,
        body.value,
        components=body.components,
        key=body.submission_id,
    )
    return Status(201, _score(made, evidence_for(who.organization)))


# --------------------------------------------------------------------------- adverse events


@router.get("/adverse-events", response={200: Page[AdverseEventOut], **LIST_READ}, summary="List adverse events")
def list_events(
    request: HttpRequest,
    state: Annotated[Literal["open", "closed"] | None, Query(description="Only open or only closed events.")] = None,
    cursor: CursorQ = None,
    limit: LimitQ = DEFAULT_LIMIT,
) -> Any:
    """The organization's adverse events with their follow-ups, in the order they were reported."""
    who = actor(request)
    events = selectors.adverse_events(who, closed=None if state is None else state == "closed")
    ev = evidence_for(who.organization)
    return page(request, events, cursor, limit, lambda e: _event(e, ev))


@router.get("/adverse-events/{event_id}", response={200: AdverseEventOut, **READ}, summary="Read an adverse event")
def read_event(request: HttpRequest, event_id: PkPath) -> Any:
    """One adverse event with its lots and follow-ups (the view is recorded in the audit trail)."""
    who = actor(request)
    event = selectors.get_event(who, event_id)
    record_view(who, event.client, "adverse event", event.pk)
    return _event(event, evidence_for(who.organization))


@router.post(
    "/sessions/{session_id}/adverse-events", response={201: AdverseEventOut, **WRITE}, summary="Report an adverse event"
)
def report_event(request: HttpRequest, session_id: PkPath, body: AdverseEventIn) -> Any:
    """Report an adverse event after a signed session; the lots used on its zones are flagged; sealed."""
    who = writer(request)
    session = get_session(who, session_id)
    made = actions.report_adverse_event(
        who,
        session,
        body.kind,
        body.severity,
        body.onset_on,
        body.action_taken,
        zones=body.zones,
        key=body.submission_id,
    )
    return Status(201, _event(selectors.get_event(who, made.pk), evidence_for(who.organization)))


@router.post(
    "/adverse-events/{event_id}/follow-ups",
    response={201: AdverseEventOut, **WRITE},
    summary="Add a follow-up to an adverse event",
)
def follow_up(request: HttpRequest, event_id: PkPath, body: FollowUpIn) -> Any:
    """Add a sealed follow-up (a resolved outcome needs ``resolved_on``); returns the event as it stands."""
    who = writer(request)
    event = selectors.get_event(who, event_id)
    actions.update_adverse_event(who, event, body.outcome, body.resolved_on, body.note, key=body.submission_id)
    return Status(201, _event(selectors.get_event(who, event_id), evidence_for(who.organization)))


# --------------------------------------------------------------------------- who got lot X


@router.get("/lots/recipients", response={200: LotRecipientsOut, **READ}, summary="Who got a lot")
def lot_recipients(request: HttpRequest, lot_number: LotQ) -> Any:
    """Every client, session and zone that received a unit of the lot, with contact details for a recall."""
    who = actor(request)
    rows = selectors.lot_recipients(who, lot_number)
    evidence = evidence_for(who.organization)
    items = [
        {
            **{f: getattr(r, f) for f in ("client_id", "client", "email", "phone", "session_id", "session_number")},
            **{f: getattr(r, f) for f in ("date", "status", "zone", "lot_number")},
            "zone_name": zone_name(evidence, r.zone),
            "device": r.unit,
        }
        for r in rows
    ]
    return {
        "lot_number": lot_number.strip(),
        "clients": len({r.client_id for r in rows}),
        "items": items,
        "complete": len(rows) < selectors.MAX_LOT_ROWS,
    }
