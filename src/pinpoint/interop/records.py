"""Plain typed records the FHIR mapping reads: one per Pinpoint row, no database in sight.

Ids are the rows' primary keys; foreign keys are ids. Dates are :class:`datetime.date`,
moments are timezone-aware :class:`datetime.datetime`. Depths are in millimetres.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

__all__ = [
    "AdverseEventRec",
    "AreaRec",
    "ClientRec",
    "ConsentRec",
    "CourseRec",
    "DeviceRec",
    "ElectrolysisCourseRec",
    "ElectrolysisSessionRec",
    "FollowUpRec",
    "OrganizationRec",
    "PersonRec",
    "PhotoRec",
    "QuestionnaireRec",
    "ScoreRec",
    "SessionRec",
    "ZoneRec",
]


@dataclass(frozen=True)
class OrganizationRec:
    """A clinic or a personal space."""

    id: int
    name: str
    kind: str
    time_zone: str


@dataclass(frozen=True)
class PersonRec:
    """A user who records, treats or signs (a practitioner in FHIR terms)."""

    id: int
    name: str
    email: str


@dataclass(frozen=True)
class ClientRec:
    """A client of the organization (a patient in FHIR terms)."""

    id: int
    organization_id: int
    full_name: str
    birth_date: dt.date | None
    email: str
    phone: str
    erased: bool = False


@dataclass(frozen=True)
class DeviceRec:
    """A device unit or consumable lot: catalog id (evidence ``devices.toml``), label, lot, expiry."""

    id: int
    organization_id: int
    catalog_id: str
    label: str
    lot_number: str
    expires_on: dt.date | None
    retired_on: dt.date | None


@dataclass(frozen=True)
class QuestionnaireRec:
    """One medical-history snapshot: the answers as core's answers contract, taken on a date."""

    id: int
    client_id: int
    taken_on: dt.date
    evidence_version: str
    recorded_by_id: int
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class ConsentRec:
    """A signed consent, with its withdrawal if any."""

    id: int
    client_id: int
    treatment: str
    title: str
    text: str
    template_version: int
    signer: str
    signed_at: dt.datetime
    recorded_by_id: int
    photo_clinical: bool
    photo_marketing: bool
    withdrawn_at: dt.datetime | None


@dataclass(frozen=True)
class CourseRec:
    """A course of sessions (a care plan): treatment, indication, setting, zones, first day."""

    id: int
    client_id: int
    treatment: str
    indication: str
    indication_name: str
    setting: str
    zones: tuple[str, ...]
    start_on: dt.date
    created_by_id: int
    created_at: dt.datetime
    finished: bool


@dataclass(frozen=True)
class ZoneRec:
    """What was done on one zone in one session."""

    id: int
    zone: str
    treated: bool
    device: str
    device_unit_id: int | None
    lot_number: str
    depth_mm: Decimal | None
    passes: int | None


@dataclass(frozen=True)
class SessionRec:
    """One session of a course, from booking to signature, with its zone records."""

    id: int
    course_id: int
    client_id: int
    number: int
    status: str
    scheduled_on: dt.date
    performed_on: dt.date | None
    started_at: dt.datetime | None
    started_by_id: int | None
    signed_at: dt.datetime | None
    signed_by_id: int | None
    zones: tuple[ZoneRec, ...] = field(default=())

    @property
    def performer_id(self) -> int | None:
        """Who signed the session, else who started it."""
        return self.signed_by_id or self.started_by_id


@dataclass(frozen=True)
class ElectrolysisCourseRec:
    """A course of needle electrolysis (a care plan): areas (zone ids), modality and its name, first day."""

    id: int
    client_id: int
    areas: tuple[str, ...]
    modality: str
    modality_name: str
    start_on: dt.date
    created_by_id: int
    created_at: dt.datetime


@dataclass(frozen=True)
class AreaRec:
    """What was done on one area in one electrolysis session (units in the names; ``None``: not given)."""

    id: int
    area: str
    modality: str
    probe_type: str
    probe_size: str
    current_ma: float | None
    intensity_w: float | None
    seconds_per_insertion: float
    insertions: int
    hairs_removed: int
    minutes: float
    reaction: str
    aftercare_given: bool
    window_cm2: float | None
    hairs_seen: int | None


@dataclass(frozen=True)
class ElectrolysisSessionRec:
    """One electrolysis session (``in_progress`` or ``signed``) with its area records."""

    id: int
    course_id: int
    client_id: int
    number: int
    status: str
    performed_on: dt.date
    practitioner_id: int
    signed_at: dt.datetime | None
    signed_by_id: int | None
    areas: tuple[AreaRec, ...] = field(default=())

    @property
    def performer_id(self) -> int:
        """Who signed the session, else who is recording it."""
        return self.signed_by_id or self.practitioner_id


@dataclass(frozen=True)
class ScoreRec:
    """One outcome score of a course: the scale id, who rated it (``practitioner`` or ``client``), the value.

    ``unit`` is the scale's unit (``points`` or ``count``); ``label`` the words of a level ("" for others);
    ``components`` an mMASI's grades (region id -> ``{"area": n, "darkness": n}``).
    """

    id: int
    course_id: int
    client_id: int
    scale: str
    scale_name: str
    rater: str
    taken_on: dt.date
    value: float
    unit: str
    label: str
    recorded_by_id: int
    components: Mapping[str, Mapping[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class FollowUpRec:
    """A follow-up of an adverse event: the outcome id (core's), the resolution date, a note."""

    outcome: str
    resolved_on: dt.date | None
    note: str
    at: dt.datetime


@dataclass(frozen=True)
class AdverseEventRec:
    """An adverse event after a session: kind and severity ids, onset, what was done, its procedures and lots.

    ``procedure_ids`` are the zone records of the named zones in the session (when it was started or
    signed, so it has an encounter); ``unit_ids`` the lots named; ``follow_ups`` oldest first.
    """

    id: int
    client_id: int
    session_id: int
    has_encounter: bool
    kind: str
    kind_name: str
    severity: str
    onset_on: dt.date
    action_taken: str
    reported_by_id: int
    reported_at: dt.datetime
    procedure_ids: tuple[int, ...] = ()
    unit_ids: tuple[int, ...] = ()
    follow_ups: tuple[FollowUpRec, ...] = ()


@dataclass(frozen=True)
class PhotoRec:
    """One photo: a standard view (``view``, an id of ``photos.toml``) of a zone, taken on a date.

    ``file`` is the stored file's name (the image is read from the photo storage one photo at a
    time, never held here); ``erased``: an erasure deleted the file, the record stays.
    ``has_encounter``: its session was started or signed, so the session has an Encounter.
    ``sha256`` is the hex digest of the stored file; ``width`` and ``height`` in pixels, ``size_bytes`` in bytes;
    ``shows`` what it shows in words (the series of a shared view, "Face"; else the zone's name).
    """

    id: int
    client_id: int
    course_id: int
    session_id: int | None
    has_encounter: bool
    zone: str
    view: str
    taken_on: dt.date
    taken_by_id: int
    file: str
    sha256: str
    width: int
    height: int
    size_bytes: int
    shows: str
    erased: bool = False
