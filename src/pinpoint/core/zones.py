"""Zone relations: composite zones (a full face) and which zones overlap."""

from __future__ import annotations

from pinpoint.evidence.loader import Evidence

__all__ = ["descendants", "expand", "overlap"]


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
