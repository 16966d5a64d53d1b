"""Schema of ``interop.toml``: the code systems and codes the FHIR export writes.

The FHIR library checks a resource's shape, not its value sets; these entries are the one place
the export's codes come from, and the test suite checks every code of an exported bundle
against them (and the zone and device codes against ``zones.toml`` and ``devices.toml``).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from pinpoint.evidence.schema import Model

__all__ = [
    "Canonical",
    "CodeEntry",
    "Coded",
    "ConsentCodes",
    "Data",
    "EncounterCodes",
    "SiteCode",
    "System",
    "Systems",
]


class Canonical(Model):
    """The one base of the canonical URIs of Pinpoint's own systems (``https://...``, no trailing slash)."""

    base: str = Field(pattern=r"^https://[^\s/]+(/[^\s/]+)*$")
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = ""


class System(Model):
    """A code system or identifier system: its URI and why Pinpoint uses it.

    In ``interop.toml`` an external system gives its ``uri``; one of Pinpoint's own gives its ``path``
    under the canonical base, and its ``uri`` is ``<base>/<path>`` (``path`` is kept, ``own`` is true).
    A ``CodeSystem/...`` path is a code system whose CodeSystem resource every bundle carries, titled ``title``.
    """

    uri: str = Field(min_length=8)
    path: str = ""
    own: bool = False
    title: str = ""
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = ""

    @property
    def code_system(self) -> bool:
        """Whether this is one of Pinpoint's own code systems (defined by a CodeSystem resource)."""
        return self.own and self.path.startswith("CodeSystem/")

    @model_validator(mode="after")
    def _titled(self) -> System:
        if self.code_system and not self.title:
            msg = f"Pinpoint's code system {self.path} needs a title"
            raise ValueError(msg)
        return self


class Systems(Model):
    """Every system the export names."""

    procedure: System
    observation: System
    zone: System
    device: System
    identifier: System
    questionnaire: System
    snomed: System
    consent_scope: System
    consent_category: System
    act_code: System
    scale: System
    adverse_event: System
    observation_category: System
    ae_severity: System
    ae_outcome: System
    ctcae: System
    severity_extension: System
    note_extension: System
    photo_view: System
    photo_sha256: System


class CodeEntry(Model):
    """One code of Pinpoint's procedure code system."""

    display: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = ""


class Coded(Model):
    """A code of an external system (HL7 terminology) and its display, with its source."""

    code: str = Field(min_length=1)
    display: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class SiteCode(Model):
    """A SNOMED CT concept: the body structure written beside each zone code, or an adverse event's finding."""

    code: str = Field(pattern=r"^[0-9]{6,18}$")
    display: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class ConsentCodes(Model):
    """The scope, category and policy rule of a treatment consent."""

    scope_code: str
    scope_display: str
    category_code: str
    category_display: str
    policy_rule_code: str
    policy_rule_display: str
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = ""


class EncounterCodes(Model):
    """The class of a treatment session's encounter."""

    class_code: str
    class_display: str
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = ""


class Data(Model):
    """The whole of ``interop.toml``."""

    canonical: Canonical
    systems: Systems
    procedures: dict[str, CodeEntry]
    observations: dict[str, CodeEntry] = Field(default_factory=dict)
    skin_site: SiteCode
    consent: ConsentCodes
    encounter: EncounterCodes
    score_categories: dict[str, Coded] = Field(default_factory=dict)
    ae_outcomes: dict[str, Coded] = Field(default_factory=dict)
    ae_findings: dict[str, SiteCode] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _own_uris(cls, data: Any) -> Any:
        """Give each of Pinpoint's own systems (a ``path``, no ``uri``) its URI under the canonical base."""
        if not isinstance(data, dict) or not isinstance(data.get("canonical"), dict):
            return data
        base = str(data["canonical"].get("base", "")).rstrip("/")
        systems = {}
        for name, system in dict(data.get("systems") or {}).items():
            if isinstance(system, dict) and "path" in system:
                if "uri" in system:
                    msg = f"systems.{name}: give either a path (Pinpoint's own, under the canonical base) or a uri"
                    raise ValueError(msg)
                system = {**system, "uri": f"{base}/{system['path']}", "own": True}
            systems[name] = system
        return {**data, "systems": systems}
