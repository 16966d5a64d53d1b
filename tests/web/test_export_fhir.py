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
        "Observation": el_areas.exclude(hairs_seen=None).count(),
        "Device": DeviceUnit.objects.filter(**mine).count(),
    }
    assert treated.count() >= 1
    assert (el_areas.count(), kinds["Observation"]) == (5, 5)


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
    }
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
    assert seen[data.systems.zone.uri] == seen[data.systems.snomed.uri]


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
