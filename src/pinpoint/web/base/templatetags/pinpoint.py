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


def _hours_unit(hours: float) -> tuple[float, str]:
    if hours < 24 or hours % 24:
        return hours, "hour"
    days = hours / 24
    return (days / 7, "week") if days >= 14 and days % 7 == 0 else (days, "day")


@register.filter
def hours_words(value: Any) -> str:
    """A span of hours as a person says it: ``6 hours to 2 days``, ``1 to 3 days``, ``2 weeks``; ``-`` for none."""
    if value is None:
        return "-"
    (lo, lo_unit), (hi, hi_unit) = _hours_unit(value.min), _hours_unit(value.max)
    if (lo, lo_unit) == (hi, hi_unit):
        return f"{hi:g} {hi_unit}{'' if hi == 1 else 's'}"
    hi_text = f"{hi:g} {hi_unit}{'' if hi == 1 else 's'}"
    if lo_unit == hi_unit:
        return f"{lo:g} to {hi_text}"
    return f"{lo:g} {lo_unit}{'' if lo == 1 else 's'} to {hi_text}"


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
