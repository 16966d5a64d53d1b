"""Every change to courses and sessions: one transaction, permission checked, audit written.

The rules (spacing, recorded depths, the start gate, hashing) are core's
(:mod:`pinpoint.core.records`, :mod:`pinpoint.core.planning`); these functions gather the
inputs from the database, call core, and persist the outcome.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from pinpoint.core.answers import parse_answers
from pinpoint.core.dates import check_future_date
from pinpoint.core.errors import InputError, PinpointError, RefusedError, ScreeningBlockedError
from pinpoint.core.guide import guide_for_plan
from pinpoint.core.planning import Plan, get_indication, plan
from pinpoint.core.records import (
    Override,
    StartCheck,
    canonical_json,
    check_override,
    check_session_date,
    check_zone_record,
    content_sha256,
    may_override,
    screen_for_plan,
    see_a_doctor,
    start_check,
)
from pinpoint.core.screening import Screening
from pinpoint.core.sessions import Numbing, check_every_zone_recorded, check_needling_time, numbing
from pinpoint.core.vocab import check_setting
from pinpoint.evidence.schema import Treatment
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.audit.models import SealBatch
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.idempotency import once
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.clients.selectors import latest_questionnaire, screening_for
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.treatments.models import SIGNED_REFUSAL, Addendum, Course, Session, SignedRecordError, ZoneRecord
from pinpoint.web.treatments.selectors import SessionContext, booked, consent_in_force, session_context
from pinpoint.web.treatments.signing import signed_content

__all__ = [
    "CourseData",
    "OverrideInput",
    "RecordInput",
    "RecordInvalidError",
    "StartRefusedError",
    "ZoneInput",
    "add_addendum",
    "applied_anaesthetic",
    "book_sessions",
    "cancel_session",
    "create_course",
    "plan_course",
    "record_session",
    "reschedule_session",
    "save_record",
    "sign_session",
    "start_anaesthetic",
    "start_session",
    "start_status",
]


@dataclass(frozen=True)
class CourseData:
    """What the course planning form collects."""

    indication: str
    zones: tuple[str, ...]
    setting: str
    start_on: dt.date
    device: str = ""
    skin_type: int | None = None


@dataclass(frozen=True)
class OverrideInput:
    """What a practitioner records to override a referral: the approving physician, the approval date, the reason."""

    physician: str = ""
    approved_on: dt.date | None = None
    reason: str = ""

    @property
    def given(self) -> bool:
        """True when any part of an override was filled in."""
        return bool(self.physician.strip() or self.approved_on is not None or self.reason.strip())


def _is_actor(actor: Actor, client: Client) -> bool:
    """True when the client is the person acting: a personal space's own record, or the member's own email."""
    email = (actor.user.email or "").strip().lower()
    return client.is_self or (bool(email) and client.email.strip().lower() == email)


@dataclass(frozen=True)
class ZoneInput:
    """What the session runner collects for one zone."""

    zone: str
    treated: bool = True
    device: str = ""
    device_unit_id: int | None = None
    depth_mm: Decimal | None = None
    passes: int | None = None
    endpoint_reached: bool = False
    notes: str = ""


@dataclass(frozen=True)
class RecordInput:
    """What the session runner collects: checklist steps done (indexes), notes, zones.

    ``needled_before_ready``: the signer acknowledges needling before the anaesthetic was ready.
    """

    checklist: tuple[int, ...]
    notes: str
    zones: tuple[ZoneInput, ...]
    needled_before_ready: bool = False


class RecordInvalidError(Exception):
    """Some zone fields were refused; ``errors`` maps ``(zone, field)`` to the message."""

    def __init__(self, errors: dict[tuple[str, str], str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class StartRefusedError(RefusedError):
    """The session may not start: ``check`` holds the reasons and whether a referral may be overridden."""

    def __init__(self, check: StartCheck) -> None:
        super().__init__("start", "; ".join(check.reasons))
        self.check = check


def _latest_questionnaire(actor: Actor, client: Client, treatment: Treatment) -> Questionnaire:
    q = latest_questionnaire(actor, client, treatment)
    if q is None:
        raise InputError("questionnaire", f"take the client's {treatment} questionnaire before planning")
    return q


def plan_course(
    actor: Actor, client: Client, data: CourseData, override: OverrideInput | None = None
) -> tuple[Plan, Questionnaire, Override | None]:
    """Core's plan for ``data``, screening the latest questionnaire on the start date first (no write).

    A ``refer`` verdict stops planning unless an owner or practitioner records a physician's
    approval that core accepts (:func:`~pinpoint.core.records.check_override`); the approval is
    returned so it can be stored, and the plan carries the screening it overrode. Someone treating
    themselves is told to see a doctor. Other blocking verdicts stop it.
    """
    actor.require(Perm.COURSE_PLAN)
    if actor.organization.is_personal and data.setting != "home":
        raise InputError("setting", "a personal space plans home treatment; a clinic plans clinic treatment")
    setting = check_setting(data.setting)
    check_future_date("start_on", data.start_on, actor.today(), label="first session on")
    evidence = evidence_for(actor.organization)
    q = _latest_questionnaire(actor, client, get_indication(evidence, data.indication).treatment)
    answers = parse_answers(q.answers, evidence)
    skin = data.skin_type if data.skin_type is not None else answers.skin_type
    planned = functools.partial(
        plan,
        evidence,
        data.indication,
        data.zones,
        setting,
        device=data.device or None,
        start=data.start_on,
        skin_type=skin,
    )
    try:
        result = planned(answers=answers)
    except ScreeningBlockedError:
        unscreened = planned()
        screening = screen_for_plan(answers, unscreened, data.start_on, evidence)
        if screening.verdict != "refer":
            raise
        is_actor = _is_actor(actor, client)
        if not may_override(screening, setting=setting, client_is_actor=is_actor):
            raise RefusedError("override", see_a_doctor(screening, client_is_actor=is_actor)) from None
        if override is None or not override.given:
            raise
        actor.require(Perm.SCREENING_OVERRIDE_REFER)
        approval = check_override(
            screening,
            physician=override.physician,
            approved_on=override.approved_on,
            reason=override.reason,
            answered_on=q.taken_on,
            today=actor.today(),
            setting=setting,
            client_is_actor=is_actor,
        )
        approved = planned(approved=screening)
        _one_visit(approved)
        return approved, q, approval
    _one_visit(result)
    return result, q, None


def _one_visit(result: Plan) -> None:
    """The web books one visit per session: a plan that core splits into visits is planned as separate courses."""
    if len(result.visits) > 1:
        groups = "; ".join(", ".join(p.label for p in v.parts) or ", ".join(v.zones) for v in result.visits)
        parts = any(p.portions > 1 for v in result.visits for p in v.parts)
        raise InputError(
            "zones",
            f"each session of this plan needs {len(result.visits)} visits to keep the anaesthetic within its label "
            f"({groups}): the web app books one visit per session, so plan each visit's zones as their own course"
            + ("; a zone needled in parts on separate visits cannot be booked here yet" if parts else ""),
        )


def create_course(
    actor: Actor,
    client: Client,
    data: CourseData,
    *,
    key: uuid.UUID | None = None,
    override: OverrideInput | None = None,
) -> Course:
    """Plan with core and keep the plan snapshot with the evidence version it came from.

    A referral overridden with a physician's approval keeps the physician's name, the approval
    date and the reason with the course, and in the audit trail with the findings it overrode.
    """
    result, q, approval = plan_course(actor, client, data, override)

    def create() -> Course:
        course = Course.objects.create(
            organization=actor.organization,
            client=client,
            questionnaire=q,
            indication=data.indication,
            setting=data.setting,
            device=data.device,
            zones=list(data.zones),
            start_on=data.start_on,
            skin_type=result.skin_type,
            plan=result.model_dump(mode="json"),
            evidence_version=result.evidence_version,
            override_reason=approval.reason if approval else "",
            override_physician=approval.physician if approval else "",
            override_approved_on=approval.approved_on if approval else None,
            created_by=actor.user,
        )
        record_event(
            actor,
            Event.COURSE_CREATE,
            course,
            client=client,
            detail={
                "indication": data.indication,
                "zones": list(data.zones),
                "evidence_version": course.evidence_version,
            },
        )
        if approval is not None and result.screening is not None:
            detail = _override_detail(approval, result.screening) | {"on": data.start_on.isoformat()}
            record_event(actor, Event.SCREENING_OVERRIDE_REFER, course, client=client, detail=detail)
        return course

    with transaction.atomic():
        return once(
            actor.user, key, Event.COURSE_CREATE, Course.objects.filter(organization=actor.organization), create
        )


def _override_detail(approval: Override, screening: Screening) -> dict[str, object]:
    """The audit details of an override: the approval (physician, date, reason) and the findings it overrode."""
    return {
        "reason": approval.reason,
        "physician": approval.physician,
        "approved_on": approval.approved_on.isoformat(),
        "findings": [f.model_dump(mode="json") for f in screening.findings],
    }


def book_sessions(actor: Actor, course: Course) -> list[Session]:
    """Book every session of the plan's schedule not booked yet (a repeat books nothing more)."""
    actor.require(Perm.SESSION_BOOK)
    with transaction.atomic():
        Course.objects.select_for_update().get(pk=course.pk, organization=actor.organization)
        have = set(
            Session.objects.filter(organization=actor.organization, course=course).values_list("number", flat=True)
        )
        created = [
            Session.objects.create(
                organization=actor.organization,
                course=course,
                client_id=course.client_id,
                number=s.session,
                scheduled_on=s.date,
            )
            for s in course.plan_obj().schedule
            if s.session not in have
        ]
        if created:
            record_event(
                actor,
                Event.COURSE_BOOK,
                course,
                client=course.client,
                detail={"sessions": [(s.number, s.scheduled_on.isoformat()) for s in created]},
            )
        return created


def _lock(actor: Actor, session: Session) -> Session:
    locked = (
        Session.objects.select_for_update()
        .select_related("course", "client")
        .get(pk=session.pk, organization=actor.organization)
    )
    if locked.is_signed:
        raise SignedRecordError(SIGNED_REFUSAL, url=locked.get_absolute_url())
    return locked


def reschedule_session(actor: Actor, session: Session, on: dt.date) -> Session:
    """Move a booked session; a date too close to its neighbours for the zones and depths is refused."""
    actor.require(Perm.SESSION_BOOK)
    with transaction.atomic():
        s = _lock(actor, session)
        if s.status != Session.Status.BOOKED:
            raise InputError(
                "date", f"only a booked session can be moved; this one is {s.get_status_display().lower()}"
            )
        evidence = evidence_for(actor.organization)
        check_session_date(evidence, s.course.plan_obj(), s.number, on, booked(s.course), today=actor.today())
        before = s.scheduled_on
        s.scheduled_on = on
        s.save(update_fields=["scheduled_on"])
        record_event(
            actor,
            Event.SESSION_RESCHEDULE,
            s,
            client=s.client,
            detail={"from": before.isoformat(), "to": on.isoformat()},
        )
        return s


def cancel_session(actor: Actor, session: Session, reason: str) -> Session:
    """Cancel a booked session (it stays on the record as cancelled)."""
    actor.require(Perm.SESSION_BOOK)
    if not reason.strip():
        raise InputError("reason", "give a reason for cancelling")
    with transaction.atomic():
        s = _lock(actor, session)
        if s.status != Session.Status.BOOKED:
            raise InputError("reason", "only a booked session can be cancelled")
        s.status = Session.Status.CANCELLED
        s.save(update_fields=["status"])
        record_event(actor, Event.SESSION_CANCEL, s, client=s.client, detail={"reason": reason.strip()})
        return s


def start_status(actor: Actor, session: Session, on: dt.date, override: Override | None = None) -> StartCheck:
    """Core's start gate for ``session`` on ``on``: screening on that date, consent in force (no write)."""
    evidence = evidence_for(actor.organization)
    course_plan = session.course.plan_obj()
    try:
        guide = guide_for_plan(evidence, course_plan)
    except PinpointError as exc:
        return StartCheck(
            allowed=False, reasons=(exc.message,), overridable=False, overridden=False, consent_needed=True
        )
    result = screening_for(actor, session.client, on, course_plan)
    consent = consent_in_force(actor, session.client, "microneedling", on)
    check = start_check(
        result.screening,
        guide,
        consent_signed=consent is not None,
        override=override,
        client_is_actor=_is_actor(actor, session.client),
    )
    if result.screening is None and result.questionnaire is not None:  # answers core can no longer read
        reasons = (*check.reasons, f"the questionnaire could not be screened: {result.error}")
        return check.model_copy(update={"reasons": reasons})
    return check


def start_session(actor: Actor, session: Session, on: dt.date, override: OverrideInput | None = None) -> Session:
    """Start the session on ``on`` if core's start gate and spacing allow it.

    An override of a ``refer`` verdict needs the override permission and a physician's approval
    core accepts (:func:`~pinpoint.core.records.check_override`: the physician's name, the
    approval date, the reason); it is kept with the session and written to the audit trail with
    the findings it overrode.
    """
    actor.require(Perm.SESSION_RUN)
    given = override is not None and override.given
    if given:
        actor.require(Perm.SCREENING_OVERRIDE_REFER)
    with transaction.atomic():
        s = _lock(actor, session)
        if s.status == Session.Status.IN_PROGRESS:
            return s
        if s.status != Session.Status.BOOKED:
            raise InputError("start", f"this session is {s.get_status_display().lower()}")
        approval = _approval(actor, s, on, override) if given and override is not None else None
        check = start_status(actor, s, on, approval)
        if not check.allowed:
            raise StartRefusedError(check)
        evidence = evidence_for(actor.organization)
        check_session_date(evidence, s.course.plan_obj(), s.number, on, booked(s.course), today=actor.today())
        s.status = Session.Status.IN_PROGRESS
        s.performed_on = on
        s.started_at = _now()
        s.started_by = actor.user
        if check.overridden and approval is not None:
            s.override_reason = approval.reason
            s.override_physician = approval.physician
            s.override_approved_on = approval.approved_on
            s.override_by = actor.user
        s.save(
            update_fields=[
                "status",
                "performed_on",
                "started_at",
                "started_by",
                "override_reason",
                "override_physician",
                "override_approved_on",
                "override_by",
            ],
            locked=True,
        )
        record_event(actor, Event.SESSION_START, s, client=s.client, detail={"on": on.isoformat()})
        if check.overridden and approval is not None:
            screening = screening_for(actor, s.client, on, s.course.plan_obj()).screening
            if screening is not None:
                detail = _override_detail(approval, screening)
                record_event(actor, Event.SCREENING_OVERRIDE_REFER, s, client=s.client, detail=detail)
        return s


def _approval(actor: Actor, session: Session, on: dt.date, override: OverrideInput) -> Override | None:
    """Core's check of an override on the session date; ``None`` when the screening does not refer."""
    result = screening_for(actor, session.client, on, session.course.plan_obj())
    if result.screening is None or result.questionnaire is None or result.screening.verdict != "refer":
        return None
    return check_override(
        result.screening,
        physician=override.physician,
        approved_on=override.approved_on,
        reason=override.reason,
        answered_on=result.questionnaire.taken_on,
        today=actor.today(),
        setting=session.course.setting,
        client_is_actor=_is_actor(actor, session.client),
    )


def _now() -> dt.datetime:
    return timezone.now()


def start_anaesthetic(
    actor: Actor,
    session: Session,
    *,
    checklist: tuple[int, ...] | None = None,
    notes: str | None = None,
    at: dt.datetime | None = None,
) -> Session:
    """Note when the guide's topical anaesthetic went on, which one and when it is ready; a repeat changes nothing.

    The countdown runs from ``at`` (default: now). With ``checklist`` (and ``notes``), the steps
    ticked so far are saved with the draft in the same transaction, so starting the countdown
    loses none of them.
    """
    actor.require(Perm.SESSION_RUN)
    with transaction.atomic():
        ctx = session_context(actor, session.pk, for_update=True)
        s = ctx.session
        if s.is_signed:
            raise SignedRecordError(SIGNED_REFUSAL, url=s.get_absolute_url())
        if s.status != Session.Status.IN_PROGRESS:
            raise InputError("anaesthetic", "start the session first")
        fields: list[str] = []
        started = s.anaesthetic_started_at is None
        if started:
            s.anaesthetic_started_at = at or _now()
            fields.append("anaesthetic_started_at")
            agent = ctx.guide.anaesthetic if ctx.guide is not None else None
            if agent is not None:
                applied = numbing(ctx.evidence, agent, s.anaesthetic_started_at)
                s.anaesthetic_agent, s.anaesthetic_ready_at = agent, applied.ready_at
                fields += ["anaesthetic_agent", "anaesthetic_ready_at"]
        if checklist is not None:
            s.checklist = sorted(set(checklist))
            s.notes = s.notes if notes is None else notes
            s.draft_saved_at = _now()
            fields += ["checklist", "notes", "draft_saved_at"]
        if fields:
            s.save(update_fields=fields, locked=True)
        if started:
            record_event(actor, Event.SESSION_ANAESTHETIC, s, client=s.client)
        return s


def applied_anaesthetic(ctx: SessionContext) -> Numbing | None:
    """The anaesthetic the session's draft says went on, with the ready time stored when it went on."""
    s = ctx.session
    agent = s.anaesthetic_agent
    if not agent or s.anaesthetic_started_at is None or agent not in ctx.evidence.anaesthetics:
        return None
    applied = numbing(ctx.evidence, agent, s.anaesthetic_started_at)
    return replace(applied, ready_at=s.anaesthetic_ready_at or applied.ready_at)


def _zone_errors(z: ZoneInput, unit: DeviceUnit | None, refusal: str | None = None) -> dict[str, str]:
    """What keeps ``z`` from being recorded, by field (before core judges its values)."""
    if z.device_unit_id is not None and unit is None:
        return {"device_unit": "choose a device in service in this organization"}
    if refusal is not None and z.treated:
        return {"device_unit": refusal}
    if unit is not None and z.device and z.device != unit.catalog_id:
        return {"device": f"{unit.label} is a {unit.catalog_id}, not a {z.device}"}
    errors = {}
    if z.treated and z.depth_mm is None:
        errors["depth_mm"] = "enter the needle depth used"
    if z.treated and z.passes is None:
        errors["passes"] = "enter the number of passes"
    return errors


def _validate_zones(ctx: SessionContext, data: RecordInput) -> list[tuple[ZoneInput, DeviceUnit | None, list[str]]]:
    """Each planned zone's input (untreated when not given) with its unit and core's warnings, else every refusal.

    A unit core refuses on the session's day (expired, recalled, used up, due for replacement) is
    refused beside its field (``ctx`` read the units locked, so their counts hold until commit).
    """
    given = {z.zone: z for z in data.zones}
    units = {u.pk: u for u in ctx.units}
    unit_refusals = {r.unit.pk: r.summary for r in ctx.unit_rows if not r.usable}
    errors: dict[tuple[str, str], str] = {}
    out: list[tuple[ZoneInput, DeviceUnit | None, list[str]]] = []
    for zp in ctx.plan.zones:
        z = given.get(zp.zone, ZoneInput(zone=zp.zone, treated=False))
        unit = units.get(z.device_unit_id) if z.device_unit_id is not None else None
        refused = _zone_errors(z, unit, unit_refusals.get(z.device_unit_id or 0))
        if not refused and z.treated:
            checked, refused = _check_treated_zone(ctx, z, unit)
            out += [checked] if checked else []
        elif not refused:
            out.append((z, unit, []))
        errors |= {(zp.zone, f): m for f, m in refused.items()}
    unknown = sorted(set(given) - {zp.zone for zp in ctx.plan.zones})
    if unknown:
        errors[(unknown[0], "zone")] = f"zone {unknown[0]} is not in this course's plan"
    if errors:
        raise RecordInvalidError(errors)
    return out


def _check_treated_zone(
    ctx: SessionContext, z: ZoneInput, unit: DeviceUnit | None
) -> tuple[tuple[ZoneInput, DeviceUnit | None, list[str]] | None, dict[str, str]]:
    """Core's check of one treated zone: the zone with its device and warnings, or its refusal by field."""
    device = z.device or (unit.catalog_id if unit else "")
    try:
        check = check_zone_record(
            ctx.evidence,
            ctx.plan,
            z.zone,
            depth_mm=float(z.depth_mm or 0),
            passes=z.passes or 0,
            device=device or None,
        )
    except PinpointError as exc:
        return None, {exc.field: exc.message}
    return (replace(z, device=device), unit, list(check.warnings)), {}


def _zone_values(z: ZoneInput, unit: DeviceUnit | None, warnings: list[str]) -> dict[str, object]:
    treated = z.treated
    return {
        "treated": treated,
        "device": z.device if treated else "",
        "device_unit": unit if treated else None,
        "lot_number": unit.lot_number if unit is not None and treated else "",
        "depth_mm": z.depth_mm if treated else None,
        "passes": z.passes if treated else None,
        "endpoint_reached": z.endpoint_reached and treated,
        "notes": z.notes,
        "warnings": warnings,
    }


def _write_zones(
    actor: Actor, ctx: SessionContext, checked: list[tuple[ZoneInput, DeviceUnit | None, list[str]]]
) -> None:
    """Insert the new zone rows in one statement (and their history in another); rewrite only changed rows."""
    new = []
    for z, unit, warnings in checked:
        values = _zone_values(z, unit, warnings)
        zr = ctx.records.get(z.zone)
        if zr is None:
            zr = ZoneRecord(organization=actor.organization, session=ctx.session, zone=z.zone, **values)
            new.append(zr)
        elif any(getattr(zr, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(zr, k, v)
            zr.save(update_fields=list(values), locked=True)
        ctx.records[z.zone] = zr
    if new:
        bulk_create_with_history(new, ZoneRecord, default_user=actor.user)


def _record_fields(actor: Actor, ctx: SessionContext, data: RecordInput) -> list[str]:
    """Write the zones of ``data``; set the session's checklist and notes; the session fields that changed."""
    _write_zones(actor, ctx, _validate_zones(ctx, data))
    s = ctx.session
    checklist = sorted(set(data.checklist))
    changed = [f for f, v in (("checklist", checklist), ("notes", data.notes)) if getattr(s, f) != v]
    s.checklist, s.notes = checklist, data.notes
    s.draft_saved_at = _now()
    return [*changed, "draft_saved_at"]


def _sign_fields(actor: Actor, ctx: SessionContext, acknowledged: bool) -> list[str]:
    """Sign the session in memory (content frozen, SHA-256), note each unit's first use; the fields set.

    Signing before the anaesthetic is ready needs ``acknowledged`` (core's rule); the record says so.
    """
    s = ctx.session
    check_every_zone_recorded(ctx.plan, ctx.records, ctx.evidence)
    records = list(ctx.records.values())
    now = _now()
    applied = applied_anaesthetic(ctx)
    early = check_needling_time(
        applied,
        now,
        needled=any(zr.treated for zr in records),
        acknowledged=acknowledged,
        zone=timezone.get_current_timezone(),
    )
    s.needled_before_ready = early if applied is not None else None
    s.signed_at = now
    s.signed_by = actor.user
    content = signed_content(s, records)
    s.signed_content = canonical_json(content)
    s.content_hash = content_sha256(content)
    s.status = Session.Status.SIGNED
    used = {zr.device_unit_id for zr in records}
    unit_ids = [u.pk for u in ctx.units if u.pk in used and u.first_used_on is None]  # else no query
    for unit in DeviceUnit.objects.select_for_update().filter(pk__in=unit_ids, first_used_on__isnull=True):
        unit.first_used_on = s.date
        unit.save(update_fields=["first_used_on"])
    return ["needled_before_ready", "signed_at", "signed_by", "signed_content", "content_hash", "status"]


def _early_needling(ctx: SessionContext, data: RecordInput) -> InputError | None:
    """Core's refusal of signing ``data`` now, before the anaesthetic is ready and unacknowledged, else ``None``."""
    try:
        check_needling_time(
            applied_anaesthetic(ctx),
            _now(),
            needled=any(z.treated for z in data.zones),
            acknowledged=data.needled_before_ready,
            zone=timezone.get_current_timezone(),
        )
    except InputError as exc:
        return exc
    return None


def record_session(actor: Actor, ctx: SessionContext, data: RecordInput | None, *, sign: bool = False) -> Session:
    """Save the record of a running session (zones checked by core) and, with ``sign``, sign it.

    ``ctx`` must come from :func:`~pinpoint.web.treatments.selectors.session_context` with
    ``for_update`` in the caller's open transaction. Every refusal is raised before anything is
    written. Signing freezes the content, stores its SHA-256 and seals the session together with
    its audit event (one lock of the chain head, ADR 0007).
    """
    actor.require(Perm.SESSION_RUN)
    if sign:
        actor.require(Perm.SESSION_SIGN)
    s = ctx.session
    if s.is_signed:
        raise SignedRecordError(SIGNED_REFUSAL, url=s.get_absolute_url())
    if s.status != Session.Status.IN_PROGRESS:
        raise InputError(
            "start", "only a session in progress can be signed" if sign else "start the session before recording it"
        )
    if sign and data is None:
        check_every_zone_recorded(ctx.plan, ctx.records, ctx.evidence)
    seals = SealBatch()
    with transaction.atomic(savepoint=False):
        early = _early_needling(ctx, data) if sign and data is not None else None
        try:
            fields = _record_fields(actor, ctx, data) if data is not None else []
        except RecordInvalidError as exc:  # every refusal at once: the zones' and the anaesthetic's
            if early is not None:
                exc.errors[("", early.field)] = early.message
            raise
        if early is not None:
            raise early
        fields += _sign_fields(actor, ctx, data is not None and data.needled_before_ready) if sign else []
        if fields:
            s.save(update_fields=fields, locked=True, seals=seals)
        if sign:
            record_event(actor, Event.SESSION_SIGN, s, client=s.client, detail={"sha256": s.content_hash}, seals=seals)
        else:
            record_event(actor, Event.SESSION_RECORD, s, client=s.client, seals=seals)
        seals.flush()  # the chain's lock comes after every other lock (ADR 0007)
    return s


def save_record(actor: Actor, session: Session, data: RecordInput) -> Session:
    """Save the draft record of a running session (zones checked by core; errors per zone and field)."""
    with transaction.atomic():
        return record_session(actor, session_context(actor, session.pk, for_update=True), data)


def sign_session(actor: Actor, session: Session, data: RecordInput | None = None) -> Session:
    """Save the record (if given) and sign it: the content is frozen, its SHA-256 stored, the session sealed."""
    with transaction.atomic():
        return record_session(actor, session_context(actor, session.pk, for_update=True), data, sign=True)


def add_addendum(actor: Actor, session: Session, text: str, *, key: uuid.UUID | None = None) -> Addendum:
    """Add a correction or note to a signed session; the signed record itself stays as it was."""
    actor.require(Perm.SESSION_ADDENDUM)
    if not text.strip():
        raise InputError("text", "the addendum is empty")
    if not session.is_signed:
        raise InputError("text", "addenda are for signed sessions; edit the draft instead")

    def create() -> Addendum:
        add = Addendum.objects.create(
            organization=actor.organization, session=session, text=text.strip(), author=actor.user
        )
        record_event(actor, Event.SESSION_ADDENDUM, add, client=session.client, detail={"session": session.pk})
        return add

    with transaction.atomic():
        scope = Addendum.objects.filter(organization=actor.organization, session=session)
        return once(actor.user, key, Event.SESSION_ADDENDUM, scope, create)
