"""Template filters for showing core results: spans with units, source lists, verdict styles."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def span(value: Any, unit: str = "") -> str:
    """``0.5-1 mm`` for a span, ``0.5 mm`` when min equals max, ``-`` for none."""
    if value is None:
        return "-"
    lo, hi = value.min, value.max
    text = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
    return f"{text} {unit}".strip()


@register.filter
def join_ids(value: Any) -> str:
    """Comma-separated ids (sources, zones)."""
    return ", ".join(str(v) for v in value or ())


@register.filter
def verdict_class(verdict: str | None) -> str:
    """CSS class of a screening verdict."""
    return f"verdict verdict-{verdict or 'none'}"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template, or ``None``."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.filter
def zone_name(zone: str, evidence: Any) -> str:
    """The evidence base's name of the zone ``zone`` (the id itself when the evidence has no such zone)."""
    found = getattr(evidence, "zones", {}).get(zone)
    return str(found.name) if found is not None else zone


@register.filter
def answer(value: Any) -> str:
    """A questionnaire answer as a person reads it: yes/no, a list joined with commas (``none`` when empty)."""
    if value is None:
        return "never, or not recently"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, dict):  # {zone, last_date} or {zone, date}
        when = value.get("last_date") or value.get("date")
        return f"{answer(value.get('zone'))} on {when}" if when else answer(value.get("zone"))
    if isinstance(value, list | tuple):
        return ", ".join(answer(v) for v in value) or "none"
    return str(value).replace("_", " ") if value != "" else "-"
