"""Recording outcome scores, adverse events and their follow-ups (each checked by core first)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction

from pinpoint.core.adverse import check_report, check_update
from pinpoint.core.errors import InputError
from pinpoint.core.outcomes import check_score
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.audit.models import SealBatch
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.idempotency import once
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.outcomes.models import AdverseEvent, AdverseEventLot, AdverseEventUpdate, Assessment
from pinpoint.web.treatments.models import Course, Session, ZoneRecord

__all__ = ["record_score", "report_adverse_event", "update_adverse_event"]


def record_score(
    actor: Actor,
    course: Course,
    scale: str,
    rater: str,
    taken_on: dt.date,
    value: float | None = None,
    *,
    components: Mapping[str, Mapping[str, float]] | None = None,
    key: uuid.UUID | None = None,
) -> Assessment:
    """Record a score of ``course`` on ``taken_on`` (core checks it against the scale)."""
    actor.require(Perm.OUTCOME_RECORD)
    evidence = evidence_for(actor.organization)
    score = check_score(evidence, scale, rater, value, components=components, taken_on=taken_on, today=actor.today())

    def create() -> Assessment:
        a = Assessment.objects.create(
            organization=actor.organization,
            client_id=course.client_id,
            course=course,
            scale=scale,
            rater=rater,
            taken_on=taken_on,
            value=Decimal(f"{score.value:.1f}"),
            components=score.components,
            recorded_by=actor.user,
        )
        detail = {"scale": scale, "rater": rater, "value": str(a.value)}
        record_event(actor, Event.OUTCOME_RECORD, a, client=course.client, detail=detail)
        return a

    with transaction.atomic():
        scope = Assessment.objects.filter(organization=actor.organization, course=course)
        return once(actor.user, key, Event.OUTCOME_RECORD, scope, create)


def _session_lots(actor: Actor, session: Session, zones: Sequence[str]) -> tuple[list[str], list[DeviceUnit]]:
    """The treated zones named (all treated zones when none is) and the units recorded on them."""
    records = list(
        ZoneRecord.objects.filter(organization=actor.organization, session=session, treated=True).select_related(
            "device_unit"
        )
    )
    treated = [zr.zone for zr in records]
    unknown = [z for z in zones if z not in treated]
    if unknown:
        raise InputError("zones", f"{unknown[0]} was not treated in this session; choose among {', '.join(treated)}")
    chosen = list(zones) or treated
    units = {zr.device_unit_id: zr.device_unit for zr in records if zr.zone in chosen and zr.device_unit is not None}
    return chosen, [u for _, u in sorted(units.items()) if u is not None]


def report_adverse_event(
    actor: Actor,
    session: Session,
    kind: str,
    severity: str,
    onset_on: dt.date,
    action_taken: str,
    *,
    zones: Sequence[str] = (),
    key: uuid.UUID | None = None,
) -> AdverseEvent:
    """Report an adverse event after a signed ``session``: its zones and the lots used on them, sealed.

    The lots are those recorded on the chosen zones (every treated zone when none is chosen);
    each is flagged by the report. The report and its audit event are sealed together.
    """
    actor.require(Perm.ADVERSE_EVENT_REPORT)
    if not session.is_signed:
        raise InputError("session", "adverse events are reported on a signed session")
    evidence = evidence_for(actor.organization)
    report = check_report(
        evidence, kind, severity, onset_on, action_taken, session_on=session.date, today=actor.today()
    )
    chosen, units = _session_lots(actor, session, zones)

    def create() -> AdverseEvent:
        seals = SealBatch()
        ae = AdverseEvent(
            organization=actor.organization,
            client_id=session.client_id,
            session=session,
            kind=report.kind,
            severity=report.severity,
            onset_on=report.onset_on,
            zones=chosen,
            lots=[{"unit": u.pk, "lot": u.lot_number, "label": u.label} for u in units],
            action_taken=report.action_taken,
            reported_by=actor.user,
        )
        ae.save(seals=seals)
        AdverseEventLot.objects.bulk_create(
            [AdverseEventLot(organization=actor.organization, event=ae, unit=u) for u in units]
        )
        detail = {"kind": kind, "severity": severity, "session": session.pk, "lots": [u.pk for u in units]}
        record_event(actor, Event.ADVERSE_EVENT_RECORD, ae, client=session.client, detail=detail, seals=seals)
        seals.flush()  # the chain's lock last (ADR 0007)
        return ae

    with transaction.atomic():
        scope = AdverseEvent.objects.filter(organization=actor.organization, session=session)
        return once(actor.user, key, Event.ADVERSE_EVENT_RECORD, scope, create)


def update_adverse_event(
    actor: Actor,
    event: AdverseEvent,
    outcome: str,
    resolved_on: dt.date | None,
    note: str = "",
    *,
    key: uuid.UUID | None = None,
) -> AdverseEventUpdate:
    """Add a sealed follow-up to ``event``: how it stands now, the resolution date when it ended."""
    actor.require(Perm.ADVERSE_EVENT_REPORT)
    checked = check_update(outcome, resolved_on, onset_on=event.onset_on, today=actor.today())

    def create() -> AdverseEventUpdate:
        # one follow-up of an event at a time: a second resolution, sent at the same moment, then finds the first
        list(AdverseEvent.objects.select_for_update().filter(pk=event.pk, organization=actor.organization).values("pk"))
        if checked.closes and AdverseEventUpdate.objects.filter(event=event, resolved_on__isnull=False).exists():
            raise InputError("outcome", "this adverse event is already resolved")
        seals = SealBatch()
        upd = AdverseEventUpdate(
            organization=actor.organization,
            event=event,
            outcome=checked.outcome,
            resolved_on=checked.resolved_on,
            note=note.strip(),
            by=actor.user,
        )
        upd.save(seals=seals)
        detail = {"event": event.pk, "outcome": outcome}
        record_event(actor, Event.ADVERSE_EVENT_UPDATE, upd, client=event.client, detail=detail, seals=seals)
        seals.flush()
        return upd

    with transaction.atomic():
        scope = AdverseEventUpdate.objects.filter(organization=actor.organization, event=event)
        return once(actor.user, key, Event.ADVERSE_EVENT_UPDATE, scope, create)
