"""The screening questionnaire: its fields, and their validation.

A field missing from the answers is *unanswered*, which screening reports as a finding, never
as safe. ``null`` is an answer only where the contract says so (``isotretinoin_last_dose``:
never taken or not recently); for other fields it counts as unanswered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.evidence.loader import Evidence, suggest
from pinpoint.evidence.schema import Setting, Treatment

__all__ = ["ANSWER_FIELDS", "NO_RISKS", "Answers", "RadiationEntry", "parse_answers"]


class RadiationEntry(BaseModel):
    """Radiotherapy to one zone, with the date of the last fraction."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zone: str
    last_date: dt.date


class Answers(BaseModel):
    """Validated answers; ``answered`` lists the fields the client actually answered."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    treatment: Treatment
    setting: Setting
    zones: tuple[str, ...]
    birth_date: dt.date | None = None
    skin_type: int | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    isotretinoin_last_dose: dt.date | None = None
    anticoagulants: bool | None = None
    bleeding_disorder: bool | None = None
    keloid_history: bool | None = None
    herpes_history: bool | None = None
    active_infection_zones: tuple[str, ...] | None = None
    active_acne_zones: tuple[str, ...] | None = None
    eczema_psoriasis_zones: tuple[str, ...] | None = None
    skin_cancer_zones: tuple[str, ...] | None = None
    radiation_zones: tuple[RadiationEntry, ...] | None = None
    diabetes: Literal["none", "controlled", "uncontrolled"] | None = None
    immunosuppressed: bool | None = None
    metal_allergy: bool | None = None
    pacemaker_or_implant: bool | None = None
    answered: frozenset[str] = frozenset()

    def is_answered(self, field: str) -> bool:
        """True when ``field`` was given and is not ``null`` (``null`` answers the isotretinoin date)."""
        if field not in self.answered:
            return False
        return field == "isotretinoin_last_dose" or getattr(self, field) is not None


ANSWER_FIELDS: tuple[str, ...] = tuple(f for f in Answers.model_fields if f != "answered")

NO_RISKS: Mapping[str, object] = MappingProxyType(
    {
        "pregnant": False,
        "breastfeeding": False,
        "isotretinoin_last_dose": None,
        "anticoagulants": False,
        "bleeding_disorder": False,
        "keloid_history": False,
        "herpes_history": False,
        "active_infection_zones": (),
        "active_acne_zones": (),
        "eczema_psoriasis_zones": (),
        "skin_cancer_zones": (),
        "radiation_zones": (),
        "diabetes": "none",
        "immunosuppressed": False,
        "metal_allergy": False,
        "pacemaker_or_implant": False,
    }
)
"""Every risk question answered "no": the answers of a client with nothing to report (demos, tests).

Immutable (lists are tuples); copy it into a dict to build a questionnaire.
"""
ZONE_LIST_FIELDS = (
    "zones",
    "active_infection_zones",
    "active_acne_zones",
    "eczema_psoriasis_zones",
    "skin_cancer_zones",
)
ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}


def parse_skin_type(value: object, field: str = "skin_type") -> int:
    """Fitzpatrick skin type from ``1``-``6`` or ``"I"``-``"VI"``."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 6:
        return value
    if isinstance(value, str):
        text = value.strip().upper()
        if text in ROMAN:
            return ROMAN[text]
        if text.isdigit() and 1 <= int(text) <= 6:
            return int(text)
    raise InputError(field, f"{field} must be a Fitzpatrick type I to VI, got {value!r}")


def _error_message(exc: ValidationError) -> tuple[str, str]:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    field = loc[0] if loc else "answers"
    where = ".".join(loc)
    if err["type"] == "extra_forbidden":
        return field, f"unknown field '{field}'{suggest(field, list(ANSWER_FIELDS))}"
    if err["type"] == "missing":
        return field, f"field '{where}' is required"
    return field, f"field '{where}': {err['msg']}"


def parse_answers(raw: Mapping[str, Any], evidence: Evidence) -> Answers:
    """Validate raw answers (from JSON or TOML) against the questionnaire and the evidence's zones.

    Raises :class:`InputError` naming the field for an unknown field, a wrong type, an
    impossible date, and :class:`UnknownIdError` for an unknown zone.
    """
    data = dict(raw)
    data.pop("answered", None)
    if "skin_type" in data and data["skin_type"] is not None:
        data["skin_type"] = parse_skin_type(data["skin_type"])
    try:
        answers = Answers.model_validate({**data, "answered": frozenset(data)})
    except ValidationError as exc:
        field, message = _error_message(exc)
        raise InputError(field, message) from None
    if not answers.zones:
        raise InputError("zones", "field 'zones' must name at least one zone")
    for field in ZONE_LIST_FIELDS:
        for zone in getattr(answers, field) or ():
            if zone not in evidence.zones:
                raise UnknownIdError(field, "zone", zone, evidence.zones)
    for entry in answers.radiation_zones or ():
        if entry.zone not in evidence.zones:
            raise UnknownIdError("radiation_zones", "zone", entry.zone, evidence.zones)
    for zone in answers.zones:
        if answers.treatment not in evidence.zones[zone].treatments:
            allowed = sorted(z for z, v in evidence.zones.items() if answers.treatment in v.treatments)
            raise InputError(
                "zones",
                f"zone '{zone}' is not treated with {answers.treatment}; allowed: {', '.join(allowed)}",
            )
    return answers
