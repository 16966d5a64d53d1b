"""Pinpoint's records as FHIR resources, in R4B or R5 (plain JSON dicts, checked by fhir.resources).

Every resource gets a stable id (``<kind>-<row id>``) and its bundle entry a ``urn:uuid`` made
from that id, and references point at those ``urn:uuid`` values, so every reference resolves
inside the bundle that holds both resources.

What maps to what:

- organization → Organization; user → Practitioner; client → Patient;
- device unit or lot → Device (lot number, expiry, catalog type);
- questionnaire snapshot → QuestionnaireResponse, answering the Questionnaire of its evidence
  version (one per version, built from core's answers contract);
- consent → Consent (R5 ``subject``/``decision``; R4B ``patient``/``scope``/``policyRule``);
- course → CarePlan; each session → Appointment; a started or signed session → Encounter and one
  Procedure per treated zone (code, body site, performer, device and the lots used);
- electrolysis course → CarePlan (``el-course-``); each area record of an electrolysis session →
  Procedure (``el-area-``, the electrolysis code, the area as body site, the settings as a note);
  an area record with a window count → Observation (``el-count-``): the hairs seen in the window,
  with the window's size and the hairs removed from the area as components, part of its Procedure.

- outcome score → Observation (``score-``): the scale's code, category exam (a practitioner's
  rating) or survey (the client's), the value with its unit, a level's words as a note, an mMASI's
  region grades as components, the rater as performer, based on the course's CarePlan;
- adverse event → AdverseEvent (``adverse-event-``): what happened (Pinpoint's code and the SNOMED
  CT finding where confirmed), onset, the severity (R4B ``severity``; in both versions an extension
  with the FHIR severity and the CTCAE grade, since R5 has no severity), the latest follow-up's
  outcome, the session's encounter, its zones' Procedures and the lots' Devices as suspect
  entities, what was done and each follow-up as notes (R4B: an extension, it has no note).

- photo → Media (R4B) or DocumentReference (R5) (``photo-``) and the image in a Binary
  (``photo-image-``, base64 JPEG) that its attachment's ``url`` names: the view (Pinpoint's view
  code: R4B ``view``, R5 ``type``), the zone as body site, the session's Encounter, the course's
  CarePlan, who took it, the day; the attachment's ``hash`` is the SHA-1 FHIR defines, the SHA-256
  Pinpoint seals is an extension beside it. A photo whose file an erasure deleted keeps its
  Media/DocumentReference, without a Binary, a ``url`` or a SHA-1, and says so in a note.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import types
import uuid
from collections.abc import Iterator, Mapping
from enum import StrEnum
from typing import Any, Union, get_args, get_origin
from zoneinfo import ZoneInfo

from fhir.resources import get_fhir_model_class as r5_model_class
from fhir.resources.R4B import get_fhir_model_class as r4b_model_class

from pinpoint.core.adverse import CLOSING, OUTCOMES
from pinpoint.core.answers import Answers
from pinpoint.core.hair import get_modality
from pinpoint.core.hair_records import word_name
from pinpoint.interop.codes import Codes
from pinpoint.interop.records import (
    AdverseEventRec,
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
    ScoreRec,
    SessionRec,
)

__all__ = ["ERASED_IMAGE", "Mapper", "Version", "full_url", "parse_resource"]

ERASED_IMAGE = "The image was deleted when the client's personal data was erased; the record of the photo stays."
"""The note of a photo exported without its image."""

_NAMESPACE = uuid.UUID("9b1f3c2e-6d0a-5b7e-8f41-2c5a7d9e0b13")


class Version(StrEnum):
    """The FHIR release written."""

    R4B = "R4B"
    R5 = "R5"


def full_url(resource_type: str, rid: str) -> str:
    """The entry's ``fullUrl``: a ``urn:uuid`` fixed by the resource's type and id."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{resource_type}/{rid}')}"


def _ref(resource_type: str, rid: str, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"reference": full_url(resource_type, rid), "type": resource_type}
    if display:
        out["display"] = display
    return out


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _note(text: str) -> list[dict[str, str]]:
    return [{"text": text}] if text else []


def parse_resource(version: Version, resource: Mapping[str, Any]) -> Any:
    """``resource`` parsed by fhir.resources in ``version`` (raises on anything the library refuses)."""
    lookup = r5_model_class if version is Version.R5 else r4b_model_class
    model = lookup(str(resource["resourceType"]))
    return model.model_validate(dict(resource))


def _item_type(annotation: Any) -> str:
    """The Questionnaire item type of one field of core's answers contract: yes/no, else text.

    Dates, skin types and zone lists are answered as text: stored answers keep the form people
    typed (a skin type as "III", "never" as ``false`` for a date), which text always holds.
    """
    args = [a for a in get_args(annotation) if a is not type(None)]
    inner = args[0] if get_origin(annotation) in (Union, types.UnionType) and len(args) == 1 else annotation
    return "boolean" if inner is bool else "string"


def _answer(item_type: str, value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if item_type == "boolean" and isinstance(value, bool):
        return [{"valueBoolean": value}]
    if isinstance(value, str):
        return [{"valueString": value}]
    return [{"valueString": json.dumps(value, sort_keys=True, default=str)}]


ANSWER_FIELDS: dict[str, str] = {
    name: _item_type(f.annotation) for name, f in Answers.model_fields.items() if name != "answered"
}
"""Each field of core's answers contract and its Questionnaire item type."""


class Mapper:
    """Maps records to resources of one FHIR version (plain dicts, in FHIR JSON shape)."""

    def __init__(self, version: Version, codes: Codes) -> None:
        self.version = version
        self.codes = codes
        self.r5 = version is Version.R5

    def _base(self, resource_type: str, rid: str, table: str, pk: int) -> dict[str, Any]:
        ident = self.codes.identifier(table, pk)
        single = resource_type in ("QuestionnaireResponse", "AdverseEvent") and not self.r5  # 0..1 in R4B
        return {"resourceType": resource_type, "id": rid, "identifier": ident if single else [ident]}

    def organization(self, org: OrganizationRec) -> dict[str, Any]:
        """Organization."""
        out = self._base("Organization", f"org-{org.id}", "organization", org.id)
        out.update({"active": True, "name": org.name})
        return out

    def practitioner(self, person: PersonRec) -> dict[str, Any]:
        """Practitioner: name and email."""
        out = self._base("Practitioner", f"user-{person.id}", "user", person.id)
        out["name"] = [{"text": person.name or person.email}]
        if person.email:
            out["telecom"] = [{"system": "email", "value": person.email}]
        return out

    def patient(self, client: ClientRec) -> dict[str, Any]:
        """Patient: name, birth date, email and phone, managed by the organization."""
        out = self._base("Patient", f"client-{client.id}", "client", client.id)
        out.update({"active": not client.erased, "name": [{"text": client.full_name}]})
        if client.birth_date:
            out["birthDate"] = client.birth_date.isoformat()
        telecom = [{"system": "email", "value": client.email}] if client.email else []
        telecom += [{"system": "phone", "value": client.phone}] if client.phone else []
        if telecom:
            out["telecom"] = telecom
        out["managingOrganization"] = _ref("Organization", f"org-{client.organization_id}")
        return out

    def device(self, unit: DeviceRec) -> dict[str, Any]:
        """Device: lot number, expiry, catalog type, the organization that owns it."""
        out = self._base("Device", f"device-{unit.id}", "device", unit.id)
        out["status"] = "inactive" if unit.retired_on else "active"
        if unit.lot_number:
            out["lotNumber"] = unit.lot_number
        if unit.expires_on:
            out["expirationDate"] = unit.expires_on.isoformat()
        kind = self.codes.device(unit.catalog_id)
        if self.r5:
            out["name"] = [{"value": unit.label, "type": "user-friendly-name"}]
            out["type"] = [kind]
        else:
            out["deviceName"] = [{"name": unit.label, "type": "user-friendly-name"}]
            out["type"] = kind
        out["owner"] = _ref("Organization", f"org-{unit.organization_id}")
        return out

    def code_systems(self) -> list[dict[str, Any]]:
        """A CodeSystem for each of Pinpoint's own code systems, versioned by the evidence version."""
        out = []
        for name in self.codes.own_code_systems():
            system = getattr(self.codes.data.systems, name)
            concepts = self.codes.concepts(name)
            out.append({
                "resourceType": "CodeSystem",
                "id": "codesystem-" + system.path.removeprefix("CodeSystem/"),
                "url": system.uri,
                "version": self.codes.ev.version,
                "name": "Pinpoint" + "".join(w.capitalize() for w in name.split("_")),
                "title": system.title,
                "status": "active",
                "publisher": "Pinpoint",
                "caseSensitive": True,
                "content": "complete",
                "count": len(concepts),
                "concept": [{"code": code, "display": display} for code, display in concepts.items()],
            })  # fmt: skip
        return out

    def questionnaire(self, evidence_version: str) -> dict[str, Any]:
        """The medical-history Questionnaire of one evidence version (core's answers contract)."""
        system = self.codes.data.systems.questionnaire
        return {
            "resourceType": "Questionnaire",
            "id": f"history-{evidence_version}",
            "url": system.uri,
            "version": evidence_version,
            "name": "MedicalHistory",
            "title": "Medical history",
            "status": "active",
            "item": [
                {"linkId": name, "text": name.replace("_", " ").capitalize(), "type": kind}
                for name, kind in ANSWER_FIELDS.items()
            ],
        }

    def questionnaire_response(self, q: QuestionnaireRec) -> dict[str, Any]:
        """QuestionnaireResponse: every answered field of the snapshot."""
        out = self._base("QuestionnaireResponse", f"questionnaire-{q.id}", "questionnaire", q.id)
        items = []
        for name, kind in ANSWER_FIELDS.items():
            answers = _answer(kind, q.answers.get(name))
            if answers:
                items.append({"linkId": name, "answer": answers})
        out.update(
            {
                "questionnaire": f"{self.codes.data.systems.questionnaire.uri}|{q.evidence_version}",
                "status": "completed",
                "subject": _ref("Patient", f"client-{q.client_id}"),
                "authored": q.taken_on.isoformat(),
                "author": _ref("Practitioner", f"user-{q.recorded_by_id}"),
                "item": items,
            }
        )
        return out

    def consent(self, c: ConsentRec, organization_id: int) -> dict[str, Any]:
        """Consent: the signed text as an attachment, in force from signing to withdrawal."""
        out = self._base("Consent", f"consent-{c.id}", "consent", c.id)
        k = self.codes.data.consent
        patient = _ref("Patient", f"client-{c.client_id}")
        period: dict[str, str] = {"start": _instant(c.signed_at)}
        if c.withdrawn_at:
            period["end"] = _instant(c.withdrawn_at)
        attachment = {
            "contentType": "text/plain; charset=utf-8",
            "title": f"{c.title} (version {c.template_version})",
            "data": base64.b64encode(c.text.encode("utf-8")).decode("ascii"),
        }
        verification = [{"verified": True, "verifiedWith": patient, "verificationDate": _instant(c.signed_at)}]
        out["status"] = "inactive" if c.withdrawn_at else "active"
        out["category"] = [{"coding": [self.codes.coding("consent_category", k.category_code, k.category_display)]}]
        if self.r5:
            out.update(
                {
                    "subject": patient,
                    "date": c.signed_at.date().isoformat(),
                    "grantor": [patient],
                    "controller": [_ref("Organization", f"org-{organization_id}")],
                    "sourceAttachment": [attachment],
                    "verification": [{**verification[0], "verificationDate": [_instant(c.signed_at)]}],
                    "decision": "permit",
                    "provision": [{"period": period}],
                }
            )
        else:
            out.update(
                {
                    "scope": {"coding": [self.codes.coding("consent_scope", k.scope_code, k.scope_display)]},
                    "patient": patient,
                    "dateTime": _instant(c.signed_at),
                    "performer": [patient],
                    "organization": [_ref("Organization", f"org-{organization_id}")],
                    "sourceAttachment": attachment,
                    "policyRule": {
                        "coding": [self.codes.coding("act_code", k.policy_rule_code, k.policy_rule_display)]
                    },
                    "verification": verification,
                    "provision": {"type": "permit", "period": period},
                }
            )
        return out

    def care_plan(self, course: CourseRec, sessions: list[SessionRec]) -> dict[str, Any]:
        """CarePlan: the course, each session an activity (its appointment and, once done, procedures)."""
        out = self._base("CarePlan", f"course-{course.id}", "course", course.id)
        zones = ", ".join(self.codes.zone(z)["text"] for z in course.zones)
        out.update(
            {
                "status": "completed" if course.finished else "active",
                "intent": "plan",
                "title": f"{self.codes.procedure(course.treatment)['text']}: {course.indication_name}",
                "description": f"{course.indication_name} ({course.setting}); zones: {zones}",
                "subject": _ref("Patient", f"client-{course.client_id}"),
                "period": {"start": course.start_on.isoformat()},
                "created": _instant(course.created_at),
            }
        )
        out["custodian" if self.r5 else "author"] = _ref("Practitioner", f"user-{course.created_by_id}")
        activities = []
        for s in sessions:
            done = [_ref("Procedure", f"zone-{z.id}") for z in s.zones if self._is_procedure(s, z)]
            appointment = _ref("Appointment", f"session-{s.id}")
            if self.r5:
                act: dict[str, Any] = {"plannedActivityReference": appointment}
                if done:
                    act["performedActivity"] = [{"reference": r} for r in done]
            else:
                act = {"reference": appointment}
                if done:
                    act["outcomeReference"] = done
            activities.append(act)
        if activities:
            out["activity"] = activities
        return out

    def appointment(self, s: SessionRec, time_zone: str) -> dict[str, Any]:
        """Appointment: the day a session is booked for (sessions have no time of day yet)."""
        out = self._base("Appointment", f"session-{s.id}", "session", s.id)
        status = {"booked": "booked", "cancelled": "cancelled", "in_progress": "arrived", "signed": "fulfilled"}
        tz = ZoneInfo(time_zone)
        start = dt.datetime.combine(s.scheduled_on, dt.time(), tzinfo=tz)
        end = dt.datetime.combine(s.scheduled_on + dt.timedelta(days=1), dt.time(), tzinfo=tz)
        patient = _ref("Patient", f"client-{s.client_id}")
        out.update(
            {
                "status": status.get(s.status, "booked"),
                "description": f"Session {s.number}",
                "start": _instant(start),
                "end": _instant(end),
                "requestedPeriod": [{"start": s.scheduled_on.isoformat(), "end": s.scheduled_on.isoformat()}],
                "basedOn": [_ref("CarePlan", f"course-{s.course_id}")],
                "participant": [{"actor": patient, "status": "accepted"}],
            }
        )
        if self.r5:
            out["subject"] = patient
        if s.performer_id:
            out["participant"].append({"actor": _ref("Practitioner", f"user-{s.performer_id}"), "status": "accepted"})
        return out

    @staticmethod
    def _is_procedure(s: SessionRec, z: Any) -> bool:
        return s.status in ("signed", "in_progress") and bool(z.treated)

    def encounter(self, s: SessionRec, organization_id: int) -> dict[str, Any] | None:
        """Encounter of a started or signed session (``None`` for a booked or cancelled one)."""
        if s.status not in ("signed", "in_progress"):
            return None
        out = self._base("Encounter", f"encounter-{s.id}", "session", s.id)
        k = self.codes.data.encounter
        cls = self.codes.coding("act_code", k.class_code, k.class_display)
        period: dict[str, str] = {}
        if s.started_at:
            period["start"] = _instant(s.started_at)
        if s.signed_at:
            period["end"] = _instant(s.signed_at)
        who = [_ref("Practitioner", f"user-{s.performer_id}")] if s.performer_id else []
        out.update(
            {
                "subject": _ref("Patient", f"client-{s.client_id}"),
                "serviceProvider": _ref("Organization", f"org-{organization_id}"),
                "appointment": [_ref("Appointment", f"session-{s.id}")],
            }
        )
        if self.r5:
            out.update({"status": "completed" if s.status == "signed" else "in-progress", "class": [{"coding": [cls]}]})
            out["basedOn"] = [_ref("CarePlan", f"course-{s.course_id}")]
            out["participant"] = [{"actor": r} for r in who]
            if period:
                out["actualPeriod"] = period
        else:
            out.update({"status": "finished" if s.status == "signed" else "in-progress", "class": cls})
            out["participant"] = [{"individual": r} for r in who]
            if period:
                out["period"] = period
        if not out["participant"]:
            del out["participant"]
        return out

    def procedures(self, s: SessionRec, course: CourseRec) -> Iterator[dict[str, Any]]:
        """One Procedure per treated zone of a started or signed session."""
        for z in s.zones:
            if not self._is_procedure(s, z):
                continue
            out = self._base("Procedure", f"zone-{z.id}", "zone_record", z.id)
            out.update(
                {
                    "status": "completed" if s.status == "signed" else "in-progress",
                    "code": self.codes.procedure(course.treatment),
                    "subject": _ref("Patient", f"client-{s.client_id}"),
                    "encounter": _ref("Encounter", f"encounter-{s.id}"),
                    "basedOn": [_ref("CarePlan", f"course-{s.course_id}")],
                    "bodySite": [self.codes.zone(z.zone)],
                }
            )
            when = (s.performed_on or s.scheduled_on).isoformat()
            out["occurrenceDateTime" if self.r5 else "performedDateTime"] = when
            if s.performer_id:
                out["performer"] = [{"actor": _ref("Practitioner", f"user-{s.performer_id}")}]
            out["reason" if self.r5 else "reasonCode"] = (
                [{"concept": {"text": course.indication_name}}] if self.r5 else [{"text": course.indication_name}]
            )
            used = self._used(z)
            if used:
                out.update(used)
            details = []
            if z.depth_mm is not None:
                details.append(f"needle depth {z.depth_mm} mm")
            if z.passes is not None:
                details.append(f"{z.passes} pass{'es' if z.passes != 1 else ''}")
            if z.lot_number:
                details.append(f"lot {z.lot_number}")
            if details:
                out["note"] = _note("; ".join(details))
            yield out

    def _used(self, z: Any) -> dict[str, Any]:
        if z.device_unit_id is not None:
            ref = _ref("Device", f"device-{z.device_unit_id}")
            return {"used": [{"reference": ref}]} if self.r5 else {"usedReference": [ref]}
        if z.device:
            concept = self.codes.device(z.device)
            return {"used": [{"concept": concept}]} if self.r5 else {"usedCode": [concept]}
        return {}

    # ----------------------------------------------------------------------- electrolysis

    def electrolysis_care_plan(
        self, course: ElectrolysisCourseRec, sessions: list[ElectrolysisSessionRec]
    ) -> dict[str, Any]:
        """CarePlan of an electrolysis course: its areas and modality, each session's area procedures as activities."""
        out = self._base("CarePlan", f"el-course-{course.id}", "electrolysis_course", course.id)
        areas = ", ".join(self.codes.zone(a)["text"] for a in course.areas)
        name = self.codes.procedure("electrolysis")["text"]
        out.update(
            {
                "status": "active",
                "intent": "plan",
                "title": f"{name}: {areas}",
                "description": f"{name} ({course.modality_name}); areas: {areas}",
                "subject": _ref("Patient", f"client-{course.client_id}"),
                "period": {"start": course.start_on.isoformat()},
                "created": _instant(course.created_at),
            }
        )
        out["custodian" if self.r5 else "author"] = _ref("Practitioner", f"user-{course.created_by_id}")
        activities = []
        for s in sessions:
            done = [_ref("Procedure", f"el-area-{a.id}") for a in s.areas]
            if not done:
                continue
            activities.append({"performedActivity": [{"reference": r} for r in done]} if self.r5 else {
                "outcomeReference": done
            })  # fmt: skip
        if activities:
            out["activity"] = activities
        return out

    def electrolysis_procedures(self, s: ElectrolysisSessionRec) -> Iterator[dict[str, Any]]:
        """One Procedure per recorded area of an electrolysis session, with its hair-count Observation."""
        when = s.performed_on.isoformat()
        for a in s.areas:
            out = self._base("Procedure", f"el-area-{a.id}", "electrolysis_area", a.id)
            out.update(
                {
                    "status": "completed" if s.status == "signed" else "in-progress",
                    "code": self.codes.procedure("electrolysis"),
                    "subject": _ref("Patient", f"client-{s.client_id}"),
                    "basedOn": [_ref("CarePlan", f"el-course-{s.course_id}")],
                    "bodySite": [self.codes.zone(a.area)],
                    "performer": [{"actor": _ref("Practitioner", f"user-{s.performer_id}")}],
                    "note": _note(self._settings(a)),
                }
            )
            out["occurrenceDateTime" if self.r5 else "performedDateTime"] = when
            yield out
            count = self._hair_count(s, a)
            if count is not None:
                yield count

    def _hair_count(self, s: ElectrolysisSessionRec, a: AreaRec) -> dict[str, Any] | None:
        if a.window_cm2 is None or a.hairs_seen is None:
            return None
        out = self._base("Observation", f"el-count-{a.id}", "electrolysis_area", a.id)
        out.update(
            {
                "status": "final" if s.status == "signed" else "preliminary",
                "code": self.codes.observation("hairs_in_window"),
                "subject": _ref("Patient", f"client-{s.client_id}"),
                "partOf": [_ref("Procedure", f"el-area-{a.id}")],
                "effectiveDateTime": s.performed_on.isoformat(),
                "performer": [_ref("Practitioner", f"user-{s.performer_id}")],
                "bodySite": self.codes.zone(a.area),
                "valueQuantity": {"value": a.hairs_seen, "unit": "hairs"},
                "component": [
                    self._component("window_area", a.window_cm2, "cm²"),
                    self._component("hairs_removed", a.hairs_removed, "hairs"),
                ],
            }
        )
        return out

    def _component(self, code: str, value: float, unit: str) -> dict[str, Any]:
        return {"code": self.codes.observation(code), "valueQuantity": {"value": value, "unit": unit}}

    def _settings(self, a: AreaRec) -> str:
        """The area's record in words (units written out)."""
        ev = self.codes.ev
        return _settings(
            a, get_modality(ev, a.modality).name, word_name(ev, "probe_types", a.probe_type),
            word_name(ev, "reactions", a.reaction),
        )  # fmt: skip

    # ----------------------------------------------------------------------- photos

    def photo(self, p: PhotoRec, image: bytes | None) -> Iterator[dict[str, Any]]:
        """A photo's Binary and its Media (R4B) or DocumentReference (R5).

        ``image`` is the stored JPEG (``None`` when an erasure deleted it: no Binary then). The Binary
        comes first and the caller drops it before the next photo, so one photo's bytes are held at a time.
        ``p.sha256`` is the hex SHA-256 of the stored file.
        """
        patient = _ref("Patient", f"client-{p.client_id}")
        view = self.codes.photo_view(p.view)
        site = self.codes.zone(p.zone)
        title = f"{p.shows}: {view['text']}, {p.taken_on.isoformat()}"
        attachment: dict[str, Any] = {
            "extension": [{"url": self.codes.data.systems.photo_sha256.uri, "valueString": p.sha256}],
            "contentType": "image/jpeg",
            "title": title,
            "creation": p.taken_on.isoformat(),
        }
        if image is not None:
            yield {
                "resourceType": "Binary",
                "id": f"photo-image-{p.id}",
                "contentType": "image/jpeg",
                "securityContext": patient,
                "data": base64.b64encode(image).decode("ascii"),
            }
            attachment["url"] = full_url("Binary", f"photo-image-{p.id}")
            attachment["size"] = len(image) if not self.r5 else str(len(image))
            attachment["hash"] = base64.b64encode(hashlib.sha1(image, usedforsecurity=False).digest()).decode()
        kind = "DocumentReference" if self.r5 else "Media"
        out = self._base(kind, f"photo-{p.id}", "photo", p.id)
        out.update({"basedOn": [_ref("CarePlan", f"course-{p.course_id}")], "subject": patient})
        encounter = _ref("Encounter", f"encounter-{p.session_id}") if p.has_encounter else None
        taker = _ref("Practitioner", f"user-{p.taken_by_id}")
        if self.r5:
            attachment.update({"width": p.width, "height": p.height})
            out.update({"status": "current", "type": view, "bodySite": [{"concept": site}], "author": [taker]})
            description = f"{title}. {ERASED_IMAGE}" if image is None else title  # R5 has no note
            out.update({"description": description, "content": [{"attachment": attachment}]})
            if encounter:
                out["context"] = [encounter]
        else:
            out.update({"status": "completed", "view": view, "bodySite": site, "operator": taker})
            out.update({"createdDateTime": p.taken_on.isoformat(), "width": p.width, "height": p.height})
            out["content"] = attachment
            if encounter:
                out["encounter"] = encounter
            if image is None:
                out["note"] = _note(ERASED_IMAGE)
        yield out

    # ----------------------------------------------------------------------- follow-up

    def score(self, r: ScoreRec) -> dict[str, Any]:
        """Observation of an outcome score: scale, who rated it, the value (a level's words as a note)."""
        out = self._base("Observation", f"score-{r.id}", "assessment", r.id)
        rater = (
            _ref("Patient", f"client-{r.client_id}") if r.rater == "client"
            else _ref("Practitioner", f"user-{r.recorded_by_id}")
        )  # fmt: skip
        out.update(
            {
                "status": "final",
                "category": [self.codes.score_category(r.rater)],
                "code": self.codes.scale(r.scale),
                "subject": _ref("Patient", f"client-{r.client_id}"),
                "basedOn": [_ref("CarePlan", f"course-{r.course_id}")],
                "effectiveDateTime": r.taken_on.isoformat(),
                "performer": [rater],
                "valueQuantity": {"value": r.value, "unit": r.unit},
            }
        )
        who = "the client" if r.rater == "client" else "the practitioner"
        out["note"] = _note(f"{r.label} (rated by {who})" if r.label else f"Rated by {who}")
        grades = [
            {"code": {"text": f"{region.replace('_', ' ').capitalize()}: {part}"},
             "valueQuantity": {"value": value, "unit": "points"}}
            for region, parts in sorted(r.components.items())
            for part, value in sorted(parts.items())
        ]  # fmt: skip
        if grades:
            out["component"] = grades
        return out

    def adverse_event(self, e: AdverseEventRec) -> dict[str, Any]:
        """AdverseEvent: what happened after a session, how severe, how it stands, what may have caused it."""
        out = self._base("AdverseEvent", f"adverse-event-{e.id}", "adverse_event", e.id)
        severity = self.codes.severity(e.severity)
        ext = self.codes.data.systems
        out["extension"] = [{"url": ext.severity_extension.uri, "valueCodeableConcept": severity}]
        out.update(
            {
                "actuality": "actual",
                "subject": _ref("Patient", f"client-{e.client_id}"),
                "recordedDate": _instant(e.reported_at),
                "recorder": _ref("Practitioner", f"user-{e.reported_by_id}"),
            }
        )
        if e.has_encounter:
            out["encounter"] = _ref("Encounter", f"encounter-{e.session_id}")
        suspects = [_ref("Procedure", f"zone-{p}") for p in e.procedure_ids]
        suspects += [_ref("Device", f"device-{u}") for u in e.unit_ids]
        key = "instanceReference" if self.r5 else "instance"
        if suspects:
            out["suspectEntity"] = [{key: ref} for ref in suspects]
        last = e.follow_ups[-1] if e.follow_ups else None
        notes = [f"Action taken: {e.action_taken}"] if e.action_taken else []
        for f in e.follow_ups:
            words = OUTCOMES.get(f.outcome, f.outcome)
            ended = f", resolved on {f.resolved_on.isoformat()}" if f.resolved_on else ""
            notes.append(f"Follow-up on {f.at.date().isoformat()}: {words}{ended}" + (f". {f.note}" if f.note else ""))
        if self.r5:
            out.update(
                {
                    "status": "completed" if last is not None and last.outcome in CLOSING else "in-progress",
                    "code": self.codes.adverse_event(e.kind),
                    "occurrenceDateTime": e.onset_on.isoformat(),
                }
            )
            if last is not None:
                out["outcome"] = [self.codes.ae_outcome(last.outcome)]
            if notes:
                out["note"] = [{"text": n} for n in notes]
        else:
            out.update(
                {
                    "event": self.codes.adverse_event(e.kind),
                    "date": e.onset_on.isoformat(),
                    "severity": {"coding": severity["coding"][:1], "text": severity["text"]},
                }
            )
            if last is not None:
                out["outcome"] = self.codes.ae_outcome(last.outcome)
            out["extension"] += [{"url": ext.note_extension.uri, "valueString": n} for n in notes]
        return out


def _settings(a: AreaRec, modality: str, probe: str, reaction: str) -> str:
    parts = [f"{modality}; probe: {probe}, size {a.probe_size}"]
    if a.current_ma is not None:
        parts.append(f"current {a.current_ma:g} mA")
    if a.intensity_w is not None:
        parts.append(f"intensity {a.intensity_w:g} W")
    parts += [
        f"{a.seconds_per_insertion:g} s per insertion",
        f"{a.insertions} insertions",
        f"{a.hairs_removed} hairs removed",
        f"{a.minutes:g} minutes",
        f"skin at the end: {reaction}",
        "aftercare given" if a.aftercare_given else "no aftercare recorded",
    ]
    return "; ".join(parts)
