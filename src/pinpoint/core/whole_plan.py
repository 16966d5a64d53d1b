"""Whole-plan rules: constraints that look across all zones of a visit and all sessions of a course.

Per-zone numbers (depth, passes, interval) come from the evidence base; these rules check and
adjust the plan as a whole. Each rule is one function here, reads its numbers from the evidence
base (a sourced value or a policy default) and returns a :class:`PlanRule` saying what it changed,
so the plan can list it. A combination no adjustment can make safe raises :class:`RefusedError`
naming the rule and its sources.

Rules: ``clinic_sterile_single_use`` and ``home_one_person`` (devices by setting),
``authorised_depth`` (a device's authorised depth), ``skin_type_conservative`` (Fitzpatrick
modifiers), ``home_sessions_per_week`` (home frequency by needle length), ``aftercare_spacing``
(no session while the previous session's aftercare still holds), ``anaesthetic_area_per_visit``
(each visit's topical anaesthetic within its label: a session is split into visits, and a zone
larger than the label into equal portions), and aftercare lines tied to a rule
(``melasma_sun_protection``). The spacing rules (:func:`spacing_floors`,
:func:`skin_type_interval`) serve both the planner and the check of a booked session's date.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from pinpoint.core.errors import RefusedError
from pinpoint.core.span import Span
from pinpoint.core.zones import zone_names
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import Anaesthetic, PenDevice, RollerDevice, Setting, SkinTypeModifier

CatalogDevice = RollerDevice | PenDevice
"""A device of the evidence base's catalog (``devices.toml``)."""

__all__ = [
    "PlanRule",
    "Span",
    "Visit",
    "ZonePortion",
    "aftercare_spacing",
    "anaesthetic_limit_cm2",
    "anaesthetic_visits",
    "authorised_depth",
    "check_device_setting",
    "device_fit",
    "device_for_setting",
    "home_sessions_per_week",
    "min_spacing_days",
    "skin_type_interval",
    "skin_type_modifier",
    "spacing_floors",
    "split_gap_days",
    "split_visits_fit",
    "unit_refusal",
]

_EPS_CM2 = 1e-9
"""Tolerance (cm²) when comparing summed areas with a label's maximum."""
_EPS_MM = 1e-9
"""Tolerance (mm) when comparing a depth with a device's needles."""


class PlanRule(BaseModel):
    """A whole-plan rule that changed the plan: its id, what it did, and why."""

    model_config = ConfigDict(frozen=True)

    id: str
    effect: str
    sources: tuple[str, ...]


class ZonePortion(BaseModel):
    """A zone, or one of its equal portions, needled in one visit.

    ``portion`` of ``portions`` (1 of 1: the whole zone); ``area_cm2`` is the skin of this portion;
    ``numbed`` when the topical anaesthetic goes on it first; ``label`` is how people read it
    ("Thighs, part 2 of 4 (about 893 cm²)", or just "Flanks" for a whole zone).
    """

    model_config = ConfigDict(frozen=True)

    zone: str
    portion: int = 1
    portions: int = 1
    area_cm2: float
    numbed: bool = False
    label: str


class Visit(BaseModel):
    """One visit of a session: the zones needled that day.

    ``zones`` names each zone needled (a zone split into portions appears in several visits);
    ``parts`` says which portion of each, with its area. ``anaesthetic_zones`` are the zones
    numbed first; ``area_cm2`` is the skin the anaesthetic covers this visit and ``amount_g`` the
    cream the label's layer puts on it (grams).
    """

    model_config = ConfigDict(frozen=True)

    visit: int
    zones: tuple[str, ...]
    anaesthetic_zones: tuple[str, ...] = ()
    area_cm2: float = 0.0
    amount_g: Span | None = None
    parts: tuple[ZonePortion, ...] = ()


class AftercareLike(Protocol):
    """What the spacing rules read of an aftercare line (``hours`` counts from the end of a session)."""

    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def hours(self) -> Span | None: ...
    @property
    def sources(self) -> tuple[str, ...]: ...


def _ids(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for g in groups for s in g))


def _cite(rule: str, sources: Iterable[str]) -> str:
    return f"(rule {rule}: {', '.join(sources)})"


def device_for_setting(evidence: Evidence, setting: Setting, device: CatalogDevice | None) -> PlanRule | None:
    """Check that ``device`` (``None``: the setting's default kind) is allowed in ``setting``.

    A clinic takes only sterile single-use needle units: anything else raises
    :class:`RefusedError`. At home the roller belongs to one person; the rule is returned so the
    plan lists it and the guide says so.
    """
    refused = unit_refusal(evidence, setting, device) if device is not None else None
    if refused is not None:
        words, sources = refused
        raise RefusedError("device", f"{words} {_cite('clinic_sterile_single_use', sources)}")
    for rule in evidence.technique.setting_devices:
        if rule.setting != setting:
            continue
        if rule.one_person and (device is None or device.reuse == "reusable"):
            return PlanRule(id=f"{setting}_one_person", effect=rule.text, sources=rule.sources)
    return None


def check_device_setting(device_id: str, device: CatalogDevice, setting: Setting, field: str = "device") -> None:
    """Refuse ``device`` (catalog id ``device_id``) where the catalog does not list ``setting`` for it."""
    if setting not in device.settings:
        where = " and ".join(device.settings)
        raise RefusedError(field, f"device '{device_id}' is for {where} use only, not {setting}")


def unit_refusal(evidence: Evidence, setting: Setting, device: CatalogDevice) -> tuple[str, tuple[str, ...]] | None:
    """Why ``device`` may not needle in ``setting``, in words, with the rule's sources; ``None`` when it may.

    A setting that takes only sterile single-use units (a clinic) refuses a reusable or
    non-sterile one (rule ``clinic_sterile_single_use``).
    """
    for rule in evidence.technique.setting_devices:
        if rule.setting == setting and rule.sterile_single_use and (device.reuse != "single-use" or not device.sterile):
            what = " and ".join(
                w for w, bad in (("reusable", device.reuse != "single-use"), ("not sterile", not device.sterile)) if bad
            )
            return f"{device.name} is {what}: {rule.text}", rule.sources
    return None


def device_fit(device: CatalogDevice, lo_mm: float, hi_mm: float, asked: str, field: str = "device") -> Span:
    """The depths (mm) ``device`` can needle within ``[lo_mm, hi_mm]``.

    A roller needles at its fixed needle length, which must lie in the range; a pen at any
    setting of its range that overlaps it. ``asked`` says in words what needs the range ("acne
    scars on cheek (clinic) takes 1-2 mm", "0.2 mm was recorded on cheek"); when the device
    cannot, :class:`RefusedError` on ``field`` names the device, what it reaches and ``asked``.
    """
    if isinstance(device, RollerDevice):
        length = device.needle_length_mm.value
        if not lo_mm - _EPS_MM <= length <= hi_mm + _EPS_MM:
            raise RefusedError(field, f"device '{device.name}' has {length:g} mm needles; {asked}")
        return Span(min=length, max=length)
    reach = device.depth_mm
    lo, hi = max(lo_mm, reach.min), min(hi_mm, reach.max)
    if lo > hi + _EPS_MM:
        raise RefusedError(field, f"device '{device.name}' reaches {reach.min:g}-{reach.max:g} mm; {asked}")
    return Span(min=lo, max=max(lo, hi))


def authorised_depth(
    device: CatalogDevice | None, lo_mm: float, hi_mm: float, where: str
) -> tuple[float, float, bool]:
    """Cap ``[lo_mm, hi_mm]`` (mm) at the device's authorised depth; ``True`` when it was capped.

    Raises :class:`RefusedError` when even ``lo_mm`` is deeper than the authorised depth.
    """
    if (
        not isinstance(device, PenDevice)
        or device.authorised_depth_mm is None
        or hi_mm <= device.authorised_depth_mm.value
    ):
        return lo_mm, hi_mm, False
    cap = device.authorised_depth_mm
    if lo_mm > cap.value:
        raise RefusedError(
            "device",
            f"{where} needs at least {lo_mm:g} mm, deeper than the {cap.value:g} mm whose safety the "
            f"authorisation of the {device.name} evaluated {_cite('authorised_depth', cap.sources)}",
        )
    return lo_mm, cap.value, True


def authorised_depth_rule(device: PenDevice, zones: Sequence[str]) -> PlanRule:
    """The plan entry for zones capped at the authorised depth of ``device``; ``zones`` are the zones' names."""
    cap = device.authorised_depth_mm
    assert cap is not None  # noqa: S101 - only called after a cap
    return PlanRule(
        id="authorised_depth",
        effect=(
            f"depth capped at {cap.value:g} mm on {', '.join(zones)}: the authorisation of the {device.name} "
            f"did not evaluate safety deeper"
        ),
        sources=cap.sources,
    )


def skin_type_modifier(evidence: Evidence, skin_type: int | None, depth_max_mm: float) -> SkinTypeModifier | None:
    """The conservative modifier for Fitzpatrick ``skin_type`` on needling reaching ``depth_max_mm`` (mm), if any."""
    if skin_type is None:
        return None
    return next(
        (
            m
            for m in evidence.technique.skin_type_modifiers
            if skin_type in m.skin_types and depth_max_mm >= m.depth_from_mm
        ),
        None,
    )


def skin_type_depth(evidence: Evidence, mod: SkinTypeModifier, lo_mm: float, hi_mm: float) -> tuple[float, float]:
    """The shallow end of ``[lo_mm, hi_mm]`` (mm): at most the modifier's cap where the range allows."""
    cap = evidence.policy_value(mod.depth_cap_policy)
    return lo_mm, min(hi_mm, max(lo_mm, cap))


def skin_type_rule(evidence: Evidence, mod: SkinTypeModifier, skin_type: int, zones: Sequence[str]) -> PlanRule:
    """The plan entry for the skin-type modifier applied on ``zones``."""
    cap = evidence.policy_value(mod.depth_cap_policy)
    days = evidence.policy_value(mod.interval_policy)
    names = zone_names(evidence, zones)
    return PlanRule(
        id="skin_type_conservative",
        effect=(
            f"Fitzpatrick type {skin_type} on {names}: shallow end of the depth range (at most {cap:g} mm "
            f"where the range allows, policy {mod.depth_cap_policy}), endpoint {mod.endpoint}, sessions at "
            f"least {days:g} days apart (policy {mod.interval_policy})"
        ),
        sources=_ids(
            mod.sources, evidence.policy[mod.depth_cap_policy].sources, evidence.policy[mod.interval_policy].sources
        ),
    )


def skin_type_interval(evidence: Evidence, skin_type: int | None, depth_max_mm: float) -> tuple[int, PlanRule] | None:
    """The fewest days between sessions for Fitzpatrick ``skin_type`` needled to ``depth_max_mm`` (mm), and why.

    ``None`` when no skin-type modifier applies at that depth.
    """
    mod = skin_type_modifier(evidence, skin_type, depth_max_mm)
    if mod is None:
        return None
    days = math.ceil(evidence.policy_value(mod.interval_policy))
    rule = PlanRule(
        id="skin_type_conservative",
        effect=f"Fitzpatrick type {skin_type}: sessions at least {days} days apart (policy {mod.interval_policy})",
        sources=_ids(mod.sources, evidence.policy[mod.interval_policy].sources),
    )
    return days, rule


def min_spacing_days(per_7_days: int) -> int:
    """Fewest days between evenly spaced sessions so that no 7 days hold more than ``per_7_days``."""
    k = 1
    while 6 // k + 1 > per_7_days:
        k += 1
    return k


def home_sessions_per_week(evidence: Evidence, setting: Setting, depth_max_mm: float) -> tuple[int, PlanRule] | None:
    """At home: the fewest days between sessions for needles of ``depth_max_mm`` (mm), and the rule.

    The most sessions in any 7 days is a policy default by needle length (no regulator, label or
    trial gives one). ``None`` outside home plans.
    """
    if setting != "home":
        return None
    band = next(b for b in evidence.technique.home_frequency if b.depth_from_mm <= depth_max_mm < b.depth_to_mm)
    per_week = int(evidence.policy_value(band.per_week_policy))
    days = min_spacing_days(per_week)
    rule = PlanRule(
        id="home_sessions_per_week",
        effect=(
            f"at home with {depth_max_mm:g} mm needles: at most {per_week} session{'s' if per_week > 1 else ''} "
            f"in any 7 days, so at least {days} days apart (policy {band.per_week_policy})"
        ),
        sources=_ids(band.sources, evidence.policy[band.per_week_policy].sources),
    )
    return days, rule


def aftercare_spacing(aftercare: Sequence[AftercareLike]) -> tuple[int, PlanRule] | None:
    """Fewest days between sessions so the next one never falls inside the last one's "avoid" aftercare.

    ``aftercare`` are the plan's aftercare lines (``kind``, ``text``, ``hours`` span in hours).
    The shortest duration of each instruction counts; the longest of those sets the spacing.
    """
    timed = [(a, a.hours.min) for a in aftercare if a.kind == "avoid" and a.hours is not None]
    if not timed:
        return None
    longest, hours = max(timed, key=lambda t: t[1])
    days = math.ceil(hours / 24)
    rule = PlanRule(
        id="aftercare_spacing",
        effect=(
            f"sessions at least {days} days apart: the aftercare says '{longest.text}' for at least "
            f"{hours / 24:g} days after each session"
        ),
        sources=longest.sources,
    )
    return days, rule


def spacing_floors(
    evidence: Evidence, setting: Setting, depth_max_mm: float, aftercare: Sequence[AftercareLike]
) -> list[tuple[int, PlanRule]]:
    """The course-wide minimum days between sessions, each with its rule.

    For sessions needling at most ``depth_max_mm`` (mm) in ``setting`` with these ``aftercare``
    lines: :func:`home_sessions_per_week` and :func:`aftercare_spacing`, those that apply.
    """
    found = (home_sessions_per_week(evidence, setting, depth_max_mm), aftercare_spacing(aftercare))
    return [f for f in found if f is not None]


def anaesthetic_limit_cm2(agent: Anaesthetic) -> tuple[float, tuple[str, ...]] | None:
    """The most skin (cm²) one application of ``agent`` may cover within its label, with its sources.

    The smaller of the labelled maximum area and the area the labelled maximum grams cover at
    the label's thickest layer. ``None`` when the product has no labelled maximum area.
    """
    if agent.max_area_cm2 is None:
        return None
    limit, sources = agent.max_area_cm2.value, agent.max_area_cm2.sources
    if agent.max_amount_g is not None and agent.amount_g_per_10cm2 is not None:
        by_grams = agent.max_amount_g.value / agent.amount_g_per_10cm2.max * 10
        if by_grams < limit:
            limit, sources = by_grams, _ids(agent.max_amount_g.sources, agent.amount_g_per_10cm2.sources)
    return limit, tuple(sources)


def _amount(agent: Anaesthetic, area_cm2: float) -> Span | None:
    rate = agent.amount_g_per_10cm2
    if rate is None or area_cm2 == 0:
        return None
    return Span(min=round(area_cm2 * rate.min / 10, 1), max=round(area_cm2 * rate.max / 10, 1))


def _about(area_cm2: float) -> str:
    whole = math.floor(area_cm2 + 0.5)
    return f"{whole} cm²" if whole == area_cm2 else f"about {whole} cm²"


def _portions(evidence: Evidence, zone: str, area_cm2: float, limit_cm2: float) -> list[ZonePortion]:
    """``zone`` in the fewest equal portions of at most ``limit_cm2`` (cm²) each."""
    n = max(1, math.ceil(area_cm2 / limit_cm2 - _EPS_CM2))
    name = evidence.zones[zone].name
    each = area_cm2 / n
    return [
        ZonePortion(
            zone=zone,
            portion=i,
            portions=n,
            area_cm2=each,
            numbed=True,
            label=f"{name}, part {i} of {n} ({_about(each)})" if n > 1 else name,
        )
        for i in range(1, n + 1)
    ]


def split_gap_days(evidence: Evidence) -> int:
    """Days between the visits of one session (policy ``anaesthetic_split_gap_days``, whole days)."""
    return math.ceil(evidence.policy_value("anaesthetic_split_gap_days"))


def anaesthetic_visits(
    evidence: Evidence,
    zones: Sequence[tuple[str, float]],
    numb: Sequence[str],
    agent_id: str | None,
) -> tuple[tuple[Visit, ...], PlanRule | None]:
    """Split one session into visits so each visit's topical anaesthetic stays within its label.

    ``zones`` are ``(zone, area_cm2)`` in plan order; ``numb`` the zones numbed before needling;
    ``agent_id`` the anaesthetic (``None``: no numbing). A numbed zone larger than one
    application may cover is split into the fewest equal portions within it (3,570 cm² under a
    900 cm² label: 4 portions of 892.5 cm²); two portions of one zone never fit one visit. The
    zones and portions are then packed first-fit decreasing (largest first, each into the first
    visit it fits, else a new visit) so no visit's numbed area exceeds the label. Splitting and
    packing are a derived planning policy (no label addresses them); the zones not numbed go
    whole with the first visit. An agent with no labelled maximum area raises
    :class:`RefusedError` naming the rule and source.
    """
    order = [z for z, _ in zones]
    area = dict(zones)
    if not numb or agent_id is None:
        parts = tuple(_whole(evidence, z, area[z]) for z in order)
        return (Visit(visit=1, zones=tuple(order), parts=parts),), None
    agent = evidence.anaesthetics[agent_id]
    limit, sources = _label_limit(evidence, agent)
    items = [p for z in order if z in numb for p in _portions(evidence, z, area[z], limit)]
    bins = _pack(items, limit, order)
    rest = [_whole(evidence, z, area[z]) for z in order if z not in numb]
    visits = tuple(_visit(i, [*b, *(rest if i == 1 else ())], b, agent, order) for i, b in enumerate(bins, 1))
    rule_sources = _ids(evidence.technique.anaesthetic_area_sources)
    return visits, _area_rule(evidence, agent, limit, sources + rule_sources, items, len(visits))


def _whole(evidence: Evidence, zone: str, area_cm2: float) -> ZonePortion:
    """A whole zone needled in one visit, not numbed."""
    return ZonePortion(zone=zone, area_cm2=area_cm2, label=evidence.zones[zone].name)


def _label_limit(evidence: Evidence, agent: Anaesthetic) -> tuple[float, tuple[str, ...]]:
    """The label's most skin (cm²) for one application, with its sources; refused when there is no label."""
    found = anaesthetic_limit_cm2(agent)
    if found is None:
        raise RefusedError(
            "anaesthetic",
            f"{agent.name} has no label giving a maximum area, so no plan puts it on skin "
            f"{_cite('anaesthetic_area_per_visit', agent.sources)}",
        )
    return found


def _pack(items: Sequence[ZonePortion], limit_cm2: float, order: Sequence[str]) -> list[list[ZonePortion]]:
    """First-fit decreasing: largest first, each into the first visit with room under ``limit_cm2`` (cm²)."""
    bins: list[list[ZonePortion]] = []
    for item in sorted(items, key=lambda p: (-p.area_cm2, order.index(p.zone), p.portion)):
        fit = next((b for b in bins if sum(p.area_cm2 for p in b) + item.area_cm2 <= limit_cm2 + _EPS_CM2), None)
        if fit is None:
            bins.append([item])
        else:
            fit.append(item)
    return bins


def _visit(
    number: int, members: list[ZonePortion], numbed: list[ZonePortion], agent: Anaesthetic, order: Sequence[str]
) -> Visit:
    """Visit ``number``: its zones in plan order, the numbed ones, their area (cm²) and cream (g)."""
    members = sorted(members, key=lambda p: order.index(p.zone))
    covered = float(sum(p.area_cm2 for p in numbed))
    return Visit(
        visit=number,
        zones=tuple(p.zone for p in members),
        anaesthetic_zones=tuple(p.zone for p in members if p.numbed),
        area_cm2=covered,
        amount_g=_amount(agent, covered),
        parts=tuple(members),
    )


def _area_rule(
    evidence: Evidence,
    agent: Anaesthetic,
    limit: float,
    sources: tuple[str, ...],
    items: Sequence[ZonePortion],
    n_visits: int,
) -> PlanRule:
    total = sum(p.area_cm2 for p in items)
    split = [p for p in items if p.portions > 1 and p.portion == 1]
    portions = (
        "; zones larger than one application in equal portions, each numbed and needled on its own visit: "
        + ", ".join(f"{evidence.zones[p.zone].name} in {p.portions} of {_about(p.area_cm2)}" for p in split)
        if split
        else ""
    )
    text = (
        f"; {total:g} cm² to numb is split into {n_visits} visits "
        f"{evidence.policy_value('anaesthetic_split_gap_days'):g} day(s) apart{portions} (policy "
        "anaesthetic_split_gap_days; splitting is a planning policy, no label addresses it)"
        if n_visits > 1
        else ""
    )
    return PlanRule(
        id="anaesthetic_area_per_visit",
        effect=f"{agent.name} on at most {limit:g} cm² in one visit (label){text}",
        sources=_ids(sources, evidence.policy["anaesthetic_split_gap_days"].sources if text else ()),
    )


def split_visits_fit(evidence: Evidence, visits: Sequence[Visit], interval_days: int, agent_id: str | None) -> None:
    """Refuse a split whose visits would not all fall before the next session (``interval_days`` days later).

    The visits of one session are :func:`split_gap_days` apart; when the last one would fall on
    or after the day the next session starts, no split keeps both the label and the course's
    spacing, and :class:`RefusedError` names the rule and its sources.
    """
    if len(visits) <= 1 or agent_id is None:
        return
    gap = split_gap_days(evidence)
    span = (len(visits) - 1) * gap
    if span < interval_days:
        return
    agent = evidence.anaesthetics[agent_id]
    found = anaesthetic_limit_cm2(agent)
    sources = _ids(found[1] if found else agent.sources, evidence.policy["anaesthetic_split_gap_days"].sources)
    raise RefusedError(
        "zone",
        f"each session needs {len(visits)} visits {gap} day(s) apart (policy anaesthetic_split_gap_days) to keep "
        f"{agent.name} within its label, {span} days from first to last, but the next session comes "
        f"{interval_days} days after the first; no split of visits fits this course: plan fewer zones in it "
        f"{_cite('anaesthetic_area_per_visit', sources)}",
    )
