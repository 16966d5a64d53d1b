"""The codes the FHIR export writes, read from evidence (``interop.toml``, zones, devices).

No code is written in this package's code: systems, procedure codes, the SNOMED CT body
structure and the consent and encounter codes come from ``interop.toml``; zone codes are the
zone ids of ``zones.toml``, device codes the catalog ids of ``devices.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pinpoint.core.errors import UnknownIdError
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema_interop import Data

__all__ = ["Codes"]


@dataclass(frozen=True)
class Codes:
    """Codings built from the evidence base."""

    ev: Evidence

    @property
    def data(self) -> Data:
        """The validated ``interop.toml``."""
        data: Data = self.ev.extra["interop"]
        return data

    def coding(self, system: str, code: str, display: str) -> dict[str, Any]:
        """A Coding of the named system of ``interop.toml``."""
        return {"system": getattr(self.data.systems, system).uri, "code": code, "display": display}

    def procedure(self, treatment: str) -> dict[str, Any]:
        """The CodeableConcept of a treatment (``microneedling`` or ``electrolysis``)."""
        entry = self.data.procedures.get(treatment)
        if entry is None:
            raise UnknownIdError("treatment", "treatment", treatment, self.data.procedures)
        return {"coding": [self.coding("procedure", treatment, entry.display)], "text": entry.display}

    def observation(self, code: str) -> dict[str, Any]:
        """The CodeableConcept of something an electrolysis session counts (``observations`` of ``interop.toml``)."""
        entry = self.data.observations.get(code)
        if entry is None:
            raise UnknownIdError("observation", "observation", code, self.data.observations)
        return {"coding": [self.coding("observation", code, entry.display)], "text": entry.display}

    def scale(self, scale: str) -> dict[str, Any]:
        """The CodeableConcept of an outcome scale: its id in the scale code system and its name."""
        entry = self.ev.extra["outcomes"].scales.get(scale)
        if entry is None:
            raise UnknownIdError("scale", "scale", scale, self.ev.extra["outcomes"].scales)
        return {"coding": [self.coding("scale", scale, entry.name)], "text": entry.name}

    def score_category(self, rater: str) -> dict[str, Any]:
        """The Observation category of a score by who rated it (an examination or a survey)."""
        entry = self.data.score_categories.get(rater)
        if entry is None:
            raise UnknownIdError("rater", "rater", rater, self.data.score_categories)
        return {"coding": [self.coding("observation_category", entry.code, entry.display)]}

    def adverse_event(self, kind: str) -> dict[str, Any]:
        """What happened: the adverse-event id, and its SNOMED CT finding where one was confirmed."""
        entry = self.ev.extra["outcomes"].adverse_events.get(kind)
        if entry is None:
            raise UnknownIdError("kind", "adverse event", kind, self.ev.extra["outcomes"].adverse_events)
        coding = [self.coding("adverse_event", kind, entry.name)]
        finding = self.data.ae_findings.get(kind)
        if finding is not None:
            coding.append(self.coding("snomed", finding.code, finding.display))
        return {"coding": coding, "text": entry.name}

    def severity(self, severity: str) -> dict[str, Any]:
        """A severity grade: the FHIR severity (mild, moderate, severe) and the CTCAE grade beside it."""
        entry = self.ev.extra["outcomes"].severities.get(severity)
        if entry is None:
            raise UnknownIdError("severity", "severity", severity, self.ev.extra["outcomes"].severities)
        coding = [
            self.coding("ae_severity", entry.fhir, entry.fhir.capitalize()),
            self.coding("ctcae", entry.ctcae, f"Grade {entry.ctcae}"),
        ]
        return {"coding": coding, "text": entry.name}

    def ae_outcome(self, outcome: str) -> dict[str, Any]:
        """How an adverse event stands (core's outcome id) in the FHIR outcome codes."""
        entry = self.data.ae_outcomes.get(outcome)
        if entry is None:
            raise UnknownIdError("outcome", "outcome", outcome, self.data.ae_outcomes)
        return {"coding": [self.coding("ae_outcome", entry.code, entry.display)], "text": entry.display}

    def photo_view(self, view: str) -> dict[str, Any]:
        """The CodeableConcept of a photo's standard view: its id of ``photos.toml`` and its name."""
        views = self.ev.extra["photos"].views
        entry = views.get(view)
        if entry is None:
            raise UnknownIdError("view", "view", view, views)
        return {"coding": [self.coding("photo_view", view, entry.name)], "text": entry.name}

    def zone(self, zone: str) -> dict[str, Any]:
        """The body site of a zone: the zone's code and SNOMED CT's skin structure."""
        z = self.ev.zones.get(zone)
        if z is None:
            raise UnknownIdError("zone", "zone", zone, self.ev.zones)
        site = self.data.skin_site
        return {
            "coding": [self.coding("zone", zone, z.name), self.coding("snomed", site.code, site.display)],
            "text": z.name,
        }

    def device(self, catalog_id: str) -> dict[str, Any]:
        """The device type of a catalog id; an id the catalog no longer has is kept as text only."""
        d = self.ev.devices.get(catalog_id)
        if d is None:
            return {"text": catalog_id}
        return {"coding": [self.coding("device", catalog_id, d.name)], "text": d.name}

    def concepts(self, system: str) -> dict[str, str]:
        """Every code of Pinpoint's own code system ``system`` (a name of ``systems``) and its display.

        These are the codes the methods above write under that system, with the same displays.
        """
        out = self.ev.extra["outcomes"]
        match system:
            case "procedure":
                return {code: e.display for code, e in self.data.procedures.items()}
            case "observation":
                return {code: e.display for code, e in self.data.observations.items()}
            case "zone":
                return {code: z.name for code, z in self.ev.zones.items()}
            case "device":
                return {code: d.name for code, d in self.ev.devices.items()}
            case "scale":
                return {code: s.name for code, s in out.scales.items()}
            case "adverse_event":
                return {code: a.name for code, a in out.adverse_events.items()}
            case "ctcae":
                return {s.ctcae: f"Grade {s.ctcae}" for s in sorted(out.severities.values(), key=lambda s: s.ctcae)}
            case "photo_view":
                return {code: v.name for code, v in self.ev.extra["photos"].views.items()}
        raise UnknownIdError("system", "code system", system, self.own_code_systems())

    def own_code_systems(self) -> list[str]:
        """The names (in ``systems`` of ``interop.toml``) of Pinpoint's own code systems."""
        return [name for name, system in self.data.systems if system.code_system]

    def identifier(self, table: str, pk: int) -> dict[str, Any]:
        """The Identifier of a Pinpoint row: ``<table>/<id>`` in the record identifier system."""
        return {"system": self.data.systems.identifier.uri, "value": f"{table}/{pk}"}
