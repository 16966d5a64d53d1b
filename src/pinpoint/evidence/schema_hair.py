"""Schema of ``hair.toml``: hair cycles by body area and the needle-electrolysis modalities.

Every number is a :class:`HairValue` or :class:`HairRange` (a sourced number with its unit).
``verified = false`` marks a value taken from a table that is commonly cited but was not
checked against its original (the Richards & Meharg per-area table); ``estimate = true`` marks
a value no source gives for that site or modality (a proxy from another site, or a Pinpoint
choice), with a note saying which.

The file is validated on load: each area's latency must reconcile its phase durations with its
anagen fraction (the renewal rule of ``docs/electrolysis.md``), and the scheduling steps must
increase.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from pinpoint.evidence.schema import Model, Range, Value, Verdict

__all__ = [
    "Area",
    "Caution",
    "Cycle",
    "Data",
    "HairRange",
    "HairValue",
    "Modality",
    "ModalityRule",
    "ProbeSize",
    "Probes",
    "Records",
    "Schedule",
    "SettingLimits",
    "Word",
]

LATENCY_TOLERANCE = 0.001
"""Largest allowed gap between an area's anagen fraction and A / (A + C + T + L)."""


def _explained(v: HairValue | HairRange) -> None:
    if (v.estimate or not v.verified) and not v.note.strip():
        msg = "a value flagged estimate = true or verified = false needs a note saying why"
        raise ValueError(msg)


class HairValue(Value):
    """A sourced number; ``verified = false`` when its table was not checked against the original."""

    verified: bool = True

    @model_validator(mode="after")
    def _noted(self) -> HairValue:
        _explained(self)
        return self


class HairRange(Range):
    """A sourced inclusive range; ``verified`` as for :class:`HairValue`. The model uses its midpoint."""

    verified: bool = True

    @model_validator(mode="after")
    def _noted(self) -> HairRange:
        _explained(self)
        return self

    @property
    def mid(self) -> float:
        """The midpoint of the range, in its unit."""
        return (self.min + self.max) / 2


def _unit(expected: str) -> AfterValidator:
    def check(v: HairValue | HairRange) -> HairValue | HairRange:
        if v.unit != expected:
            msg = f"unit must be '{expected}', got '{v.unit}'"
            raise ValueError(msg)
        return v

    return AfterValidator(check)


def _fraction(v: HairValue | HairRange) -> HairValue | HairRange:
    lo, hi = (v.value, v.value) if isinstance(v, HairValue) else (v.min, v.max)
    if not 0 < lo <= hi <= 1:
        msg = f"a fraction must lie in (0, 1], got {lo:g}-{hi:g}"
        raise ValueError(msg)
    return v


def _positive(v: HairValue | HairRange) -> HairValue | HairRange:
    lo = v.value if isinstance(v, HairValue) else v.min
    if lo < 0:
        msg = f"must not be negative, got {lo:g}"
        raise ValueError(msg)
    return v


DaysRange = Annotated[HairRange, _unit("days"), AfterValidator(_positive)]
DaysValue = Annotated[HairValue, _unit("days"), AfterValidator(_positive)]
MmRange = Annotated[HairRange, _unit("mm")]
MmValue = Annotated[HairValue, _unit("mm")]
SecondsRange = Annotated[HairRange, _unit("seconds"), AfterValidator(_positive)]
MinutesRange = Annotated[HairRange, _unit("minutes")]
MinutesValue = Annotated[HairValue, _unit("minutes")]
HoursRange = Annotated[HairRange, _unit("hours")]
CountValue = Annotated[HairValue, _unit("count")]
DensityValue = Annotated[HairValue, _unit("per_cm2"), AfterValidator(_positive)]
DensityRange = Annotated[HairRange, _unit("per_cm2"), AfterValidator(_positive)]
FractionValue = Annotated[HairValue, _unit("fraction"), AfterValidator(_fraction)]
FractionRange = Annotated[HairRange, _unit("fraction"), AfterValidator(_fraction)]
MilliampRange = Annotated[HairRange, _unit("ma"), AfterValidator(_positive)]
WattsRange = Annotated[HairRange, _unit("watts"), AfterValidator(_positive)]


class Cycle(Model):
    """Cycle parameters shared by all areas, and the model's own choices (flagged estimates)."""

    catagen_days: DaysRange
    duration_cv: FractionValue
    resting_kill_factor: FractionValue
    handling_seconds: SecondsRange


class Area(Model):
    """The hair cycle of one body area; the key in ``[areas]`` is the zone id.

    ``latency_days`` is the empty-follicle (kenogen) time that makes the steady anagen share
    ``A / (A + C + T + L)`` equal ``anagen_fraction``. ``emergence_days`` is how long a new
    anagen hair takes to grow from the papilla to the skin surface (days; the model uses the
    midpoint); it must be shorter than the mean anagen, or the area's growing hairs would never
    show. ``depth_mm`` is ``None`` where no source gives the site's follicle depth.

    ``density_per_cm2`` counts every follicle of the site (vellus included): no window can hold
    more hairs. ``terminal_density_per_cm2`` is the terminal (treatable) hairs per cm² a course
    starts from when the client's own count is not given; the model uses its midpoint, and it
    may not exceed ``density_per_cm2``.
    """

    name: str
    table_row: str
    anagen_fraction: FractionRange
    anagen_days: DaysRange
    telogen_days: DaysRange
    latency_days: DaysValue
    density_per_cm2: DensityValue
    terminal_density_per_cm2: DensityRange
    depth_mm: MmRange | None = None
    emergence_days: DaysRange
    first_visits: CountValue | None = None
    first_visits_max_minutes: MinutesValue | None = None
    reported_hours: HoursRange | None = None
    treated_share: FractionValue | None = None
    """Share of the area's follicles a course sets out to destroy (fraction); ``None``: all of them."""
    aim: str = ""
    """What a course on the area removes, in words, when it is not the whole area (eyebrow shaping)."""
    note: str = ""

    @model_validator(mode="after")
    def _surfaces_within_anagen(self) -> Area:
        if self.emergence_days.mid >= self.anagen_days.mid:
            msg = (
                f"emergence_days {self.emergence_days.mid:g} (mid) is not shorter than the mean anagen "
                f"{self.anagen_days.mid:g} days: no growing hair of the area would ever show"
            )
            raise ValueError(msg)
        return self

    @model_validator(mode="after")
    def _terminal_within_follicles(self) -> Area:
        if self.terminal_density_per_cm2.max > self.density_per_cm2.value:
            msg = (
                f"terminal_density_per_cm2 up to {self.terminal_density_per_cm2.max:g} is more than the "
                f"{self.density_per_cm2.value:g} follicles per cm2 of the site"
            )
            raise ValueError(msg)
        return self


class Caution(Model):
    """A modality-specific caution shown with a plan."""

    text: str
    sources: tuple[str, ...] = Field(min_length=1)


class ModalityRule(Model):
    """A screening rule that applies to one modality only.

    ``field`` is a questionnaire answer (``pacemaker_or_implant``) or the hair-plan question
    ``metal_implant_in_area``. ``regions`` limits the rule to areas in those zone regions.
    ``if_unanswered`` is the verdict when the question was not answered (``None``: the general
    screening already reports the unanswered question).
    """

    id: str
    field: Literal["pacemaker_or_implant", "metal_implant_in_area"]
    verdict: Verdict
    if_unanswered: Verdict | None = None
    regions: tuple[Literal["face", "head", "neck", "trunk", "limbs"], ...] = ()
    message: str
    sources: tuple[str, ...] = Field(min_length=1)


class SettingLimits(Model):
    """The limits a session record's settings keep for one modality (inclusive).

    ``current_ma``: direct current (mA; galvanic and blend). ``intensity_w``: radio-frequency
    intensity (W; thermolysis, flash and blend; a recorded value must also be more than 0).
    ``seconds_per_insertion``: current-on time per insertion (s).
    """

    current_ma: MilliampRange | None = None
    intensity_w: WattsRange | None = None
    seconds_per_insertion: SecondsRange

    @model_validator(mode="after")
    def _some_current(self) -> SettingLimits:
        if self.current_ma is None and self.intensity_w is None:
            msg = "limits need current_ma, intensity_w or both"
            raise ValueError(msg)
        return self


class Word(Model):
    """One word of a session record's vocabulary (a probe type, a skin reaction), with its sources."""

    id: str
    name: str
    sources: tuple[str, ...] = Field(min_length=1)


class Records(Model):
    """The vocabularies of an electrolysis session record."""

    probe_types: tuple[Word, ...] = Field(min_length=1)
    reactions: tuple[Word, ...] = Field(min_length=1)


class Modality(Model):
    """A needle-electrolysis modality: current-on time per follicle, regrowth, probes, cautions, record limits."""

    name: str
    mechanism: str
    mechanism_sources: tuple[str, ...] = Field(min_length=1)
    current_seconds: SecondsRange
    current_ma: MilliampRange | None = None
    regrowth_fraction: FractionRange
    probe_types: str
    probe_sources: tuple[str, ...] = Field(min_length=1)
    cautions: tuple[Caution, ...] = ()
    screening: tuple[ModalityRule, ...] = ()
    limits: SettingLimits


class ProbeSize(Model):
    """A probe size name and its tip diameter."""

    id: str
    diameter_mm: MmValue


class Probes(Model):
    """Probe diameters for every modality, and how a size is chosen."""

    diameter_mm: MmRange
    sizes: tuple[ProbeSize, ...] = Field(min_length=1)
    choice: str
    choice_sources: tuple[str, ...] = Field(min_length=1)


class Schedule(Model):
    """Session spacing and length. The auto interval steps through ``start``, ``later`` and ``final``."""

    start_interval_days: DaysValue
    later_interval_days: DaysRange
    final_interval_days: DaysValue
    max_early_gap_days: DaysValue
    session_minutes: MinutesRange
    default_session_minutes: MinutesValue

    @model_validator(mode="after")
    def _increasing(self) -> Schedule:
        steps = self.steps_days()
        if any(b <= a for a, b in pairwise(steps)) or steps[0] < 1:
            msg = f"interval steps must increase from at least 1 day, got {steps}"
            raise ValueError(msg)
        return self

    def steps_days(self) -> tuple[int, ...]:
        """The auto-interval steps in days: start, later (min, max), final."""
        return (
            round(self.start_interval_days.value),
            round(self.later_interval_days.min),
            round(self.later_interval_days.max),
            round(self.final_interval_days.value),
        )


class Data(Model):
    """The whole ``hair.toml``."""

    cycle: Cycle
    schedule: Schedule
    probes: Probes
    areas: dict[str, Area] = Field(min_length=1)
    modalities: dict[str, Modality] = Field(min_length=1)
    records: Records

    @model_validator(mode="after")
    def _latency_reconciles(self) -> Data:
        catagen = self.cycle.catagen_days.mid
        for key, a in self.areas.items():
            total = a.anagen_days.mid + catagen + a.telogen_days.mid + a.latency_days.value
            share = a.anagen_days.mid / total
            if abs(share - a.anagen_fraction.mid) > LATENCY_TOLERANCE:
                need = a.anagen_days.mid / a.anagen_fraction.mid - (total - a.latency_days.value)
                msg = (
                    f"area '{key}': latency_days {a.latency_days.value:g} gives an anagen share of "
                    f"{share:.4f}, not the table's {a.anagen_fraction.mid:g}; it should be {need:.1f}"
                )
                raise ValueError(msg)
        return self
