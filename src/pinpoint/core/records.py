"""Rules of the treatment record: session spacing, recorded values, the start gate, roller wear, signing.

Interfaces that keep session records (the web app) call these functions instead of deciding
for themselves: whether a session date is far enough from its neighbours for the zones and
depths treated, whether a recorded needle depth fits the zone, the plan, the device and the
home cap, whether a session may start, when a reusable roller is due for replacement, and how
signed content is serialised and hashed. Depths are in mm, intervals in days, dates are
parameters (no clock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from pinpoint.core.answers import Answers
from pinpoint.core.dates import check_future_date, check_past_date
from pinpoint.core.errors import InputError, RefusedError
from pinpoint.core.guide import Guide
from pinpoint.core.planning import Plan, ZonePlan, aftercare_for, get_device, get_indication, interval_rule
from pinpoint.core.screening import Screening, screen_for
from pinpoint.core.whole_plan import PlanRule, device_fit, skin_type_interval, spacing_floors
from pinpoint.evidence.loader import Evidence

__all__ = [
    "BookedSession",
    "Override",
    "OverrideError",
    "RollerStatus",
    "StartCheck",
    "ZoneCheck",
    "ZoneGap",
    "canonical_json",
    "check_override",
    "check_questionnaire_date",
    "check_session_date",
    "check_zone_record",
    "content_sha256",
    "may_override",
    "min_gaps",
    "roller_status",
    "screen_for_plan",
    "see_a_doctor",
    "start_check",
]

_EPS_MM = 1e-9


class ZoneGap(BaseModel):
    """The minimum spacing after a session that treated ``zone`` at ``depth_mm``.

    ``rule`` is the whole-plan rule that raised it above the interval for that depth (``None``
    when the interval itself sets it), with ``reason`` in words.
    """

    model_config = ConfigDict(frozen=True)

    zone: str
    depth_mm: float
    interval_days: int
    sources: tuple[str, ...]
    rule: str | None = None
    reason: str = ""


class BookedSession(BaseModel):
    """Another session of the same course: its date, whether it is signed, and its recorded depth per zone (mm)."""

    model_config = ConfigDict(frozen=True)

    number: int
    date: dt.date
    depths_mm: dict[str, float] | None = None
    signed: bool = False


class ZoneCheck(BaseModel):
    """A recorded zone that passed the checks, with what is worth a second look."""

    model_config = ConfigDict(frozen=True)

    zone: str
    warnings: tuple[str, ...]


class StartCheck(BaseModel):
    """May the session start? ``reasons`` says why not; ``overridable`` when only a referral blocks."""

    model_config = ConfigDict(frozen=True)

    allowed: bool
    reasons: tuple[str, ...]
    overridable: bool
    overridden: bool
    consent_needed: bool


class RollerStatus(BaseModel):
    """Wear of one device: uses so far against the limit, days since first use against the limit."""

    model_config = ConfigDict(frozen=True)

    device: str
    reusable: bool
    uses: int
    uses_limit: int | None
    days_in_use: int | None
    days_limit: int | None
    replace: bool
    reasons: tuple[str, ...]
    sources: tuple[str, ...]


def _zone_plan(plan: Plan, zone: str) -> ZonePlan:
    for zp in plan.zones:
        if zp.zone == zone:
            return zp
    raise InputError("zone", f"zone '{zone}' is not in this plan; planned: {', '.join(z.zone for z in plan.zones)}")


def min_gaps(evidence: Evidence, plan: Plan, depths_mm: Mapping[str, float] | None = None) -> tuple[ZoneGap, ...]:
    """Minimum spacing (days) after a session of ``plan``, zone by zone.

    ``depths_mm`` gives the depth actually recorded per zone (mm); a zone without a recorded
    depth counts at the deepest depth the plan allows for it. The interval rule is the
    indication's own for that depth, else the general one (``technique.toml``); the planner's
    whole-plan spacing rules then raise it, as they raise the plan's intervals: the skin-type
    wait (:func:`~pinpoint.core.whole_plan.skin_type_interval`) at the zone's depth, and at the
    session's deepest depth the home sessions per 7 days and the aftercare spacing
    (:func:`~pinpoint.core.whole_plan.spacing_floors`). The widest wins; on a tie the interval
    for the depth is named.
    """
    ind = get_indication(evidence, plan.indication)
    depths = {zp.zone: (depths_mm or {}).get(zp.zone, zp.depth_mm.max) for zp in plan.zones}
    deepest = max(depths.values())
    aftercare = aftercare_for(evidence, "microneedling", plan.setting, deepest, plan.indication, plan.skin_type)
    floors = spacing_floors(evidence, plan.setting, deepest, aftercare)
    out = []
    for zp in plan.zones:
        depth = depths[zp.zone]
        rule = interval_rule(evidence, ind, depth)
        gap = ZoneGap(
            zone=zp.zone,
            depth_mm=depth,
            interval_days=math.ceil(rule.interval_days.min),
            sources=rule.interval_days.sources,
        )
        skin = skin_type_interval(evidence, plan.skin_type, depth)
        for days, why in (*([skin] if skin else []), *floors):
            if days > gap.interval_days:
                gap = _raised(gap, days, why)
        out.append(gap)
    return tuple(out)


def _raised(gap: ZoneGap, days: int, rule: PlanRule) -> ZoneGap:
    return gap.model_copy(
        update={"interval_days": days, "sources": rule.sources, "rule": rule.id, "reason": rule.effect}
    )


def _check_gap(evidence: Evidence, plan: Plan, earlier: BookedSession, later_date: dt.date, what: str) -> None:
    gaps = min_gaps(evidence, plan, earlier.depths_mm)
    widest = max(gaps, key=lambda g: g.interval_days)
    days = (later_date - earlier.date).days
    if days < widest.interval_days:
        depth = "recorded" if earlier.depths_mm and widest.zone in earlier.depths_mm else "planned"
        why = f"rule {widest.rule}: {widest.reason}; " if widest.rule else ""
        raise RefusedError(
            "date",
            f"{what} is {days} days after session {earlier.number} on {earlier.date}; {widest.zone} at "
            f"{widest.depth_mm:g} mm ({depth}) needs at least {widest.interval_days} days between sessions "
            f"({why}sources: {', '.join(widest.sources)})",
        )


def check_session_date(
    evidence: Evidence,
    plan: Plan,
    number: int,
    on: dt.date,
    others: Sequence[BookedSession],
    *,
    today: dt.date | None = None,
) -> None:
    """Refuse date ``on`` for session ``number`` of a course whose other sessions are ``others``.

    With ``today`` given, ``on`` must be a date one can book (:func:`check_future_date`). The
    session keeps its place in the course: after the session numbered before it and before the
    one numbered after it, and never on or before the date of a signed session. It must be far
    enough from both neighbours (:func:`min_gaps`: the interval for the depth and the planner's
    whole-plan spacing rules): the one before sets the spacing from its recorded depths (or the
    plan's), and the one after must in turn be far enough from ``on`` at the plan's depths.
    Raises :class:`InputError` (an implausible date) or :class:`RefusedError`, on field ``date``,
    naming the session, the zone, depth, interval and sources.
    """
    if today is not None:
        check_future_date("date", on, today, label=f"session {number} on")
    rest = [s for s in others if s.number != number]
    signed = [s for s in rest if s.signed and s.date >= on]
    if signed:
        last = max(signed, key=lambda s: (s.date, s.number))
        raise RefusedError(
            "date",
            f"session {number} cannot be moved to {on}: session {last.number} was signed on {last.date}, "
            "and a session cannot go on or before a signed one",
        )
    before = [s for s in rest if s.number < number]
    after = [s for s in rest if s.number > number]
    prev = max(before, key=lambda s: s.number) if before else None
    nxt = min(after, key=lambda s: s.number) if after else None
    # course order; the same day as a neighbour is refused by the spacing below, with its reason
    if prev is not None and on < prev.date:
        raise RefusedError(
            "date", f"session {number} cannot be moved to {on}: it must come after session {prev.number} on {prev.date}"
        )
    if nxt is not None and on > nxt.date:
        raise RefusedError(
            "date", f"session {number} cannot be moved to {on}: it must come before session {nxt.number} on {nxt.date}"
        )
    if prev is not None:
        _check_gap(evidence, plan, prev, on, f"session {number} on {on}")
    if nxt is not None:
        this = BookedSession(number=number, date=on)
        _check_gap(evidence, plan, this, nxt.date, f"session {nxt.number} on {nxt.date}")


def check_questionnaire_date(taken_on: dt.date, today: dt.date, birth_date: dt.date | None = None) -> dt.date:
    """A questionnaire is answered on a past day (or today), not before the client's birth date.

    Raises :class:`InputError` on field ``taken_on``.
    """
    return check_past_date("taken_on", taken_on, today, not_before=birth_date, label="questionnaire date")


def check_zone_record(
    evidence: Evidence,
    plan: Plan,
    zone: str,
    *,
    depth_mm: float,
    passes: int,
    device: str | None,
) -> ZoneCheck:
    """Check what was recorded for one zone against the evidence, the policy and the plan.

    Refused (:class:`RefusedError`, field ``depth_mm`` or ``device``): a depth outside the
    zone's range, above the home cap in a home plan, deeper than the plan allows for the zone,
    not the fixed needle length of a roller or outside a pen's range; a device not meant for
    the plan's setting. Malformed values raise :class:`InputError`. A depth shallower than
    planned, or a number of passes outside the planned range, is accepted with a warning.
    """
    zp = _zone_plan(plan, zone)
    if not math.isfinite(depth_mm) or depth_mm <= 0:
        raise InputError("depth_mm", f"needle depth must be a positive number of mm, got {depth_mm:g}")
    if passes < 1:
        raise InputError("passes", f"passes must be at least 1, got {passes}")
    zr = evidence.zones[zone].depth_mm
    if zr is None or depth_mm < zr.min - _EPS_MM or depth_mm > zr.max + _EPS_MM:
        span = f"{zr.min:g}-{zr.max:g} mm" if zr else "no needling range"
        raise RefusedError(
            "depth_mm",
            f"{depth_mm:g} mm is outside the range of zone {zone} ({span}; sources: "
            f"{', '.join(zr.sources) if zr else '-'})",
        )
    if plan.setting == "home":
        cap = evidence.policy_value("home_depth_cap_mm")
        if depth_mm > cap + _EPS_MM:
            raise RefusedError(
                "depth_mm", f"{depth_mm:g} mm is above the home cap of {cap:g} mm (policy home_depth_cap_mm)"
            )
    if depth_mm > zp.depth_mm.max + _EPS_MM:
        raise RefusedError(
            "depth_mm",
            f"{depth_mm:g} mm is deeper than the plan allows on {zone} ({zp.depth_mm.min:g}-"
            f"{zp.depth_mm.max:g} mm); make a new plan to go deeper",
        )
    _check_device(evidence, plan, zone, depth_mm, device)
    warnings = []
    if depth_mm < zp.depth_mm.min - _EPS_MM:
        warnings.append(f"{zone}: {depth_mm:g} mm is shallower than planned ({zp.depth_mm.min:g} mm at least)")
    if not zp.passes.min <= passes <= zp.passes.max:
        warnings.append(f"{zone}: {passes} passes, outside the planned {zp.passes.min:g}-{zp.passes.max:g}")
    return ZoneCheck(zone=zone, warnings=tuple(warnings))


def _check_device(evidence: Evidence, plan: Plan, zone: str, depth_mm: float, device: str | None) -> None:
    if not device:
        return
    dev = get_device(evidence, device)
    if plan.setting not in dev.settings:
        raise RefusedError("device", f"device '{device}' is for {' and '.join(dev.settings)} use, not {plan.setting}")
    device_fit(dev, depth_mm, depth_mm, f"{depth_mm:g} mm was recorded on {zone}", field="depth_mm")


def screen_for_plan(answers: Answers, plan: Plan, on: dt.date, evidence: Evidence) -> Screening:
    """Screen ``answers`` on date ``on`` for the zones of ``plan`` (its parts, so findings are precise)."""
    return screen_for(answers, "microneedling", tuple(zp.zone for zp in plan.zones), on, evidence)


class Override(BaseModel):
    """A physician's approval of a referral, as recorded with the course or session.

    ``physician`` is the approving physician's name, ``approved_on`` the date of the approval,
    ``reason`` what the approval says. Made by :func:`check_override`, which checks all three.
    """

    model_config = ConfigDict(frozen=True)

    physician: str
    approved_on: dt.date
    reason: str


class OverrideError(InputError):
    """An override that is not a complete approval; ``problems`` maps every field at fault to its message.

    ``field`` and ``message`` are the first problem's, so an interface that shows one error shows it;
    ``referral`` is the referral it was meant to override, in words.
    """

    def __init__(self, problems: Mapping[str, str], referral: str = "") -> None:
        field, message = next(iter(problems.items()))
        super().__init__(field, message)
        self.problems = dict(problems)
        self.referral = referral


def may_override(screening: Screening, *, setting: str = "clinic", client_is_actor: bool = False) -> bool:
    """True when the verdict may be overridden with a physician's approval: a referral, for someone else.

    ``defer`` waits for a date or an answer, ``contraindicated`` never proceeds; a ``refer`` asks
    for a physician's approval, which a practitioner can record for a client. Nobody records it
    for themselves: not in a home setting (the person needles their own skin) and not when the
    client is the person acting (``client_is_actor``).
    """
    return screening.verdict == "refer" and setting != "home" and not client_is_actor


def see_a_doctor(screening: Screening, *, client_is_actor: bool = True) -> str:
    """Why a referral can't be overridden for self-treatment, in words: see a doctor, and what to bring.

    Spoken to the person themselves when ``client_is_actor``, else to the practitioner planning
    a client's home treatment.
    """
    found = "; ".join(f.message for f in screening.findings if f.verdict == "refer")
    bring = "these findings, a list of current medicines and the roller or pen meant for the treatment"
    if client_is_actor:
        return (
            f"the screening refers you to a doctor ({found}), and a referral cannot be overridden for yourself: "
            f"see a doctor before needling, and bring {bring}. Treat yourself only once a new questionnaire "
            "no longer refers you; a clinic can treat you with the doctor's written approval"
        )
    return (
        f"the screening refers the client to a doctor ({found}), and a referral cannot be overridden for home "
        f"treatment, where the client needles their own skin: the client should see a doctor and bring {bring}; "
        "with the doctor's written approval, plan clinic sessions instead"
    )


def check_override(
    screening: Screening,
    *,
    physician: str,
    approved_on: dt.date | None,
    reason: str,
    answered_on: dt.date,
    today: dt.date,
    setting: str,
    client_is_actor: bool = False,
) -> Override:
    """The override of ``screening``'s referral, if it is a physician's approval that covers these answers.

    Refused (:class:`RefusedError`, field ``override``) when the verdict is not ``refer`` or the
    person would approve their own treatment (:func:`may_override`; the message says to see a
    doctor, :func:`see_a_doctor`). Otherwise every missing or impossible part is reported at once
    (:class:`OverrideError`): ``override_physician`` (the approving physician's name),
    ``override_approved_on`` (a past day or today, and not before ``answered_on``, the date of the
    questionnaire whose answers gave the referral: an approval given before the answers existed
    cannot have approved them), ``override_reason`` (what the approval says).
    """
    if screening.verdict != "refer":
        raise RefusedError("override", f"only a referral can be overridden; {screening.blocking_reason()}")
    if not may_override(screening, setting=setting, client_is_actor=client_is_actor):
        raise RefusedError("override", see_a_doctor(screening, client_is_actor=client_is_actor))
    problems: dict[str, str] = {}
    name = " ".join(physician.split())
    if not name:
        problems["override_physician"] = "give the name of the physician who approved treatment despite the referral"
    if approved_on is None:
        problems["override_approved_on"] = "give the date of the physician's approval"
    elif approved_on > today:
        problems["override_approved_on"] = (
            f"approval date {approved_on} is in the future (after {today}); give the day the physician approved"
        )
    elif approved_on < answered_on:
        problems["override_approved_on"] = (
            f"approval date {approved_on} is before the questionnaire of {answered_on} that gave the referral; "
            "an approval covers only answers given before it: ask the physician to approve these answers"
        )
    text = reason.strip()
    if not text:
        problems["override_reason"] = "say what the physician approved: which treatment, and on what condition"
    if problems or approved_on is None:
        raise OverrideError(problems, referral=screening.blocking_reason())
    return Override(physician=name, approved_on=approved_on, reason=text)


def start_check(
    screening: Screening | None,
    guide: Guide,
    *,
    consent_signed: bool,
    override: Override | None = None,
    client_is_actor: bool = False,
) -> StartCheck:
    """May a session start, given its screening on the session date and the consent on file?

    ``defer`` and ``contraindicated`` block; ``refer`` blocks unless ``override`` is a physician's
    approval (:func:`check_override`; the interface decides who may record one), and for someone
    treating themselves (a home guide, or ``client_is_actor``) it blocks with :func:`see_a_doctor`.
    A missing screening blocks. Consent is needed when the session's procedure has a consent step
    (clinic sessions).
    """
    reasons: list[str] = []
    consent_needed = any(step.kind == "consent" for step in guide.steps)
    if consent_needed and not consent_signed:
        reasons.append("no signed consent for microneedling is in force on the session date")
    overridable = overridden = False
    if screening is None:
        reasons.append("no medical-history questionnaire on file: take it before the session")
    elif screening.verdict == "refer" and not may_override(
        screening, setting=guide.setting, client_is_actor=client_is_actor
    ):
        reasons.append(see_a_doctor(screening, client_is_actor=client_is_actor))
    elif screening.verdict == "refer":
        if override is not None:
            overridden = True
        else:
            overridable = True
            first = next(f for f in screening.findings if f.verdict == "refer")
            reasons.append(f"screening verdict 'refer': {first.message}")
    elif screening.blocking:
        reasons.append(screening.blocking_reason())
    overridable = overridable and len(reasons) == 1
    return StartCheck(
        allowed=not reasons,
        reasons=tuple(reasons),
        overridable=overridable,
        overridden=overridden and not reasons,
        consent_needed=consent_needed,
    )


def roller_status(
    evidence: Evidence, device: str, uses: int, first_used_on: dt.date | None, on: dt.date
) -> RollerStatus:
    """Whether the device ``device`` is due for replacement on date ``on`` after ``uses`` uses.

    A reusable roller is replaced after ``roller_replacement_uses`` uses or
    ``roller_replacement_days`` days from its first use, whichever comes first (policy
    defaults); a single-use device is replaced after every use.
    """
    dev = get_device(evidence, device)
    if uses < 0:
        raise InputError("uses", f"uses cannot be negative, got {uses}")
    days_in_use = (on - first_used_on).days if first_used_on is not None else None
    if dev.reuse != "reusable":
        return RollerStatus(
            device=device,
            reusable=False,
            uses=uses,
            uses_limit=1,
            days_in_use=days_in_use,
            days_limit=None,
            replace=uses >= 1,
            reasons=("single-use: a new sterile unit for every session",) if uses >= 1 else (),
            sources=(),
        )
    uses_item = evidence.policy["roller_replacement_uses"]
    days_item = evidence.policy["roller_replacement_days"]
    uses_limit, days_limit = int(uses_item.value), int(days_item.value)
    reasons = []
    if uses >= uses_limit:
        reasons.append(f"used {uses} times; replace after {uses_limit} uses (policy roller_replacement_uses)")
    if days_in_use is not None and days_in_use >= days_limit:
        reasons.append(
            f"first used {days_in_use} days ago; replace after {days_limit} days (policy roller_replacement_days)"
        )
    return RollerStatus(
        device=device,
        reusable=True,
        uses=uses,
        uses_limit=uses_limit,
        days_in_use=days_in_use,
        days_limit=days_limit,
        replace=bool(reasons),
        reasons=tuple(reasons),
        sources=tuple(dict.fromkeys((*uses_item.sources, *days_item.sources))),
    )


def canonical_json(content: Mapping[str, Any]) -> str:
    """The one serialisation of signed content: sorted keys, no whitespace, UTF-8 text, no NaN."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def content_sha256(content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of :func:`canonical_json` of ``content``."""
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()
