"""The screening questionnaire: its fields, and their validation.

A field missing from the answers is *unanswered*, which screening reports as a finding, never
as safe. ``null`` is an answer only where the contract says so (``isotretinoin_last_dose`` and
``retinoid_last_use``: never taken or not recently); for other fields it counts as unanswered.
The vocabularies of the choice fields are defined here once (:func:`answer_choices`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, ValidationError

from pinpoint.core.dates import check_birth_date, check_past_date
from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.core.vocab import ROMAN, SKIN_TYPES
from pinpoint.evidence.loader import Evidence, suggest
from pinpoint.evidence.schema import Setting, Treatment

__all__ = [
    "ANSWER_FIELDS",
    "NO_RISKS",
    "NULL_ANSWERS",
    "AnaestheticRisk",
    "Answers",
    "Diabetes",
    "HirsutismOnset",
    "KoebnerCondition",
    "RadiationEntry",
    "SunburnEntry",
    "ZoneLastDate",
    "answer_choices",
    "check_answer_dates",
    "parse_answers",
    "parse_skin_type",
]

Diabetes = Literal["none", "controlled", "uncontrolled"]
KoebnerCondition = Literal["none", "vitiligo", "psoriasis", "lichen_planus", "other"]
"""Skin diseases that can flare in injured skin (the Koebner or isomorphic response)."""
AnaestheticRisk = Literal[
    "amide_allergy", "methaemoglobinaemia", "severe_liver_disease", "antiarrhythmics", "pseudocholinesterase_deficiency"
]
"""Conditions that rule out a topical anaesthetic (the labels of EMLA, LMX4 and Pliaglis; a pen's manual)."""
HirsutismOnset = Literal["none", "gradual", "rapid_or_virilising"]
"""How unwanted hair appeared: no hirsutism, gradually, or fast or with signs of virilisation."""


class ZoneLastDate(BaseModel):
    """Something done to one zone, with the date it was last done (radiotherapy, toxin, filler)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zone: str
    last_date: dt.date

    @property
    def day(self) -> dt.date:
        """The date that starts the waiting period."""
        return self.last_date


RadiationEntry = ZoneLastDate
"""Radiotherapy to one zone, with the date of the last fraction."""


class SunburnEntry(BaseModel):
    """A sunburn or fresh tan on one zone, with its date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zone: str
    date: dt.date

    @property
    def day(self) -> dt.date:
        """The date that starts the waiting period."""
        return self.date


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
    radiation_zones: tuple[ZoneLastDate, ...] | None = None
    diabetes: Diabetes | None = None
    immunosuppressed: bool | None = None
    metal_allergy: bool | None = None
    pacemaker_or_implant: bool | None = None
    neuromodulator_zones: tuple[ZoneLastDate, ...] | None = None
    filler_zones: tuple[ZoneLastDate, ...] | None = None
    sunburn_zones: tuple[SunburnEntry, ...] | None = None
    tattoo_zones: tuple[str, ...] | None = None
    koebner_condition: KoebnerCondition | None = None
    autoimmune_disease: bool | None = None
    epilepsy: bool | None = None
    retinoid_last_use: dt.date | None = None
    anaesthetic_risks: tuple[AnaestheticRisk, ...] | None = None
    hirsutism_onset: HirsutismOnset | None = None
    answered: frozenset[str] = frozenset()

    def is_answered(self, field: str) -> bool:
        """True when ``field`` was given and is not ``null`` (``null`` answers the fields of :data:`NULL_ANSWERS`)."""
        if field not in self.answered:
            return False
        return field in NULL_ANSWERS or getattr(self, field) is not None


ANSWER_FIELDS: tuple[str, ...] = tuple(f for f in Answers.model_fields if f != "answered")
NULL_ANSWERS: frozenset[str] = frozenset({"isotretinoin_last_dose", "retinoid_last_use"})
"""Date fields where ``null`` (or ``false``, which TOML files can write) answers: never taken, or not recently."""

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
        "neuromodulator_zones": (),
        "filler_zones": (),
        "sunburn_zones": (),
        "tattoo_zones": (),
        "koebner_condition": "none",
        "autoimmune_disease": False,
        "epilepsy": False,
        "retinoid_last_use": False,
        "anaesthetic_risks": (),
        "hirsutism_onset": "none",
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
    "tattoo_zones",
)
ZONE_DATE_FIELDS = ("radiation_zones", "neuromodulator_zones", "filler_zones", "sunburn_zones")
PAST_DATE_FIELDS = ("isotretinoin_last_dose", "retinoid_last_use")
DATE_LABELS = {
    "birth_date": "date of birth",
    "isotretinoin_last_dose": "last isotretinoin dose",
    "retinoid_last_use": "last retinoid use",
    "radiation_zones": "last radiotherapy",
    "neuromodulator_zones": "last toxin injection",
    "filler_zones": "last filler injection",
    "sunburn_zones": "sunburn date",
}
"""How an error names each date of the answers (the field itself is named too)."""


def answer_choices(field: str) -> tuple[str, ...]:
    """The values a choice field (``diabetes``, ``koebner_condition``...) or a list-of-choices
    field (``anaesthetic_risks``) accepts, in contract order; empty for other fields."""
    if field not in ANSWER_FIELDS:
        raise InputError(field, f"unknown field '{field}'{suggest(field, list(ANSWER_FIELDS))}")
    for arg in get_args(Answers.model_fields[field].annotation):
        inner = get_args(arg)
        if arg is not type(None) and inner and inner[-1] is Ellipsis:
            arg = inner[0]  # tuple[X, ...]
        values = get_args(arg)
        if values and all(isinstance(v, str) for v in values):
            return tuple(values)
    return ()


def check_answer_dates(answers: Answers, on: dt.date) -> None:
    """Raise :class:`InputError` naming the field for a date no client can mean on date ``on``.

    The birth date may not lie after ``on``; a last dose, a last use, a last toxin, filler or
    radiotherapy date and a sunburn date may not lie after ``on`` nor before the birth date.
    """
    birth = answers.birth_date
    born = DATE_LABELS["birth_date"]
    if birth is not None:
        check_birth_date("birth_date", birth, on, label=DATE_LABELS["birth_date"])
    for field in PAST_DATE_FIELDS:
        value = getattr(answers, field)
        if value is not None:
            check_past_date(field, value, on, not_before=birth, label=DATE_LABELS[field], not_before_label=born)
    for field in ZONE_DATE_FIELDS:
        for entry in getattr(answers, field) or ():
            check_past_date(field, entry.day, on, not_before=birth, label=DATE_LABELS[field], not_before_label=born)


def parse_skin_type(value: object, field: str = "skin_type") -> int:
    """Fitzpatrick skin type from ``1``-``6`` or ``"I"``-``"VI"`` (:data:`~pinpoint.core.vocab.ROMAN`)."""
    if isinstance(value, int) and not isinstance(value, bool) and value in SKIN_TYPES:
        return value
    if isinstance(value, str):
        text = value.strip().upper()
        if text in ROMAN:
            return ROMAN[text]
        if text in {str(n) for n in SKIN_TYPES}:
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


def parse_answers(raw: Mapping[str, Any], evidence: Evidence, on: dt.date | None = None) -> Answers:
    """Validate raw answers (from JSON or TOML) against the questionnaire and the evidence's zones.

    Raises :class:`InputError` naming the field for an unknown field, a wrong type, an
    impossible date, and :class:`UnknownIdError` for an unknown zone. With ``on`` (the date the
    answers were given) dates are checked against it too (:func:`check_answer_dates`);
    screening always checks them against its own date.
    """
    data = dict(raw)
    data.pop("answered", None)
    for field in NULL_ANSWERS:
        if data.get(field) is False:
            data[field] = None
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
    for field in ZONE_DATE_FIELDS:
        for entry in getattr(answers, field) or ():
            if entry.zone not in evidence.zones:
                raise UnknownIdError(field, "zone", entry.zone, evidence.zones)
    for zone in answers.zones:
        if answers.treatment not in evidence.zones[zone].treatments:
            allowed = sorted(z for z, v in evidence.zones.items() if answers.treatment in v.treatments)
            raise InputError(
                "zones",
                f"zone '{zone}' is not treated with {answers.treatment}; allowed: {', '.join(allowed)}",
            )
    if on is not None:
        check_answer_dates(answers, on)
    return answers
