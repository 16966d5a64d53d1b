"""Reading an organization's outcome scores and adverse events as the plain records of the FHIR mapping.

Scoped like :class:`~pinpoint.web.exports.selectors.Scope` (one organization, one client when
asked) and streamed in chunks: scores one query per chunk; adverse events with their follow-ups,
lots and the zone records of their sessions in one query each per chunk of events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from pinpoint.interop.records import AdverseEventRec, FollowUpRec, ScoreRec
from pinpoint.web.exports.selectors import CHUNK, Scope
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventLot, AdverseEventUpdate, Assessment
from pinpoint.web.treatments.models import ZoneRecord

__all__ = ["adverse_events", "scores"]

STARTED = ("signed", "in_progress")
"""Session states that have an encounter and procedures in the export."""


def _scoped(scope: Scope, qs: QuerySet[Any]) -> QuerySet[Any]:
    qs = qs.filter(organization=scope.org)
    return qs.filter(client_id=scope.client_id) if scope.client_id is not None else qs


def scores(scope: Scope) -> Iterator[ScoreRec]:
    """Every outcome score, by course and date (a level's words and the scale's unit from the evidence)."""
    scales = scope.ev.extra["outcomes"].scales
    for a in _scoped(scope, Assessment.objects.all()).order_by("course_id", "taken_on", "pk").iterator(CHUNK):
        scale = scales.get(a.scale)
        limit = (scale.range or scale.floor) if scale else None
        value = float(a.value)
        label = scale.labels.get(f"{value:g}", "") if scale else ""
        yield ScoreRec(
            a.pk, a.course_id, a.client_id, a.scale, scale.name if scale else a.scale, a.rater, a.taken_on,
            value, limit.unit if limit else "points", label, a.recorded_by_id, a.components or {},
        )  # fmt: skip


def adverse_events(scope: Scope) -> Iterator[AdverseEventRec]:
    """Every adverse event with its follow-ups (oldest first), lots and the procedures of its zones."""
    kinds = scope.ev.extra["outcomes"].adverse_events
    qs = _scoped(scope, AdverseEvent.objects.all()).select_related("session").order_by("pk")
    last = 0
    while True:
        events = list(qs.filter(pk__gt=last)[:CHUNK])
        if not events:
            return
        last = events[-1].pk
        ids = [e.pk for e in events]
        follow: dict[int, list[FollowUpRec]] = defaultdict(list)
        for u in AdverseEventUpdate.objects.filter(event_id__in=ids).order_by("at", "pk"):
            follow[u.event_id].append(FollowUpRec(u.outcome, u.resolved_on, u.note, u.at))
        units: dict[int, list[int]] = defaultdict(list)
        for event_id, unit_id in (
            AdverseEventLot.objects.filter(event_id__in=ids).order_by("pk").values_list("event_id", "unit_id")
        ):
            units[event_id].append(unit_id)
        zones: dict[tuple[int, str], int] = {}
        rows = ZoneRecord.objects.filter(session_id__in={e.session_id for e in events}, treated=True)
        for pk, session_id, zone in rows.order_by("pk").values_list("pk", "session_id", "zone"):
            zones.setdefault((session_id, zone), pk)
        for e in events:
            started = e.session.status in STARTED
            procs = tuple(zones[(e.session_id, z)] for z in e.zones if started and (e.session_id, z) in zones)
            kind = kinds.get(e.kind)
            yield AdverseEventRec(
                e.pk, e.client_id, e.session_id, started, e.kind, kind.name if kind else e.kind, e.severity,
                e.onset_on, e.action_taken, e.reported_by_id, e.reported_at, procs, tuple(units.get(e.pk, [])),
                tuple(follow.get(e.pk, [])),
            )  # fmt: skip
