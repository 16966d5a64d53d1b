"""Pinpoint's own code systems: one canonical base, a CodeSystem in every bundle, every code written defined there.

fhir.resources checks a resource's shape, not its value sets: this checks that every coding a demo
bundle (R4B and R5, both organizations, and one client's) writes under Pinpoint's canonical base is
a code of a CodeSystem resource of that same bundle, with the same display, and that the base is
written in one place only (``interop.toml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pinpoint.evidence.loader import load_evidence
from pinpoint.interop.fhir import Version, parse_resource
from tests.web.test_export_fhir import bundle, codings

SRC = Path(__file__).parents[2] / "src" / "pinpoint"
EXPECTED = {
    "procedure": 2,
    "observation": 3,
    "zone": 25,
    "device": 8,
    "outcome-scale": 7,
    "adverse-event": 11,
    "ctcae-grade": 4,
    "photo-view": 18,
}
"""Pinpoint's code systems and their number of codes in this evidence version."""


def test_the_canonical_base_is_written_once() -> None:
    data = load_evidence().extra["interop"]
    base = data.canonical.base
    assert base == "https://pinpoint.invalid/fhir"
    where = [
        (str(p.relative_to(SRC)), p.read_text(encoding="utf-8").count(base))
        for p in SRC.rglob("*")
        if p.suffix in (".py", ".toml", ".html") and base in p.read_text(encoding="utf-8")
    ]
    assert where == [("evidence/data/interop.toml", 1)]
    own = {name: s.uri for name, s in data.systems if s.own}
    assert own["zone"] == f"{base}/CodeSystem/zone"
    assert own["identifier"] == f"{base}/NamingSystem/record"
    assert all(uri.startswith(base + "/") for uri in own.values())
    assert not any(s.uri.startswith(base) for _, s in data.systems if not s.own)


@pytest.mark.django_db
@pytest.mark.parametrize("version", [Version.R4B, Version.R5], ids=["R4B", "R5"])
def test_every_own_code_is_defined_in_a_code_system_of_the_bundle(world: Any, version: Version) -> None:
    ev = load_evidence()
    base = ev.extra["interop"].canonical.base
    used: dict[str, int] = {}
    for org, client in ((world.clinic, None), (world.home, None), (world.clinic, world.ada.pk)):
        entries = [e["resource"] for e in bundle(org, version, client)["entry"]]
        systems = [r for r in entries if r["resourceType"] == "CodeSystem"]
        assert {r["id"].removeprefix("codesystem-"): r["count"] for r in systems} == EXPECTED
        for r in systems:
            parse_resource(version, r)
            assert (r["url"], r["version"], r["status"], r["content"]) == (
                f"{base}/CodeSystem/{r['id'].removeprefix('codesystem-')}",
                ev.version,
                "active",
                "complete",
            )
            assert len({c["code"] for c in r["concept"]}) == r["count"] == len(r["concept"])
        defined = {r["url"]: {c["code"]: c["display"] for c in r["concept"]} for r in systems}
        for resource in entries:
            if resource["resourceType"] == "CodeSystem":
                continue
            for c in codings(resource):
                if not c["system"].startswith(base) or "/NamingSystem/" in c["system"]:
                    continue
                assert c["system"] in defined, c
                assert defined[c["system"]].get(c["code"]) == c["display"], c
                used[c["system"]] = used.get(c["system"], 0) + 1
    assert {u.rsplit("/", 1)[1] for u in used} == set(EXPECTED)  # the demo writes codes of each
