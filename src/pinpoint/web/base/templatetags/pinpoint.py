"""Template filters for showing core results in people's words: spans with units, durations in days and
weeks, counts with their plural, names from the evidence base instead of ids, source lists, verdict styles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import template

from pinpoint.core import zones
from pinpoint.evidence import load_evidence
from pinpoint.evidence.loader import Evidence

register = template.Library()

_TABLES: dict[str, tuple[str, ...]] = {
    "zone": ("zones",),
    "indication": ("indications",),
    "device": ("devices",),
    "anaesthetic": ("anaesthetics",),
    "scale": ("outcomes", "scales"),
    "adverse_event": ("outcomes", "adverse_events"),
    "severity": ("outcomes", "severities"),
    "view": ("photos", "views"),
    "area": ("hair", "areas"),
    "modality": ("hair", "modalities"),
}
"""Where each kind of evidence id has its name: an attribute of the evidence, or a part of ``extra`` and its table."""


def evidence_table(kind: str) -> Mapping[str, Any]:
    """The evidence base's table of ``kind`` (``zone``, ``indication``, ``device``, ``scale``, …); empty if unknown."""
    ev = load_evidence()
    where = _TABLES.get(kind)
    if where is None:
        return {}
    if len(where) == 1:
        table: Any = getattr(ev, where[0])
    else:
        table = getattr(ev.extra.get(where[0]), where[1], {})
    return table if isinstance(table, Mapping) else {}


@register.filter
def name_of(value: Any, kind: str) -> str:
    """The evidence base's name of the id ``value`` of ``kind`` (``{{ c.indication|name_of:"indication" }}``).

    An id the evidence doesn't know is shown with spaces for underscores, never as ``snake_case``.
    """
    if value is None or value == "":
        return "-"
    found = evidence_table(kind).get(str(value))
    name = getattr(found, "name", None)
    return str(name) if name else str(value).replace("_", " ")


@register.filter
def names_of(values: Any, kind: str) -> str:
    """Names of a list of ids, joined with commas (``Cheeks, Forehead``); ``-`` for none."""
    if isinstance(values, str):
        values = [values]
    return ", ".join(name_of(v, kind) for v in values or ()) or "-"


@register.filter
def counted(count: Any, noun: str) -> str:
    """``1 use``, ``2 uses``, ``0 uses``; ``noun`` is ``"use"`` or ``"addendum,addenda"`` for an irregular plural."""
    one, _, many = noun.partition(",")
    many = many or f"{one}s"
    try:
        n = float(count)
    except (TypeError, ValueError):
        return f"{count} {many}"
    return f"{count} {one if n == 1 else many}"


def _whole(value: float) -> str:
    return f"{value:g}"


@register.filter
def days_words(days: Any) -> str:
    """A number of days as a person says it: ``1 day``, ``10 days``, ``3 weeks`` (whole weeks from 14 days)."""
    if days is None or days == "":
        return "-"
    n = float(days)
    if n >= 14 and n % 7 == 0:
        return counted(_whole(n / 7), "week")
    return counted(_whole(n), "day")


def duration_words(lo_hours: float, hi_hours: float) -> str:
    """A span of hours in days and weeks when it falls on them: ``5 to 14 days``, ``2 to 4 weeks``, ``1 day``,
    ``6 hours to 2 days``, ``12 to 48 hours``; the single place durations turn from hours into words."""
    if lo_hours % 24 == 0 and hi_hours % 24 == 0 and lo_hours > 0:
        lo_days, hi_days = lo_hours / 24, hi_hours / 24
        if lo_days >= 14 and lo_days % 7 == 0 and hi_days % 7 == 0:
            lo_n, hi_n, unit = lo_days / 7, hi_days / 7, "week"
        else:
            lo_n, hi_n, unit = lo_days, hi_days, "day"
        if lo_n == hi_n:
            return counted(_whole(hi_n), unit)
        return f"{_whole(lo_n)} to {counted(_whole(hi_n), unit)}"
    if hi_hours % 24 == 0 and hi_hours >= 48 and lo_hours < 24:
        return f"{counted(_whole(lo_hours), 'hour')} to {days_words(hi_hours / 24)}"
    if lo_hours == hi_hours:
        return counted(_whole(hi_hours), "hour")
    return f"{_whole(lo_hours)} to {counted(_whole(hi_hours), 'hour')}"


@register.filter
def span(value: Any, unit: str = "") -> str:
    """``0.5-1 mm`` for a span, ``0.5 mm`` when min equals max, ``-`` for none."""
    if value is None:
        return "-"
    lo, hi = value.min, value.max
    text = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
    return f"{text} {unit}".strip()


@register.filter
def hours_words(value: Any) -> str:
    """A span of hours (``.min``/``.max``) as a person says it: ``5 to 14 days``, ``6 hours to 2 days``; ``-`` for
    none."""
    if value is None:
        return "-"
    return duration_words(float(value.min), float(value.max))


@register.filter
def join_ids(value: Iterable[Any] | None) -> str:
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
    """The zone ``zone`` as people read it (:func:`pinpoint.core.zones.zone_name`), by ``evidence`` (the
    organization's), else by the evidence base as shipped."""
    return zones.zone_name(evidence if isinstance(evidence, Evidence) else load_evidence(), zone)


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
