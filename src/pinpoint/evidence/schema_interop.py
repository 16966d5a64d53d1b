"""Schema of ``interop.toml``: the code systems and codes the FHIR export writes.

The FHIR library checks a resource's shape, not its value sets; these entries are the one place
the export's codes come from, and the test suite checks every code of an exported bundle
against them (and the zone and device codes against ``zones.toml`` and ``devices.toml``).
"""

from __future__ import annotations

from pydantic import Field

from pinpoint.evidence.schema import Model

__all__ = ["CodeEntry", "Coded", "ConsentCodes", "Data", "EncounterCodes", "SiteCode", "System", "Systems"]


class System(Model):
    """A code system or identifier system: its URI and why Pinpoint uses it."""

    uri: str = Field(min_length=8)
    sources: tuple[str, ...] = Field(min_length=1)
    note: str = ""


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

    systems: Systems
    procedures: dict[str, CodeEntry]
    observations: dict[str, CodeEntry] = Field(default_factory=dict)
    skin_site: SiteCode
    consent: ConsentCodes
    encounter: EncounterCodes
    score_categories: dict[str, Coded] = Field(default_factory=dict)
    ae_outcomes: dict[str, Coded] = Field(default_factory=dict)
    ae_findings: dict[str, SiteCode] = Field(default_factory=dict)
