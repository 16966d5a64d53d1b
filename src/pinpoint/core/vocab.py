"""The vocabularies of Pinpoint, each defined once, with the words people read.

Settings, treatments, verdicts and session step kinds are the evidence schema's ``Literal``
types; skin types are the Fitzpatrick types I to VI of the answers contract; device kinds by
setting, indications' treatments, electrolysis modalities and zones are evidence data. The CLI
and the web app offer these values and nothing else: their options, form choices and model
choices come from the functions here (``(value, label)`` pairs), and a bad value is refused with
core's message (:func:`check_setting`, :func:`check_treatment`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

from pinpoint.core.errors import InputError
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import DeviceKind, Setting, StepKind, Treatment, Verdict

__all__ = [
    "DEVICE_KINDS",
    "ROMAN",
    "SETTINGS",
    "SKIN_TYPES",
    "STEP_KINDS",
    "TREATMENTS",
    "VERDICTS",
    "check_setting",
    "check_treatment",
    "default_device_kind",
    "setting_choices",
    "skin_type_choices",
    "treatment_choices",
]

SETTINGS: tuple[Setting, ...] = get_args(Setting)
TREATMENTS: tuple[Treatment, ...] = get_args(Treatment)
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
"""Screening verdicts, least to most severe."""
STEP_KINDS: tuple[StepKind, ...] = get_args(StepKind)
DEVICE_KINDS: tuple[DeviceKind, ...] = get_args(DeviceKind)
ROMAN: Mapping[str, int] = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6}
"""Fitzpatrick skin types as written (roman numerals) and as numbers."""
SKIN_TYPES: tuple[int, ...] = tuple(ROMAN.values())

SETTING_LABELS: Mapping[Setting, str] = {"home": "At home", "clinic": "In a clinic"}
TREATMENT_LABELS: Mapping[Treatment, str] = {"microneedling": "Microneedling", "electrolysis": "Needle electrolysis"}


def _one_of(values: tuple[str, ...]) -> str:
    quoted = [f"'{v}'" for v in values]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def check_setting(value: object, field: str = "setting") -> Setting:
    """``value`` as a setting (``home`` or ``clinic``), else :class:`InputError` naming ``field``."""
    for s in SETTINGS:
        if value == s:
            return s
    raise InputError(field, f"{field} must be {_one_of(SETTINGS)}, got '{value}'")


def check_treatment(value: object, field: str = "treatment") -> Treatment:
    """``value`` as a treatment (``microneedling`` or ``electrolysis``), else :class:`InputError` naming ``field``."""
    for t in TREATMENTS:
        if value == t:
            return t
    raise InputError(field, f"{field} must be {_one_of(TREATMENTS)}, got '{value}'")


def setting_choices() -> tuple[tuple[Setting, str], ...]:
    """Every setting with its label in words, in the schema's order."""
    return tuple((s, SETTING_LABELS[s]) for s in SETTINGS)


def treatment_choices() -> tuple[tuple[Treatment, str], ...]:
    """Every treatment with its label in words, in the schema's order."""
    return tuple((t, TREATMENT_LABELS[t]) for t in TREATMENTS)


def skin_type_choices() -> tuple[tuple[str, str], ...]:
    """The Fitzpatrick skin types as a person writes them (``"I"`` to ``"VI"``), value and label alike."""
    return tuple((r, r) for r in ROMAN)


def default_device_kind(evidence: Evidence, setting: Setting) -> DeviceKind:
    """The kind of device a plan in ``setting`` assumes when it names none (``technique.toml``, setting_devices).

    The loader checks that every setting has exactly one ``setting_devices`` entry.
    """
    return next(r.default_kind for r in evidence.technique.setting_devices if r.setting == setting)
