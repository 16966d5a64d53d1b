"""Request and response shapes of the API.

They hold no clinical rule or vocabulary of their own: clinical inputs are core's types and
Literals (``Setting``, the answers contract read by ``parse_answers``), clinical outputs are
core's own models (``Plan``, ``Screening``, ``HairPlan``, ``CoverageResult``) and the
evidence base's. Limits here are guards of the server (text lengths, list sizes), not clinical.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field, StringConstraints

from pinpoint.core.coverage.results import CoverageResult
from pinpoint.core.hair import HairPlan
from pinpoint.core.planning import Plan
from pinpoint.core.screening import Screening
from pinpoint.evidence.schema import Indication, PenDevice, RollerDevice, Setting, Source, Zone

__all__ = [
    "Answers",
    "ClientIn",
    "ClientNewIn",
    "ClientOut",
    "ConsentOut",
    "CourseIn",
    "CourseOut",
    "CoverageIn",
    "CoverageResult",
    "DeviceIn",
    "DeviceOut",
    "DuplicateClientOut",
    "HairPlan",
    "HairPlanIn",
    "IndicationOut",
    "PenOut",
    "Plan",
    "PlanIn",
    "QuestionnaireIn",
    "QuestionnaireOut",
    "RecordIn",
    "RetireIn",
    "RollerOut",
    "ScreenIn",
    "Screening",
    "SessionOut",
    "SourceOut",
    "StartIn",
    "ZoneOut",
    "ZoneRecordIn",
    "ZoneRecordOut",
]

_NO_NUL = r"^[^\x00]*$"
Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]
"""An id of the evidence base (zone, indication, device...): core says whether it exists."""
Line = Annotated[str, StringConstraints(max_length=200, pattern=_NO_NUL)]
Text = Annotated[str, StringConstraints(max_length=10_000, pattern=_NO_NUL)]
Physician = Annotated[
    str,
    StringConstraints(max_length=150, pattern=_NO_NUL),
    Field(description="Only to override a referral: the approving physician's name."),
]
ApprovedOn = Annotated[
    dt.date | None, Field(description="Only to override a referral: the date of the physician's approval.")
]
Answers = Annotated[dict[str, Any], Field(description="The answers contract of core (docs/cli.md, 'answers').")]
SkinType = Annotated[int | str | None, Field(description="Fitzpatrick skin type as core reads it (1 to 6 or I to VI).")]


# --------------------------------------------------------------------------- evidence (read only)


class ZoneOut(Zone):
    """A body zone of the evidence base, with its id."""

    id: str


class IndicationOut(Indication):
    """An indication of the evidence base, with its id."""

    id: str


class RollerOut(RollerDevice):
    """A roller of the device catalog, with its id."""

    id: str


class PenOut(PenDevice):
    """A pen of the device catalog, with its id."""

    id: str


class SourceOut(Source):
    """A source of the evidence base (citation and grade), with its id."""

    id: str


# --------------------------------------------------------------------------- core planners (no account)


class PlanIn(Schema):
    """What core's planner takes (``pinpoint plan``)."""

    indication: Id
    zones: Annotated[list[Id], Field(min_length=1, max_length=40)]
    setting: Setting
    device: Id | None = None
    start: dt.date
    skin_type: SkinType = None
    answers: Answers | None = None


class ScreenIn(Schema):
    """What core's screening takes (``pinpoint screen``)."""

    answers: Answers
    on: dt.date


class CoverageIn(Schema):
    """What core's coverage simulator takes (``pinpoint coverage simulate``)."""

    device: Id
    passes: int
    directions: Line | None = None
    pattern: Id | None = None
    zone: Id | None = None
    area_cm2: float | None = None
    speed_cm_s: float | None = None
    seed: int = 0


class HairPlanIn(Schema):
    """What core's electrolysis planner takes (``pinpoint hair plan``)."""

    area: Id
    modality: Id
    start: dt.date
    density_per_cm2: float | None = None
    area_cm2: float | None = None
    session_minutes: float | None = None
    interval_days: int | None = None
    months: int = 24
    seed: int = 0
    treat_resting: bool = True
    metal_implant_in_area: bool | None = None
    answers: Answers | None = None


# --------------------------------------------------------------------------- records


class ClientIn(Schema):
    """A client's details."""

    full_name: Annotated[str, StringConstraints(min_length=1, max_length=150, pattern=_NO_NUL)]
    birth_date: dt.date | None = None
    email: Annotated[str, StringConstraints(max_length=254, pattern=_NO_NUL)] = ""
    phone: Annotated[str, StringConstraints(max_length=40, pattern=_NO_NUL)] = ""
    notes: Text = ""


class ClientNewIn(ClientIn):
    """A new client's details; ``confirm_new`` saves one whose name and birth date another client has."""

    confirm_new: bool = Field(
        default=False,
        description="True when this is a different person from a client with the same name and birth date.",
    )


class DuplicateClientOut(Schema):
    """A client with the same name (case and spaces aside) and birth date exists: ``client_id`` is theirs."""

    field: str
    detail: str
    client_id: int


class ClientOut(Schema):
    """A client of the organization."""

    id: int
    full_name: str
    birth_date: dt.date | None
    email: str
    phone: str
    notes: str
    is_self: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class QuestionnaireIn(Schema):
    """A dated medical-history questionnaire, in core's answers contract."""

    taken_on: dt.date
    answers: Answers


class QuestionnaireOut(Schema):
    """A questionnaire snapshot with core's screening of it on the day it was taken."""

    id: int
    client_id: int
    taken_on: dt.date
    answers: dict[str, Any]
    evidence_version: str
    created_at: dt.datetime
    screening: Screening | None
    screening_error: str | None


class ConsentOut(Schema):
    """A signed consent, with the text the client saw (read only: consent is signed in the app)."""

    id: int
    client_id: int
    treatment: str
    template_version: int
    title: str
    text: str
    signed_name: str
    signer: str
    signed_at: dt.datetime
    photo_clinical: bool
    photo_marketing: bool
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str


class CourseIn(Schema):
    """A course to plan with core from the client's latest questionnaire."""

    indication: Id
    zones: Annotated[list[Id], Field(min_length=1, max_length=40)]
    setting: Setting
    start_on: dt.date
    device: Annotated[str, StringConstraints(max_length=64, pattern=_NO_NUL)] = ""
    skin_type: SkinType = None
    override_physician: Physician = ""
    override_approved_on: ApprovedOn = None
    override_reason: Text = ""


class CourseOut(Schema):
    """A course with the plan core made for it."""

    id: int
    client_id: int
    questionnaire_id: int
    indication: str
    setting: str
    device: str
    zones: list[str]
    start_on: dt.date
    skin_type: int | None
    plan: Plan
    evidence_version: str
    override_physician: str
    override_approved_on: dt.date | None
    override_reason: str
    created_at: dt.datetime


class ZoneRecordOut(Schema):
    """What was done on one zone in a session."""

    zone: str
    treated: bool
    device: str
    device_unit_id: int | None
    lot_number: str
    depth_mm: float | None
    passes: int | None
    endpoint_reached: bool
    notes: str
    warnings: list[str]


class SessionOut(Schema):
    """A session of a course with its zone records; ``status`` is booked, in_progress, signed or cancelled."""

    id: int
    course_id: int
    client_id: int
    number: int
    scheduled_on: dt.date
    status: str
    performed_on: dt.date | None
    started_at: dt.datetime | None
    override_physician: str
    override_approved_on: dt.date | None
    override_reason: str
    checklist: list[int]
    notes: str
    signed_at: dt.datetime | None
    content_hash: str
    zone_records: list[ZoneRecordOut]


class StartIn(Schema):
    """Start a booked session on a date, through core's start gate."""

    on: dt.date
    override_physician: Physician = ""
    override_approved_on: ApprovedOn = None
    override_reason: Text = ""


class ZoneRecordIn(Schema):
    """One zone of a draft record."""

    zone: Id
    treated: bool = True
    device: Annotated[str, StringConstraints(max_length=64, pattern=_NO_NUL)] = ""
    device_unit_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    depth_mm: Annotated[Decimal, Field(max_digits=4, decimal_places=2)] | None = None
    passes: Annotated[int, Field(ge=0, le=32767)] | None = None
    endpoint_reached: bool = False
    notes: Text = ""


class RecordIn(Schema):
    """The draft record of a running session: checklist steps done (indexes), notes, zones."""

    checklist: Annotated[list[Annotated[int, Field(ge=0, le=999)]], Field(max_length=200)] = Field(default_factory=list)
    notes: Text = ""
    zones: Annotated[list[ZoneRecordIn], Field(max_length=40)] = Field(default_factory=list)


class DeviceIn(Schema):
    """A device unit or consumable lot of a catalog device."""

    catalog_id: Id
    label: Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=_NO_NUL)]
    lot_number: Annotated[str, StringConstraints(max_length=64, pattern=_NO_NUL)] = ""
    expires_on: dt.date | None = None


class DeviceOut(Schema):
    """A device unit or lot, with how many signed sessions used it."""

    id: int
    catalog_id: str
    label: str
    lot_number: str
    expires_on: dt.date | None
    first_used_on: dt.date | None
    retired_on: dt.date | None
    in_service: bool
    uses: int


class RetireIn(Schema):
    """Take a unit out of service on a date."""

    on: dt.date
