"""Typed schema of the evidence base.

Every clinical number is a :class:`Range` or a :class:`Value`: it carries its unit and the
ids of the sources that justify it. Values that rest on opinion only live in ``policy.toml``
as :class:`PolicyItem` and can be overridden by a clinic's policy file (never silently).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AftercareItem",
    "Anaesthetic",
    "ContraindicationRule",
    "DepthRule",
    "Device",
    "DeviceKind",
    "Endpoint",
    "Forbiddable",
    "Grade",
    "HomeFrequencyBand",
    "Indication",
    "IntervalRule",
    "PenDevice",
    "PolicyItem",
    "ProcedureStep",
    "Range",
    "RollerDevice",
    "Setting",
    "SettingDeviceRule",
    "SkinTypeModifier",
    "Source",
    "StepKind",
    "Technique",
    "Treatment",
    "Unit",
    "Value",
    "Verdict",
    "Zone",
]

Grade = Literal["regulator", "peer-reviewed", "label", "secondary", "derived"]
Setting = Literal["home", "clinic"]
Treatment = Literal["microneedling", "electrolysis"]
Verdict = Literal["proceed", "caution", "defer", "refer", "contraindicated"]
Unit = Literal[
    "mm",
    "um",
    "cm",
    "cm2",
    "days",
    "hours",
    "minutes",
    "seconds",
    "years",
    "count",
    "uses",
    "per_cm2",
    "per_minute",
    "hz",
    "rpm",
    "percent",
    "fraction",
    "cm_per_s",
    "degrees",
    "ma",
    "watts",
    "g",
    "g_per_10cm2",
    "points",
]


class Model(BaseModel):
    """Base of all evidence models: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Sourced(Model):
    """A number with its unit and the ids of the sources behind it."""

    unit: Unit
    sources: tuple[str, ...] = Field(min_length=1)
    estimate: bool = False
    note: str = ""


class Range(Sourced):
    """An inclusive range ``[min, max]`` in ``unit``."""

    min: float
    max: float

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min > self.max:
            msg = f"inverted range: min {self.min} > max {self.max}"
            raise ValueError(msg)
        return self


class Value(Sourced):
    """A single number in ``unit``."""

    value: float


def _unit(expected: str) -> AfterValidator:
    def check(v: Range | Value) -> Range | Value:
        if v.unit != expected:
            msg = f"unit must be '{expected}', got '{v.unit}'"
            raise ValueError(msg)
        return v

    return AfterValidator(check)


MmRange = Annotated[Range, _unit("mm")]
DaysRange = Annotated[Range, _unit("days")]
CountRange = Annotated[Range, _unit("count")]
MinutesRange = Annotated[Range, _unit("minutes")]
HoursRange = Annotated[Range, _unit("hours")]
MmValue = Annotated[Value, _unit("mm")]
CountValue = Annotated[Value, _unit("count")]
HzValue = Annotated[Value, _unit("hz")]
Cm2Value = Annotated[Value, _unit("cm2")]
GramsValue = Annotated[Value, _unit("g")]
GramsPer10Cm2Range = Annotated[Range, _unit("g_per_10cm2")]


class Source(Model):
    """A citation with its grade."""

    citation: str
    grade: Grade
    original_grade: str = ""
    where: str = ""
    topic: str = ""


class PolicyItem(Model):
    """A configurable default where the literature offers only opinion.

    ``bounds`` is the range an override may take; ``published`` summarises the views found.
    """

    description: str
    value: float
    unit: Unit
    bounds: tuple[float, float]
    published: str
    sources: tuple[str, ...] = Field(min_length=1)
    overridden_from: float | None = None

    @model_validator(mode="after")
    def _within_bounds(self) -> PolicyItem:
        lo, hi = self.bounds
        if lo > hi:
            msg = f"inverted bounds: {lo} > {hi}"
            raise ValueError(msg)
        if not lo <= self.value <= hi:
            msg = f"value {self.value} outside bounds [{lo}, {hi}]"
            raise ValueError(msg)
        return self


class Zone(Model):
    """A body zone: adult surface area and the needle-length range its skin tolerates."""

    name: str
    region: Literal["face", "head", "neck", "trunk", "limbs"]
    treatments: tuple[Treatment, ...] = Field(min_length=1)
    area_cm2: Cm2Value
    depth_mm: MmRange | None = None
    thin_skin: bool = False
    parts: tuple[str, ...] = ()
    adjacent: tuple[str, ...] = ()
    """Zones that border this one (not inside it): a lesion here also touches them. Symmetric."""


class DepthRule(Model):
    """Needle length for some zones of an indication in one setting."""

    setting: Setting
    zones: tuple[str, ...] = Field(min_length=1)
    depth_mm: MmRange


class IntervalRule(Model):
    """Minimum spacing between sessions for plans whose deepest needle is in ``[from, to)`` mm."""

    depth_from_mm: float = 0.0
    depth_to_mm: float = 99.0
    interval_days: DaysRange
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> IntervalRule:
        if self.depth_from_mm >= self.depth_to_mm:
            msg = f"inverted depth band: {self.depth_from_mm} >= {self.depth_to_mm}"
            raise ValueError(msg)
        return self


class Endpoint(Model):
    """The clinical sign that ends needling of a zone, by deepest needle length."""

    depth_from_mm: float
    depth_to_mm: float
    text: str
    sources: tuple[str, ...] = Field(min_length=1)


class PlanWarning(Model):
    """A warning attached to an indication, optionally only for some skin types or settings."""

    text: str
    sources: tuple[str, ...] = Field(min_length=1)
    skin_types: tuple[int, ...] = ()
    settings: tuple[Setting, ...] = ()


class Indication(Model):
    """What is treated, where, how deep, how often and how many times."""

    name: str
    treatment: Treatment = "microneedling"
    zones: tuple[str, ...] = Field(min_length=1)
    depth: tuple[DepthRule, ...] = Field(min_length=1)
    intervals: tuple[IntervalRule, ...] = ()
    sessions: CountRange | None = None
    visible_result_days: DaysRange | None = None
    warnings: tuple[PlanWarning, ...] = ()
    note: str = ""


DeviceKind = Literal["roller", "pen"]


class SettingDeviceRule(Model):
    """Which needle units a setting allows: clinic sterile single-use only; home one person's own.

    ``default_kind`` is the kind of device a plan of this setting assumes when none is named
    (a roller at home, a pen in a clinic), with ``default_kind_sources``.
    """

    setting: Setting
    sterile_single_use: bool = False
    one_person: bool = False
    text: str
    sources: tuple[str, ...] = Field(min_length=1)
    default_kind: DeviceKind
    default_kind_sources: tuple[str, ...] = Field(min_length=1)


class HomeFrequencyBand(Model):
    """At home, needles in ``[from, to)`` mm: at most ``per_week_policy`` sessions in any 7 days."""

    depth_from_mm: float
    depth_to_mm: float
    per_week_policy: str
    sources: tuple[str, ...] = Field(min_length=1)


class SkinTypeModifier(Model):
    """A conservative plan for some Fitzpatrick types on zones needled at ``depth_from_mm`` or deeper.

    Depth is kept at the shallow end (at most ``depth_cap_policy`` where the sourced range allows),
    the endpoint is ``endpoint`` and sessions are at least ``interval_policy`` days apart.
    """

    skin_types: tuple[int, ...] = Field(min_length=1)
    depth_from_mm: float = 0.0
    depth_cap_policy: str
    interval_policy: str
    endpoint: str
    sources: tuple[str, ...] = Field(min_length=1)


class Technique(Model):
    """Passes by device kind, the general interval rules by depth, endpoints, whole-plan rule data."""

    passes_roller: CountRange
    passes_pen: CountRange
    intervals: tuple[IntervalRule, ...] = Field(min_length=1)
    endpoints: tuple[Endpoint, ...] = Field(min_length=1)
    directions: tuple[str, ...] = Field(min_length=1)
    directions_sources: tuple[str, ...] = Field(min_length=1)
    anaesthetic_default: str
    anaesthetic_area_sources: tuple[str, ...] = ()
    """Why zones are split across visits to keep each application within the label (a derived policy)."""
    setting_devices: tuple[SettingDeviceRule, ...] = ()
    home_frequency: tuple[HomeFrequencyBand, ...] = ()
    skin_type_modifiers: tuple[SkinTypeModifier, ...] = ()
    warnings: tuple[PlanWarning, ...] = ()


class RuleBand(Model):
    """For age rules: a verdict below an age given by a policy item."""

    below_years_policy: str
    verdict: Verdict
    message: str


Forbiddable = Literal["anaesthetic"]
"""What a screening finding can take out of a session (the guide drops the matching steps)."""


class ContraindicationRule(Model):
    """One screening rule over one answer field.

    kinds: ``flag`` (a yes/no answer), ``zones`` (a list of affected zones), ``washout``
    (a date plus a washout period), ``zone_washout`` (``[{zone, date}]`` plus a washout),
    ``choice`` (a verdict per answer value), ``items`` (a list of answer values, a verdict per
    value, the most severe counts), ``age`` (bands below policy ages).

    ``zones`` limits a ``flag`` rule to treated zones on or next to those zones; ``neighbours``
    makes a ``zones`` rule defer the zones next to an affected zone too (``Zone.adjacent``).
    """

    field: str
    kind: Literal["flag", "zones", "washout", "zone_washout", "choice", "items", "age"]
    treatments: tuple[Treatment, ...] = Field(min_length=1)
    verdict: Verdict | None = None
    choices: dict[str, Verdict] = {}
    bands: tuple[RuleBand, ...] = ()
    washout_policy: str | None = None
    reassess_policy: str | None = None
    regions: tuple[str, ...] = ()
    zones: tuple[str, ...] = ()
    neighbours: bool = False
    forbids: tuple[Forbiddable, ...] = ()
    """Steps of the session this rule removes when it fires (e.g. ``anaesthetic``: no topical anaesthetic)."""
    message: str
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> ContraindicationRule:
        needs = {
            "flag": self.verdict is not None,
            "zones": self.verdict is not None,
            "washout": self.washout_policy is not None,
            "zone_washout": self.washout_policy is not None,
            "choice": bool(self.choices),
            "items": bool(self.choices),
            "age": bool(self.bands),
        }
        if not needs[self.kind]:
            msg = f"rule of kind '{self.kind}' lacks its verdict, choices, bands or washout_policy"
            raise ValueError(msg)
        return self


class Anaesthetic(Model):
    """A topical anaesthetic: how long it stays on, and how much skin one application may cover.

    ``max_area_cm2`` and ``max_amount_g`` are the label's limits for one application in adults;
    ``amount_g_per_10cm2`` is the label's layer. A product without a label has none of them,
    and no plan puts it on any area.
    """

    name: str
    minutes: MinutesRange
    occlusion: Literal["required", "optional", "none"]
    approved: bool
    not_for: tuple[str, ...] = ()
    max_area_cm2: Cm2Value | None = None
    max_amount_g: GramsValue | None = None
    amount_g_per_10cm2: GramsPer10Cm2Range | None = None
    note: str = ""
    sources: tuple[str, ...] = Field(min_length=1)


class AftercareItem(Model):
    """An aftercare instruction with how long it holds."""

    treatments: tuple[Treatment, ...] = Field(min_length=1)
    kind: Literal["avoid", "do", "expect", "warning"]
    text: str
    hours: HoursRange | None = None
    depth_from_mm: float = 0.0
    settings: tuple[Setting, ...] = ("home", "clinic")
    indications: tuple[str, ...] = ()
    """Only for these indications (empty: every indication)."""
    skin_types: tuple[int, ...] = ()
    """Only for these Fitzpatrick skin types (empty: every type, and a plan with no skin type)."""
    rule: str = ""
    """The whole-plan rule this line belongs to, listed in a plan's ``rules`` when it is added."""
    sources: tuple[str, ...] = Field(min_length=1)


StepKind = Literal[
    "consent",
    "screening",
    "photo",
    "cleanse",
    "anaesthetic-apply",
    "anaesthetic-remove",
    "antisepsis",
    "device-check",
    "device-clean",
    "needling",
    "endpoint-check",
    "post-care",
    "device-dispose",
    "device-log",
    "aftercare-handout",
]


class ProcedureStep(Model):
    """One step of the session procedure; the file order is the order done."""

    kind: StepKind
    title: str
    treatments: tuple[Treatment, ...] = ("microneedling",)
    settings: tuple[Setting, ...] = ("home", "clinic")
    when: Literal["always", "anaesthetic", "reusable-device", "single-use-device"] = "always"
    minutes: MinutesRange | None = None
    minutes_from: Literal["anaesthetic"] | None = None
    per_zone: bool = False
    sources: tuple[str, ...] = ()


class DeviceBase(Model):
    """What every device in the catalog has."""

    name: str
    settings: tuple[Setting, ...] = Field(min_length=1)
    reuse: Literal["single-use", "reusable"]
    sterile: bool
    needles: CountValue
    needle_diameter_mm: MmValue
    note: str = ""


class RollerDevice(DeviceBase):
    """A derma roller: a drum of ``rings`` x ``needles_per_ring`` needles of one length."""

    kind: Literal["roller"]
    rings: CountValue
    needles_per_ring: CountValue
    drum_diameter_mm: MmValue
    drum_width_mm: MmValue
    needle_length_mm: MmValue

    @model_validator(mode="after")
    def _count_matches(self) -> RollerDevice:
        if self.rings.value * self.needles_per_ring.value != self.needles.value:
            msg = (
                f"needles {self.needles.value:g} != rings {self.rings.value:g} "
                f"x needles_per_ring {self.needles_per_ring.value:g}"
            )
            raise ValueError(msg)
        return self


class PenDevice(DeviceBase):
    """A motorised pen: a cartridge of needles stamping at ``frequency_hz``."""

    kind: Literal["pen"]
    depth_mm: MmRange
    depth_step_mm: MmValue
    frequency_hz: HzValue
    field_width_mm: MmValue
    layout_rows: CountValue
    layout_cols: CountValue
    authorised_depth_mm: MmValue | None = None
    """Deepest setting whose safety the device's authorisation evaluated; plans are capped there."""


Device = Annotated[RollerDevice | PenDevice, Field(discriminator="kind")]
