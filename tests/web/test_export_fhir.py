"""FHIR bundles of the demo, in R4B and R5: every resource parses back, every reference resolves, codes known."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from pinpoint.evidence.loader import load_evidence
from pinpoint.interop.fhir import Version, parse_resource
from pinpoint.web.clients.models import Client, Questionnaire
from pinpoint.web.consents.models import Consent
from pinpoint.web.devices.models import DeviceUnit
from pinpoint.web.electrolysis import models as el
from pinpoint.web.exports.fhir import write_bundle
from pinpoint.web.outcomes.models import AdverseEvent, Assessment
from pinpoint.web.photos.models import Photo
from pinpoint.web.treatments.models import Course, Session, ZoneRecord

NOW = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)


def bundle(org: Any, version: Version, client_id: int | None = None) -> dict[str, Any]:
    out = io.StringIO()
    write_bundle(out, org, version, now=NOW, client_id=client_id)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def walk(obj: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k, v
            yield from walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk(v)


def references(resource: dict[str, Any]) -> list[str]:
    return [v for k, v in walk(resource) if k == "reference" and isinstance(v, str)]


def codings(obj: Any) -> Iterator[dict[str, Any]]:
    if isinstance(obj, dict):
        if "system" in obj and "code" in obj:
            yield obj
        for v in obj.values():
            yield from codings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from codings(v)


@pytest.fixture(params=[Version.R4B, Version.R5], ids=["R4B", "R5"])
def version(request: Any) -> Version:
    return Version(request.param)


@pytest.mark.django_db
def test_clinic_bundle_parses_back_and_references_resolve(world: Any, version: Version) -> None:
    data = bundle(world.clinic, version)
    assert data["resourceType"] == "Bundle"
    assert data["type"] == "collection"
    parse_resource(version, data)  # the whole bundle parses back
    urls = [e["fullUrl"] for e in data["entry"]]
    assert len(urls) == len(set(urls))
    for e in data["entry"]:
        parse_resource(version, e["resource"])
        for ref in references(e["resource"]):
            assert ref in urls, f"{e['resource']['resourceType']}/{e['resource']['id']} points at {ref}"
    kinds = Counter(e["resource"]["resourceType"] for e in data["entry"])
    sessions = Session.objects.filter(organization=world.clinic)
    started = sessions.filter(status__in=["signed", "in_progress"])
    treated = ZoneRecord.objects.filter(session__in=started, treated=True)
    el_areas = el.AreaRecord.objects.filter(organization=world.clinic)
    mine = {"organization": world.clinic}
    # the demo clinic grows with every feature: its clients, courses and records counted, Hedy's
    # five signed upper-lip electrolysis sessions (each area counted in a window) named
    assert dict(kinds) == {
        "Organization": 1,
        "Patient": Client.objects.filter(**mine).count(),
        "Practitioner": 3,
        "QuestionnaireResponse": Questionnaire.objects.filter(**mine).count(),
        "Questionnaire": 1,
        "Consent": Consent.objects.filter(**mine).count(),
        "CarePlan": Course.objects.filter(**mine).count() + el.Course.objects.filter(**mine).count(),
        "Appointment": sessions.count(),
        "Encounter": started.count(),
        "Procedure": treated.count() + el_areas.count(),
        "Observation": el_areas.exclude(hairs_seen=None).count() + Assessment.objects.filter(**mine).count(),
        "AdverseEvent": AdverseEvent.objects.filter(**mine).count(),
        "Device": DeviceUnit.objects.filter(**mine).count(),
        "DocumentReference" if version is Version.R5 else "Media": Photo.objects.filter(**mine).count(),
        "Binary": Photo.objects.filter(**mine).count(),
        "CodeSystem": 8,  # Pinpoint's own code systems (test_export_code_systems.py)
    }
    assert kinds["Binary"] == 10  # Ada's five face views at two sessions
    # Ada's five outcome scores and her one resolved adverse event
    assert (kinds["Observation"], kinds["AdverseEvent"]) == (5 + 5, 1)
    assert treated.count() >= 1
    counts = [e for e in data["entry"] if e["resource"]["id"].startswith("el-count-")]
    assert (el_areas.count(), len(counts)) == (5, 5)


@pytest.mark.django_db
def test_every_code_is_in_evidence(world: Any, version: Version) -> None:
    ev = load_evidence()
    data = ev.extra["interop"]
    known = {
        data.systems.procedure.uri: set(data.procedures),
        data.systems.observation.uri: set(data.observations),
        data.systems.zone.uri: set(ev.zones),
        data.systems.device.uri: set(ev.devices),
        data.systems.snomed.uri: {data.skin_site.code},
        data.systems.consent_scope.uri: {data.consent.scope_code},
        data.systems.consent_category.uri: {data.consent.category_code},
        data.systems.act_code.uri: {data.consent.policy_rule_code, data.encounter.class_code},
        data.systems.scale.uri: set(ev.extra["outcomes"].scales),
        data.systems.adverse_event.uri: set(ev.extra["outcomes"].adverse_events),
        data.systems.observation_category.uri: {c.code for c in data.score_categories.values()},
        data.systems.ae_severity.uri: {s.fhir for s in ev.extra["outcomes"].severities.values()},
        data.systems.ctcae.uri: {s.ctcae for s in ev.extra["outcomes"].severities.values()},
        data.systems.ae_outcome.uri: {o.code for o in data.ae_outcomes.values()},
        data.systems.photo_view.uri: set(ev.extra["photos"].views),
    }
    known[data.systems.snomed.uri] |= {f.code for f in data.ae_findings.values()}
    seen: Counter[str] = Counter()
    for org in (world.clinic, world.home):
        for e in bundle(org, version)["entry"]:
            for c in codings(e["resource"]):
                if c["system"] == data.systems.identifier.uri:
                    continue
                assert c["system"] in known, c
                assert c["code"] in known[c["system"]], c
                seen[c["system"]] += 1
    assert seen[data.systems.procedure.uri] >= 2  # microneedling procedures of both organizations
    assert seen[data.systems.observation.uri] == 5 * 3  # Hedy's counts: hairs in the window, its size, removed
    # every zone's SNOMED CT skin structure, and the finding of Ada's prolonged redness
    assert seen[data.systems.zone.uri] + 1 == seen[data.systems.snomed.uri]
    assert seen[data.systems.scale.uri] == 5  # Ada's scores
    assert seen[data.systems.adverse_event.uri] == 1
    assert seen[data.systems.photo_view.uri] == 10  # Ada's ten photos, one view each


@pytest.mark.django_db
def test_procedure_of_the_signed_session(world: Any, version: Version) -> None:
    data = bundle(world.clinic, version, client_id=world.ada.pk)
    by_id = {e["resource"]["id"]: e["resource"] for e in data["entry"]}
    zr = world.signed.zone_records.filter(treated=True).order_by("pk").first()
    proc = by_id[f"zone-{zr.pk}"]
    assert proc["status"] == "completed"
    assert proc["code"]["coding"][0]["code"] == "microneedling"
    assert proc["bodySite"][0]["coding"][0]["code"] == zr.zone
    when = proc["occurrenceDateTime" if version is Version.R5 else "performedDateTime"]
    assert when == world.signed.performed_on.isoformat()
    performer = proc["performer"][0]["actor"]["reference"]
    assert by_id[f"user-{world.signed.signed_by_id}"]["resourceType"] == "Practitioner"
    assert performer == next(
        e["fullUrl"] for e in data["entry"] if e["resource"]["id"] == f"user-{world.signed.signed_by_id}"
    )
    device = by_id[f"device-{world.pen.pk}"]
    assert device.get("lotNumber", "") == world.pen.lot_number
    used = proc["used"][0]["reference"]["reference"] if version is Version.R5 else proc["usedReference"][0]["reference"]
    assert used == next(e["fullUrl"] for e in data["entry"] if e["resource"]["id"] == f"device-{world.pen.pk}")
    # one client: only Ada
    assert [r["name"][0]["text"] for r in by_id.values() if r["resourceType"] == "Patient"] == ["Ada Lovelace"]


@pytest.mark.django_db
def test_consent_fields_by_version(world: Any, version: Version) -> None:
    data = bundle(world.clinic, version, client_id=world.ada.pk)
    consent = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Consent")
    if version is Version.R5:
        assert consent["decision"] == "permit"
        assert consent["subject"]["type"] == "Patient"
        assert "patient" not in consent
    else:
        assert consent["scope"]["coding"][0]["code"] == "treatment"
        assert consent["policyRule"]["coding"][0]["code"] == "OPTIN"
        assert consent["patient"]["type"] == "Patient"
    assert consent["status"] == "active"


@pytest.mark.django_db
def test_electrolysis_course_sessions_and_counts(world: Any, version: Version) -> None:
    hedy = Client.objects.get(organization=world.clinic, full_name="Hedy Lamarr")
    data = bundle(world.clinic, version, client_id=hedy.pk)
    urls = {e["resource"]["id"]: e["fullUrl"] for e in data["entry"]}
    by_id = {e["resource"]["id"]: e["resource"] for e in data["entry"]}
    course = el.Course.objects.get(client=hedy)
    plan = by_id[f"el-course-{course.pk}"]
    assert (plan["resourceType"], plan["title"]) == ("CarePlan", "Needle electrolysis hair removal: Upper lip")
    first = el.Session.objects.get(course=course, number=1)
    area = first.areas.get()
    proc = by_id[f"el-area-{area.pk}"]
    assert (proc["status"], proc["code"]["coding"][0]["code"]) == ("completed", "electrolysis")
    assert proc["bodySite"][0]["coding"][0]["code"] == "upper_lip"
    when = proc["occurrenceDateTime" if version is Version.R5 else "performedDateTime"]
    assert when == first.performed_on.isoformat()
    assert proc["basedOn"][0]["reference"] == urls[f"el-course-{course.pk}"]
    assert proc["performer"][0]["actor"]["reference"] == urls[f"user-{first.signed_by_id}"]
    assert f"{area.insertions} insertions; {area.hairs_removed} hairs removed" in proc["note"][0]["text"]
    count = by_id[f"el-count-{area.pk}"]
    assert (count["resourceType"], count["status"], count["effectiveDateTime"]) == (
        "Observation",
        "final",
        first.performed_on.isoformat(),
    )
    assert count["valueQuantity"] == {"value": area.hairs_seen, "unit": "hairs"}
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"]) for c in count["component"]] == [
        ("window_area", 4.0),
        ("hairs_removed", area.hairs_removed),
    ]
    assert count["partOf"][0]["reference"] == urls[f"el-area-{area.pk}"]
    done = plan["activity"]
    refs = [a["performedActivity"][0]["reference"] if version is Version.R5 else a["outcomeReference"][0] for a in done]
    assert len(refs) == 5
    assert refs[0]["reference"] == urls[f"el-area-{area.pk}"]


@pytest.mark.django_db
def test_outcome_scores_as_observations(world: Any, version: Version) -> None:
    data = bundle(world.clinic, version, client_id=world.ada.pk)
    urls = {e["resource"]["id"]: e["fullUrl"] for e in data["entry"]}
    scores = [e["resource"] for e in data["entry"] if e["resource"]["id"].startswith("score-")]
    course = Course.objects.get(organization=world.clinic, client=world.ada)
    rows = Assessment.objects.filter(course=course).order_by("taken_on", "pk")
    assert [s["id"] for s in scores] == [f"score-{a.pk}" for a in rows]
    got = [
        (s["code"]["coding"][0]["code"], s["category"][0]["coding"][0]["code"], s["valueQuantity"]["value"])
        for s in scores
    ]
    assert got == [
        ("goodman_baron_grade", "exam", 3.0),
        ("goodman_baron_grade", "exam", 2.0),
        ("gais", "exam", 3.0),
        ("gais", "survey", 2.0),
        ("satisfaction", "survey", 7.0),
    ]
    gais_client = scores[3]
    assert gais_client["note"] == [{"text": "Much improved (marked, not optimal) (rated by the client)"}]
    assert gais_client["performer"] == [{"reference": urls[f"client-{world.ada.pk}"], "type": "Patient"}]
    assert scores[2]["performer"][0]["reference"] == urls[f"user-{rows[2].recorded_by_id}"]
    assert scores[0]["basedOn"][0]["reference"] == urls[f"course-{course.pk}"]
    assert scores[0]["effectiveDateTime"] == rows[0].taken_on.isoformat()
    assert scores[4]["valueQuantity"] == {"value": 7.0, "unit": "points"}


@pytest.mark.django_db
def test_adverse_event_with_severity_outcome_and_suspects(world: Any, version: Version) -> None:
    data = bundle(world.clinic, version, client_id=world.ada.pk)
    urls = {e["resource"]["id"]: e["fullUrl"] for e in data["entry"]}
    event = AdverseEvent.objects.get(organization=world.clinic, client=world.ada)
    ae = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "AdverseEvent")
    assert ae["id"] == f"adverse-event-{event.pk}"
    what = ae["code" if version is Version.R5 else "event"]
    assert [(c["code"], c["display"]) for c in what["coding"]] == [
        ("prolonged_erythema", "Prolonged redness (erythema)"),
        ("420356000", "Persistent erythema of skin"),
    ]
    severity = ae["extension"][0]["valueCodeableConcept"]
    assert [c["code"] for c in severity["coding"]] == ["mild", "1"]
    assert ae["encounter"]["reference"] == urls[f"encounter-{event.session_id}"]
    assert ae["recorder"]["reference"] == urls[f"user-{event.reported_by_id}"]
    key = "instanceReference" if version is Version.R5 else "instance"
    suspects = [s[key]["reference"] for s in ae["suspectEntity"]]
    zones = ZoneRecord.objects.filter(session_id=event.session_id, zone__in=event.zones, treated=True)
    lots = list(event.lot_rows.order_by("pk").values_list("unit_id", flat=True))
    assert lots  # the demo's event names the lot used
    assert suspects == [urls[f"zone-{z.pk}"] for z in zones.order_by("pk")] + [urls[f"device-{u}"] for u in lots]
    follow = event.updates.get()
    note = f"Follow-up on {follow.at.date().isoformat()}: Resolved, resolved on {follow.resolved_on.isoformat()}."
    if version is Version.R5:
        assert (ae["status"], ae["occurrenceDateTime"]) == ("completed", event.onset_on.isoformat())
        assert ae["outcome"][0]["coding"][0]["code"] == "resolved"
        assert [n["text"] for n in ae["note"]] == [f"Action taken: {event.action_taken}", f"{note} {follow.note}"]
        assert "severity" not in ae
    else:
        assert (ae["date"], ae["outcome"]["coding"][0]["code"]) == (event.onset_on.isoformat(), "resolved")
        assert ae["severity"]["coding"] == [
            {"system": "http://terminology.hl7.org/CodeSystem/adverse-event-severity", "code": "mild",
             "display": "Mild"}
        ]  # fmt: skip
        assert [x["valueString"] for x in ae["extension"][1:]] == [
            f"Action taken: {event.action_taken}", f"{note} {follow.note}"
        ]
        assert isinstance(ae["identifier"], dict)  # 0..1 in R4B


def test_interop_follow_up_codes_cover_the_evidence() -> None:
    from pinpoint.core.adverse import OUTCOMES

    ev = load_evidence()
    data = ev.extra["interop"]
    outcomes = ev.extra["outcomes"]
    assert set(data.ae_outcomes) == set(OUTCOMES)
    assert set(data.score_categories) == {r for s in outcomes.scales.values() for r in s.raters}
    assert set(data.ae_findings) <= set(outcomes.adverse_events)
    assert {s.fhir for s in outcomes.severities.values()} == {"mild", "moderate", "severe"}
