"""The organization's records: clients, questionnaires, consents, courses, sessions, devices.

Every read goes through a tenant-scoped selector and every write through the app's action, so
the API checks the same permission map as the pages; a read-only token answers 403 on a write
before anything is read or written. Signing stays a person's act in the app.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from pinpoint.core.answers import parse_skin_type
from pinpoint.core.errors import InputError
from pinpoint.web.api import schemas as s
from pinpoint.web.api.auth import actor, writer
from pinpoint.web.api.errors import READ, WRITE
from pinpoint.web.api.pagination import DEFAULT_LIMIT, CursorQ, LimitQ, Page, PkPath, page
from pinpoint.web.api.selectors import (
    client_consents,
    client_courses,
    client_questionnaires,
    device_units,
    sessions_of,
    with_zones,
)
from pinpoint.web.audit.actions import record_view
from pinpoint.web.clients import actions as client_actions
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.clients.selectors import get_client, get_questionnaire, screening_for
from pinpoint.web.consents.models import Consent
from pinpoint.web.consents.selectors import get_consent
from pinpoint.web.devices import actions as device_actions
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.devices.selectors import get_unit
from pinpoint.web.records.clients import client_list
from pinpoint.web.treatments import actions as treatment_actions
from pinpoint.web.treatments.models import Course, Session
from pinpoint.web.treatments.selectors import get_course, get_session

__all__ = ["router"]

router = Router(tags=["records"])

LIST_READ = {**READ, 400: READ[404]}  # 400: a cursor this list did not return


# --------------------------------------------------------------------------- shaping


def _client(c: Client) -> dict[str, Any]:
    fields = ("id", "full_name", "birth_date", "email", "phone", "notes", "is_self", "created_at", "updated_at")
    return {f: getattr(c, f) for f in fields}


def _questionnaire(request: HttpRequest, q: Questionnaire) -> dict[str, Any]:
    result = screening_for(actor(request), q.client, q.taken_on, None, [q])
    return {
        "id": q.pk,
        "client_id": q.client_id,
        "taken_on": q.taken_on,
        "answers": q.answers,
        "evidence_version": q.evidence_version,
        "created_at": q.created_at,
        "screening": result.screening,
        "screening_error": result.error,
    }


def _consent(c: Consent) -> dict[str, Any]:
    fields = (
        "treatment",
        "template_version",
        "title",
        "text",
        "signed_name",
        "signer",
        "signed_at",
        "photo_clinical",
        "photo_marketing",
        "withdrawn_at",
        "withdrawal_reason",
    )
    return {"id": c.pk, "client_id": c.client_id, **{f: getattr(c, f) for f in fields}}


def _course(c: Course) -> dict[str, Any]:
    fields = (
        "indication",
        "setting",
        "device",
        "zones",
        "start_on",
        "skin_type",
        "evidence_version",
        "override_physician",
        "override_approved_on",
        "override_reason",
        "created_at",
    )
    return {
        "id": c.pk,
        "client_id": c.client_id,
        "questionnaire_id": c.questionnaire_id,
        "plan": c.plan_obj(),
        **{f: getattr(c, f) for f in fields},
    }


def _session(x: Session) -> dict[str, Any]:
    zones = [
        {
            "zone": z.zone,
            "treated": z.treated,
            "device": z.device,
            "device_unit_id": z.device_unit_id,
            "lot_number": z.lot_number,
            "depth_mm": float(z.depth_mm) if z.depth_mm is not None else None,
            "passes": z.passes,
            "endpoint_reached": z.endpoint_reached,
            "notes": z.notes,
            "warnings": z.warnings,
        }
        for z in x.zone_records.all()
    ]
    fields = (
        "number",
        "scheduled_on",
        "status",
        "performed_on",
        "started_at",
        "override_physician",
        "override_approved_on",
        "override_reason",
        "checklist",
        "notes",
        "signed_at",
        "content_hash",
    )
    return {
        "id": x.pk,
        "course_id": x.course_id,
        "client_id": x.client_id,
        "zone_records": zones,
        **{f: getattr(x, f) for f in fields},
    }


def _device(u: DeviceUnit) -> dict[str, Any]:
    fields = ("catalog_id", "label", "lot_number", "expires_on", "first_used_on", "retired_on", "in_service")
    return {"id": u.pk, "uses": int(getattr(u, "uses", 0)), **{f: getattr(u, f) for f in fields}}


def _client_data(body: s.ClientIn) -> client_actions.ClientData:
    if body.email:
        try:
            validate_email(body.email)
        except DjangoValidationError:
            raise InputError("email", f"{body.email!r} is not an email address") from None
    return client_actions.ClientData(
        full_name=body.full_name, birth_date=body.birth_date, email=body.email, phone=body.phone, notes=body.notes
    )


# --------------------------------------------------------------------------- clients and questionnaires


@router.get("/clients", response={200: Page[s.ClientOut], **LIST_READ}, summary="List clients")
def list_clients(
    request: HttpRequest,
    search: Annotated[str, Query(max_length=100, pattern=r"^[^\x00]*$")] = "",
    cursor: CursorQ = None,
    limit: LimitQ = DEFAULT_LIMIT,
) -> Any:
    """The organization's clients, optionally filtered by name, email or phone."""
    return page(request, client_list(actor(request), search), cursor, limit, _client)


@router.post("/clients", response={201: s.ClientOut, **WRITE, 409: s.DuplicateClientOut}, summary="Register a client")
def create_client(request: HttpRequest, body: s.ClientNewIn) -> Any:
    """Register a client in the organization.

    A client with the same name (case and spaces aside) and birth date answers 409 with that
    client's id, unless ``confirm_new`` is true.
    """
    who = writer(request)
    try:
        client = client_actions.create_client(who, _client_data(body), confirm_new=body.confirm_new)
    except client_actions.DuplicateClientError as exc:
        return Status(409, {"field": exc.field, "detail": exc.message, "client_id": exc.existing.pk})
    return Status(201, _client(client))


@router.get("/clients/{client_id}", response={200: s.ClientOut, **READ}, summary="Read a client")
def read_client(request: HttpRequest, client_id: PkPath) -> Any:
    """One client of the organization (the view is recorded in the audit trail)."""
    who = actor(request)
    client = get_client(who, client_id)
    record_view(who, client, "client", client.pk)
    return _client(client)


@router.put("/clients/{client_id}", response={200: s.ClientOut, **WRITE}, summary="Change a client")
def update_client(request: HttpRequest, client_id: PkPath, body: s.ClientIn) -> Any:
    """Replace a client's details (the history keeps every earlier version)."""
    who = writer(request)
    client = get_client(who, client_id)
    return _client(client_actions.update_client(who, client, _client_data(body)))


@router.get(
    "/clients/{client_id}/questionnaires",
    response={200: Page[s.QuestionnaireOut], **LIST_READ},
    summary="List a client's questionnaires",
)
def list_questionnaires(
    request: HttpRequest, client_id: PkPath, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT
) -> Any:
    """The client's questionnaires, each with core's screening on the day it was taken."""
    _, qs = client_questionnaires(actor(request), client_id)
    return page(request, qs.select_related("client"), cursor, limit, lambda q: _questionnaire(request, q))


@router.post(
    "/clients/{client_id}/questionnaires",
    response={201: s.QuestionnaireOut, **WRITE},
    summary="Record a questionnaire",
)
def create_questionnaire(request: HttpRequest, client_id: PkPath, body: s.QuestionnaireIn) -> Any:
    """Store a dated questionnaire after core has checked it against the answers contract."""
    who = writer(request)
    client = get_client(who, client_id)
    q = client_actions.record_questionnaire(who, client, body.answers, body.taken_on)
    return Status(201, _questionnaire(request, q))


@router.get(
    "/clients/{client_id}/questionnaires/{questionnaire_id}",
    response={200: s.QuestionnaireOut, **READ},
    summary="Read a questionnaire with its screening",
)
def read_questionnaire(request: HttpRequest, client_id: PkPath, questionnaire_id: PkPath) -> Any:
    """One questionnaire with core's screening of it on the day it was taken."""
    who = actor(request)
    q = get_questionnaire(who, get_client(who, client_id), questionnaire_id)
    record_view(who, q.client, "questionnaire", q.pk)
    return _questionnaire(request, q)


# --------------------------------------------------------------------------- consents (read only)


@router.get("/clients/{client_id}/consents", response={200: Page[s.ConsentOut], **LIST_READ}, summary="List consents")
def list_consents(
    request: HttpRequest, client_id: PkPath, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT
) -> Any:
    """The client's consents (signed in the app, never through the API)."""
    return page(request, client_consents(actor(request), client_id), cursor, limit, _consent)


@router.get("/consents/{consent_id}", response={200: s.ConsentOut, **READ}, summary="Read a consent")
def read_consent(request: HttpRequest, consent_id: PkPath) -> Any:
    """One consent with the text the client signed."""
    who = actor(request)
    consent = get_consent(who, consent_id)
    record_view(who, consent.client, "consent", consent.pk)
    return _consent(consent)


# --------------------------------------------------------------------------- courses and sessions


@router.get("/clients/{client_id}/courses", response={200: Page[s.CourseOut], **LIST_READ}, summary="List courses")
def list_courses(request: HttpRequest, client_id: PkPath, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT) -> Any:
    """The client's courses with their plans."""
    return page(request, client_courses(actor(request), client_id), cursor, limit, _course)


def _override(body: s.CourseIn | s.StartIn) -> treatment_actions.OverrideInput:
    return treatment_actions.OverrideInput(
        physician=body.override_physician, approved_on=body.override_approved_on, reason=body.override_reason
    )


@router.post("/clients/{client_id}/courses", response={201: s.CourseOut, **WRITE}, summary="Plan a course")
def create_course(request: HttpRequest, client_id: PkPath, body: s.CourseIn) -> Any:
    """Plan a course with core from the client's latest questionnaire (a blocking screening answers 422)."""
    who = writer(request)
    client = get_client(who, client_id)
    skin = parse_skin_type(body.skin_type) if body.skin_type is not None else None
    data = treatment_actions.CourseData(
        indication=body.indication,
        zones=tuple(body.zones),
        setting=body.setting,
        start_on=body.start_on,
        device=body.device,
        skin_type=skin,
    )
    course = treatment_actions.create_course(who, client, data, override=_override(body))
    return Status(201, _course(course))


@router.get("/courses/{course_id}", response={200: s.CourseOut, **READ}, summary="Read a course")
def read_course(request: HttpRequest, course_id: PkPath) -> Any:
    """One course with its plan."""
    who = actor(request)
    course = get_course(who, course_id)
    record_view(who, course.client, "course", course.pk)
    return _course(course)


@router.post(
    "/courses/{course_id}/book", response={200: list[s.SessionOut], **WRITE}, summary="Book a course's sessions"
)
def book_course(request: HttpRequest, course_id: PkPath) -> Any:
    """Book every session of the plan's schedule not booked yet; returns the sessions booked now."""
    who = writer(request)
    booked = treatment_actions.book_sessions(who, get_course(who, course_id))
    return [_session(x) for x in with_zones(Session.objects.filter(pk__in=[b.pk for b in booked]))]


@router.get("/courses/{course_id}/sessions", response={200: Page[s.SessionOut], **LIST_READ}, summary="List sessions")
def list_sessions(
    request: HttpRequest, course_id: PkPath, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT
) -> Any:
    """The course's sessions with their zone records."""
    return page(request, sessions_of(actor(request), course_id), cursor, limit, _session)


def _one_session(request: HttpRequest, session_id: int) -> dict[str, Any]:
    return _session(with_zones(Session.objects.filter(pk=get_session(actor(request), session_id).pk)).get())


@router.get("/sessions/{session_id}", response={200: s.SessionOut, **READ}, summary="Read a session")
def read_session(request: HttpRequest, session_id: PkPath) -> Any:
    """One session with its zone records."""
    who = actor(request)
    session = get_session(who, session_id)
    record_view(who, session.client, "session", session.pk)
    return _one_session(request, session_id)


@router.post("/sessions/{session_id}/start", response={200: s.SessionOut, **WRITE}, summary="Start a session")
def start_session(request: HttpRequest, session_id: PkPath, body: s.StartIn) -> Any:
    """Start a booked session through core's start gate (screening on the day, consent in force, spacing)."""
    who = writer(request)
    treatment_actions.start_session(who, get_session(who, session_id), body.on, _override(body))
    return _one_session(request, session_id)


@router.put(
    "/sessions/{session_id}/record", response={200: s.SessionOut, **WRITE}, summary="Save a session's draft record"
)
def save_record(request: HttpRequest, session_id: PkPath, body: s.RecordIn) -> Any:
    """Save the draft record of a running session; core checks each zone. Signing is done in the app."""
    who = writer(request)
    data = treatment_actions.RecordInput(
        checklist=tuple(body.checklist),
        notes=body.notes,
        zones=tuple(treatment_actions.ZoneInput(**z.model_dump()) for z in body.zones),
    )
    treatment_actions.save_record(who, get_session(who, session_id), data)
    return _one_session(request, session_id)


# --------------------------------------------------------------------------- devices and lots


@router.get("/devices", response={200: Page[s.DeviceOut], **LIST_READ}, summary="List device units and lots")
def list_devices(request: HttpRequest, cursor: CursorQ = None, limit: LimitQ = DEFAULT_LIMIT) -> Any:
    """The organization's device units and consumable lots with their use counts."""
    return page(request, device_units(actor(request)), cursor, limit, _device)


@router.post("/devices", response={201: s.DeviceOut, **WRITE}, summary="Add a device unit or lot")
def add_device(request: HttpRequest, body: s.DeviceIn) -> Any:
    """Register a unit or lot of a catalog device."""
    who = writer(request)
    unit = device_actions.add_unit(
        who, body.catalog_id, body.label, lot_number=body.lot_number, expires_on=body.expires_on
    )
    return Status(201, _device(get_unit(who, unit.pk)))


@router.get("/devices/{device_id}", response={200: s.DeviceOut, **READ}, summary="Read a device unit")
def read_device(request: HttpRequest, device_id: PkPath) -> Any:
    """One device unit or lot with its use count."""
    return _device(get_unit(actor(request), device_id))


@router.post("/devices/{device_id}/retire", response={200: s.DeviceOut, **WRITE}, summary="Retire a device unit")
def retire_device(request: HttpRequest, device_id: PkPath, body: s.RetireIn) -> Any:
    """Take a unit out of service (its use in past sessions stays on record)."""
    who = writer(request)
    unit = device_actions.retire_unit(who, get_unit(who, device_id), body.on)
    return _device(get_unit(who, unit.pk))
