"""Zone relations: composite zones (a full face), which zones overlap, which border each other."""

from __future__ import annotations

from collections.abc import Iterable

from pinpoint.evidence.loader import Evidence

__all__ = ["ancestors", "descendants", "expand", "near", "neighbours", "overlap", "zone_name", "zone_names"]


def descendants(evidence: Evidence, zone: str) -> frozenset[str]:
    """``zone`` and every zone inside it, however deep."""
    seen = {zone}
    stack = [zone]
    while stack:
        for part in evidence.zones[stack.pop()].parts:
            if part not in seen:
                seen.add(part)
                stack.append(part)
    return frozenset(seen)


def ancestors(evidence: Evidence, zone: str) -> frozenset[str]:
    """The composite zones that hold ``zone`` (a full face holds the cheek), however deep; not ``zone``."""
    return frozenset(z for z in evidence.zones if z != zone and zone in descendants(evidence, z))


def neighbours(evidence: Evidence, zone: str) -> frozenset[str]:
    """The zones that border ``zone`` or one of its parts (``adjacent`` in the evidence).

    Zones inside ``zone`` and zones that hold it are not its neighbours: a cold sore on the
    upper lip borders the nose, the cheeks and the chin, and lies inside the perioral zone.
    """
    inside = descendants(evidence, zone)
    near_ = {n for part in inside for n in evidence.zones[part].adjacent}
    return frozenset(near_ - inside - ancestors(evidence, zone))


def near(evidence: Evidence, treated: str, affected: str) -> tuple[str, ...]:
    """The parts of ``treated`` that border ``affected`` without overlapping it, as zone ids.

    Treating the cheek with a cold sore on the upper lip gives ``("cheek",)``; treating the full
    face gives every facial part next to the upper lip. Empty when ``treated`` overlaps
    ``affected`` itself and nothing else borders it.
    """
    around = neighbours(evidence, affected)
    hits = [
        hit
        for n in evidence.zones
        if n in around and (hit := overlap(evidence, treated, n)) is not None and not overlap(evidence, hit, affected)
    ]
    return tuple(
        dict.fromkeys(h for h in hits if not any(h != g and h in descendants(evidence, g) for g in hits))
    )


def overlap(evidence: Evidence, treated: str, affected: str) -> str | None:
    """The part of ``treated`` that ``affected`` touches, as a zone id, or ``None``.

    The finer of the two zones is returned: a cold sore on the perioral zone, when the full
    face is treated, touches ``perioral``.
    """
    if affected in descendants(evidence, treated):
        return affected
    if treated in descendants(evidence, affected):
        return treated
    return None


def expand(evidence: Evidence, zones: tuple[str, ...], allowed: tuple[str, ...]) -> list[tuple[str, str]]:
    """Expand composite zones into their parts that are in ``allowed``.

    A composite zone none of whose parts is allowed stands for itself (the perioral zone holds
    the upper lip for electrolysis, but is needled as one zone). Returns ``(zone, part_of)``
    pairs in order, without duplicates; ``part_of`` is the zone asked for.
    """
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for zone in zones:
        parts = [p for p in evidence.zones[zone].parts if p in allowed] or [zone]
        for part in parts:
            if part not in seen:
                seen.add(part)
                out.append((part, zone))
    return out


def zone_name(evidence: Evidence, zone: str) -> str:
    """The zone as people read it: the evidence base's name; a zone it no longer has (an old record's), the id
    with spaces for underscores."""
    found = evidence.zones.get(zone)
    return str(found.name) if found is not None else zone.replace("_", " ")


def zone_names(evidence: Evidence, zones: Iterable[str]) -> str:
    """The zones as people read them (:func:`zone_name`), comma-separated."""
    return ", ".join(zone_name(evidence, z) for z in zones)
