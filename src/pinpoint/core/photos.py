"""Standard photo views: which views to take of a zone, and which earlier photos a new one is compared with.

The views, their series and the protocol come from ``photos.toml`` (evidence). A *shared*
series (the face, the trunk, the scalp) photographs all of its zones at once, so a session
treating cheeks and forehead takes the face views once, and photos of a shared series compare
across courses whatever zone was treated; a close-up series photographs each zone on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from pinpoint.core.errors import InputError, RefusedError, UnknownIdError
from pinpoint.evidence.loader import Evidence
from pinpoint.evidence.schema import Treatment

if TYPE_CHECKING:
    from pinpoint.evidence.schema_photos import Data

__all__ = ["PhotoSet", "StandardView", "compare_key", "photo_set", "photo_sets", "protocol", "standard_view"]


class StandardView(BaseModel):
    """One standard view: ``angle_degrees`` is the turn from facing the camera (None where none applies)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    how: str
    angle_degrees: float | None
    sources: tuple[str, ...]


class PhotoSet(BaseModel):
    """The views to take for some zones: filed under ``zone``; ``zones`` are the zones they show."""

    model_config = ConfigDict(frozen=True)

    series: str
    name: str
    zone: str
    zones: tuple[str, ...]
    shared: bool
    framing: str
    views: tuple[StandardView, ...]
    sources: tuple[str, ...]

    def view(self, view_id: str) -> StandardView:
        """The view ``view_id`` of this set, else :class:`InputError` on ``view`` naming the allowed views."""
        for v in self.views:
            if v.id == view_id:
                return v
        names = ", ".join(f"{v.name} ({v.id})" for v in self.views)
        raise InputError("view", f"'{view_id}' is not a standard view here; take one of: {names}")


def _data(ev: Evidence) -> Data:
    return ev.extra["photos"]  # type: ignore[no-any-return]


def protocol(ev: Evidence) -> tuple[str, str]:
    """The photo protocol's id and version (stored with each photo)."""
    p = _data(ev).protocol
    return p.id, p.version


def standard_view(ev: Evidence, view_id: str) -> StandardView:
    """The view ``view_id`` with its angle in degrees (a policy angle read from the policy in force)."""
    views = _data(ev).views
    if view_id not in views:
        raise UnknownIdError("view", "view", view_id, views)
    v = views[view_id]
    angle: float | None = None
    if v.angle_degrees is not None:
        angle = v.angle_degrees.value
    elif v.angle_policy is not None:
        angle = ev.policy_value(v.angle_policy)
    sources = v.sources + (ev.policy[v.angle_policy].sources if v.angle_policy else ())
    return StandardView(id=view_id, name=v.name, how=v.how, angle_degrees=angle, sources=tuple(dict.fromkeys(sources)))


def _series_of(ev: Evidence, zone: str, treatment: Treatment) -> str:
    if zone not in ev.zones:
        raise UnknownIdError("zone", "zone", zone, ev.zones)
    for sid, s in _data(ev).series.items():
        if zone in s.zones and treatment in s.treatments:
            return sid
    msg = f"no standard photo views are known for {ev.zones[zone].name} in {treatment}"
    raise RefusedError("zone", msg)


def _set(ev: Evidence, sid: str, zones: tuple[str, ...]) -> PhotoSet:
    s = _data(ev).series[sid]
    return PhotoSet(
        series=sid,
        name=s.name if s.shared else f"{s.name}: {ev.zones[zones[0]].name}",
        zone=zones[0],
        zones=zones,
        shared=s.shared,
        framing=s.framing,
        views=tuple(standard_view(ev, v) for v in s.views),
        sources=s.sources,
    )


def photo_set(ev: Evidence, zone: str, treatment: Treatment) -> PhotoSet:
    """The views to take of ``zone`` (an evidence zone id) for ``treatment``.

    Raises :class:`UnknownIdError` for an unknown zone and :class:`RefusedError` when no series
    serves the zone for that treatment.
    """
    return _set(ev, _series_of(ev, zone, treatment), (zone,))


def photo_sets(ev: Evidence, zones: Iterable[str], treatment: Treatment) -> tuple[PhotoSet, ...]:
    """The photo sets for a session treating ``zones`` (plan order): a shared series once, filed under its first zone.

    Zones without a series for ``treatment`` are left out (nothing to photograph the standard way).
    """
    groups: dict[str, list[str]] = {}
    for zone in zones:
        try:
            sid = _series_of(ev, zone, treatment)
        except RefusedError:
            continue
        key = sid if _data(ev).series[sid].shared else f"{sid}:{zone}"
        if zone not in groups.setdefault(key, []):
            groups[key].append(zone)
    return tuple(_set(ev, key.split(":")[0], tuple(zs)) for key, zs in groups.items())


def compare_key(ev: Evidence, series: str, view: str, zone: str) -> tuple[str, str, str]:
    """What makes two photos comparable: the same view of the same series and, for a close-up series, the same zone."""
    shared = _data(ev).series[series].shared if series in _data(ev).series else False
    return series, view, "" if shared else zone
