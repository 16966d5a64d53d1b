"""Electrolysis session records: their words, the limits of each setting, and the check of one area's record.

A practitioner records, per area treated in a session: the modality, the probe (type and size),
the direct current (mA) and/or radio-frequency intensity (W) with the current-on time per
insertion (s), insertions and hairs removed, minutes, the skin's reaction at the end, whether
aftercare was given, and optionally a count of the hairs showing in a marked window (cm²).
The limits are evidence data (``hair.toml``, ``[modalities.*.limits]``; first visits: the area's
``first_visits_max_minutes`` or the policy defaults ``electrolysis_first_visits`` and
``electrolysis_first_visit_minutes``). :func:`check_area_entry` returns every breach with the
field, the limit and its sources; :func:`require_area_entry` raises the first as
:class:`~pinpoint.core.errors.InputError` naming the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from pinpoint.core.errors import InputError, UnknownIdError
from pinpoint.core.hair import get_area, get_modality, hair_data
from pinpoint.core.zones import zone_names
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema_hair import HairRange, Word

__all__ = [
    "AreaEntry",
    "Breach",
    "Limit",
    "check_area_entry",
    "check_every_area_recorded",
    "first_visit_cap",
    "probe_size_choices",
    "probe_type_choices",
    "reaction_choices",
    "record_limits",
    "require_area_entry",
    "signed_content",
    "word_name",
]

UNITS = {"ma": "mA", "watts": "W", "seconds": "s", "minutes": "min"}


@dataclass(frozen=True)
class AreaEntry:
    """One area's record in an electrolysis session (units in the field names; ``None``: not given)."""

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
    window_cm2: float | None = None
    hairs_seen: int | None = None


class Limit(BaseModel):
    """The allowed range of one recorded field: ``low`` to ``high`` in ``unit``, with the sources that set it."""

    model_config = ConfigDict(frozen=True)

    field: str
    low: float | None
    high: float
    unit: str
    sources: tuple[str, ...]
    estimate: bool = False

    @property
    def words(self) -> str:
        """The range in words ("0.1-2 mA", "at most 30 min")."""
        unit = UNITS.get(self.unit, self.unit)
        if self.low is None or self.low == 0:
            return f"at most {self.high:g} {unit}"
        return f"{self.low:g}-{self.high:g} {unit}"

    @property
    def cited(self) -> str:
        """The limit with its source ids in brackets ("0.1-2 mA [wiki-electrolysis, dermaskin-course]")."""
        return f"{self.words} [{', '.join(self.sources)}]"


class Breach(BaseModel):
    """One value of a record outside what is allowed: the field, a sentence, and the limit broken (if a limit)."""

    model_config = ConfigDict(frozen=True)

    field: str
    message: str
    limit: Limit | None = None


def _choices(words: tuple[Word, ...]) -> tuple[tuple[str, str], ...]:
    return tuple((w.id, w.name) for w in words)


def probe_type_choices(evidence: Evidence) -> tuple[tuple[str, str], ...]:
    """Probe types (one-piece, two-piece, insulated, gold-plated) as ``(id, name)`` pairs."""
    return _choices(hair_data(evidence).records.probe_types)


def reaction_choices(evidence: Evidence) -> tuple[tuple[str, str], ...]:
    """Skin reactions at the end of a session (none, erythema, oedema, ...) as ``(id, name)`` pairs."""
    return _choices(hair_data(evidence).records.reactions)


def probe_size_choices(evidence: Evidence) -> tuple[tuple[str, str], ...]:
    """Probe sizes with their tip diameter in mm ("F3 (0.076 mm)") as ``(id, label)`` pairs."""
    return tuple((s.id, f"{s.id} ({s.diameter_mm.value:g} mm)") for s in hair_data(evidence).probes.sizes)


def word_name(evidence: Evidence, kind: str, word_id: str) -> str:
    """The name in words of a probe type (``kind="probe_types"``) or reaction (``"reactions"``); the id if unknown."""
    words: tuple[Word, ...] = getattr(hair_data(evidence).records, kind)
    return next((w.name for w in words if w.id == word_id), word_id)


def _limit(field: str, r: HairRange) -> Limit:
    return Limit(field=field, low=r.min, high=r.max, unit=r.unit, sources=r.sources, estimate=r.estimate)


def first_visit_cap(evidence: Evidence, area: str) -> tuple[int, Limit]:
    """How many first visits on ``area`` are capped (count) and the cap on their minutes, with its sources."""
    ar = get_area(evidence, area)
    if ar.first_visits is not None and ar.first_visits_max_minutes is not None:
        visits = round(ar.first_visits.value)
        m = ar.first_visits_max_minutes
        return visits, Limit(field="minutes", low=None, high=m.value, unit="minutes", sources=m.sources)
    pv, pm = evidence.policy["electrolysis_first_visits"], evidence.policy["electrolysis_first_visit_minutes"]
    sources = tuple(dict.fromkeys((*pv.sources, *pm.sources)))
    return round(pv.value), Limit(field="minutes", low=None, high=pm.value, unit="minutes", sources=sources)


def record_limits(evidence: Evidence, area: str, modality: str, visit: int) -> dict[str, Limit]:
    """The limits of a record of ``modality`` on ``area`` at the ``visit``-th session on it (1 = first).

    Keys: ``current_ma`` and/or ``intensity_w`` (as the modality uses them), ``seconds_per_insertion``,
    and ``minutes`` while the visit is one of the area's capped first visits.
    """
    lim = get_modality(evidence, modality).limits
    out: dict[str, Limit] = {}
    if lim.current_ma is not None:
        out["current_ma"] = _limit("current_ma", lim.current_ma)
    if lim.intensity_w is not None:
        out["intensity_w"] = _limit("intensity_w", lim.intensity_w)
    out["seconds_per_insertion"] = _limit("seconds_per_insertion", lim.seconds_per_insertion)
    visits, cap = first_visit_cap(evidence, area)
    if visit <= visits:
        out["minutes"] = cap
    return out


MINUTES_A_DAY = 24 * 60
"""No session is longer than a day: more minutes on one area is a typing error, not a record."""

_LABELS = {
    "current_ma": "current",
    "intensity_w": "intensity",
    "seconds_per_insertion": "time per insertion",
    "minutes": "minutes",
}


def _outside(field: str, value: float | None, limit: Limit, modality_name: str) -> Breach | None:
    label = _LABELS[field]
    unit = UNITS.get(limit.unit, limit.unit)
    if value is None:
        return Breach(field=field, message=f"{label} is needed for {modality_name}: {limit.cited}", limit=limit)
    if value <= 0 or (limit.low is not None and value < limit.low) or value > limit.high:
        where = "first visits on this area" if field == "minutes" else modality_name
        return Breach(
            field=field,
            message=f"{label} {value:g} {unit} is outside the limit for {where}: {limit.cited}",
            limit=limit,
        )
    return None


def _vocabulary(evidence: Evidence, entry: AreaEntry) -> list[Breach]:
    out: list[Breach] = []
    data = hair_data(evidence)
    for field, value, words in (
        ("probe_type", entry.probe_type, data.records.probe_types),
        ("reaction", entry.reaction, data.records.reactions),
    ):
        ids = [w.id for w in words]
        if value not in ids:
            out.append(Breach(field=field, message=str(UnknownIdError(field, field.replace("_", " "), value, ids))))
    sizes = [s.id for s in data.probes.sizes]
    if entry.probe_size not in sizes:
        out.append(
            Breach(field="probe_size", message=str(UnknownIdError("probe_size", "probe size", entry.probe_size, sizes)))
        )
    return out


def _settings(evidence: Evidence, entry: AreaEntry, visit: int) -> list[Breach]:
    mod = get_modality(evidence, entry.modality)
    limits = record_limits(evidence, entry.area, entry.modality, visit)
    values = {"current_ma": entry.current_ma, "intensity_w": entry.intensity_w}
    out: list[Breach] = []
    for field, value in values.items():
        if field not in limits and value is not None:
            out.append(Breach(field=field, message=f"{mod.name} uses no {_LABELS[field]}: leave it empty"))
    for field, limit in limits.items():
        value = values.get(field) if field in values else getattr(entry, field)
        found = _outside(field, value, limit, mod.name)
        if found is not None:
            out.append(found)
    return out


def _counts(evidence: Evidence, entry: AreaEntry) -> list[Breach]:
    out: list[Breach] = []
    ar = get_area(evidence, entry.area)
    follicles = int(ar.density_per_cm2.value * evidence.zones[entry.area].area_cm2.value)
    if entry.insertions < 0 or entry.hairs_removed < 0:
        out.append(Breach(field="insertions", message="insertions and hairs removed cannot be negative"))
    elif entry.hairs_removed > entry.insertions:
        out.append(
            Breach(
                field="hairs_removed",
                message=f"{entry.hairs_removed} hairs removed is more than the {entry.insertions} insertions",
            )
        )
    elif entry.hairs_removed > follicles:
        name = evidence.zones[entry.area].name
        out.append(
            Breach(
                field="hairs_removed",
                message=(
                    f"{entry.hairs_removed} hairs removed is impossible on the {name.lower()}: it has at most "
                    f"{follicles} follicles ({ar.density_per_cm2.value:g} per cm² on "
                    f"{evidence.zones[entry.area].area_cm2.value:g} cm²) [{', '.join(ar.density_per_cm2.sources)}]"
                ),
            )
        )
    current_minutes = entry.insertions * entry.seconds_per_insertion / 60
    if entry.minutes > 0 and current_minutes > entry.minutes:
        out.append(
            Breach(
                field="insertions",
                message=(
                    f"{entry.insertions} insertions of {entry.seconds_per_insertion:g} s are {current_minutes:.0f} "
                    f"minutes of current, more than the {entry.minutes:g} minutes recorded"
                ),
            )
        )
    if (entry.window_cm2 is None) != (entry.hairs_seen is None):
        field = "hairs_seen" if entry.hairs_seen is None else "window_cm2"
        out.append(Breach(field=field, message="a window count needs both the window's size (cm²) and the hairs seen"))
    elif entry.window_cm2 is not None and entry.hairs_seen is not None:
        area_cm2 = evidence.zones[entry.area].area_cm2.value
        if not 0 < entry.window_cm2 <= area_cm2:
            out.append(
                Breach(
                    field="window_cm2",
                    message=f"the window must be more than 0 and at most the area's {area_cm2:g} cm²",
                )
            )
        else:
            most = int(ar.density_per_cm2.value * entry.window_cm2)
            if not 0 <= entry.hairs_seen <= most:
                out.append(
                    Breach(
                        field="hairs_seen",
                        message=(
                            f"{entry.hairs_seen} hairs seen is impossible in {entry.window_cm2:g} cm²: the area has "
                            f"at most {ar.density_per_cm2.value:g} follicles per cm², so at most {most} "
                            f"[{', '.join(ar.density_per_cm2.sources)}]"
                        ),
                    )
                )
    return out


def check_area_entry(evidence: Evidence, entry: AreaEntry, *, visit: int) -> tuple[Breach, ...]:
    """Every breach of ``entry``, the record of its area's ``visit``-th session (1 = first), in field order.

    Raises :class:`UnknownIdError` for an area or modality the evidence does not have; every other
    problem is returned (empty: the record is within its limits). Limits: current (mA), intensity
    (W), time per insertion (s) by modality; minutes of the first visits by area; hairs removed at
    most the insertions and the area's follicles; current-on time at most the minutes, which are
    more than 0 and at most a day; window count at most the area's follicles in the window.
    """
    get_area(evidence, entry.area)
    get_modality(evidence, entry.modality)
    minutes = (
        [Breach(field="minutes", message=f"minutes must be more than 0 and at most {MINUTES_A_DAY} (a day)")]
        if not 0 < entry.minutes <= MINUTES_A_DAY
        else []
    )
    return (*_vocabulary(evidence, entry), *_settings(evidence, entry, visit), *minutes, *_counts(evidence, entry))


def require_area_entry(evidence: Evidence, entry: AreaEntry, *, visit: int) -> None:
    """Raise :class:`InputError` naming the field of the first breach of :func:`check_area_entry`, if any."""
    breaches = check_area_entry(evidence, entry, visit=visit)
    if breaches:
        raise InputError(breaches[0].field, breaches[0].message)


def check_every_area_recorded(evidence: Evidence, areas: Sequence[str], recorded: Iterable[str]) -> None:
    """Refuse signing (``InputError`` on ``areas``) while an area of the course has no record; areas named in words."""
    done = set(recorded)
    missing = [a for a in areas if a not in done]
    if missing:
        raise InputError("areas", f"record every area before signing: {zone_names(evidence, missing)} not recorded")


def signed_content(session: Mapping[str, object], areas: Sequence[AreaEntry]) -> dict[str, object]:
    """What the signature of an electrolysis session covers: the session's fields and every area's record.

    ``session`` holds plain JSON values (ids, ISO dates, notes); areas are sorted by area id. The
    web app stores the canonical JSON of this and its SHA-256 (:mod:`pinpoint.core.records`).
    """
    rows = sorted((dataclasses.asdict(a) for a in areas), key=lambda r: str(r["area"]))
    return {"kind": "electrolysis_session", "session": dict(session), "areas": rows}
