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
from pinpoint.web.exports.fhir import write_bundle
from pinpoint.web.treatments.models import Session, ZoneRecord

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
    # the demo clinic: Ada (consent, course, a signed session), Grace (consent, course, two questionnaires), Mary
    assert dict(kinds) == {
        "Organization": 1,
        "Patient": 3,
        "Practitioner": 3,
        "QuestionnaireResponse": 4,
        "Questionnaire": 1,
        "Consent": 2,
        "CarePlan": 2,
        "Appointment": sessions.count(),
        "Encounter": started.count(),
        "Procedure": treated.count(),
        "Device": 1,
    }
    assert treated.count() >= 1


@pytest.mark.django_db
def test_every_code_is_in_evidence(world: Any, version: Version) -> None:
    ev = load_evidence()
    data = ev.extra["interop"]
    known = {
        data.systems.procedure.uri: set(data.procedures),
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
