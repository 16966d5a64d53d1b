"""Template filters of the electrolysis pages."""

from __future__ import annotations

from typing import Any

from django import template

from pinpoint.core.hair import modality_name
from pinpoint.core.zones import zone_names
from pinpoint.evidence.loader import load_evidence

register = template.Library()


@register.filter
def hours_minutes(value: Any) -> str:
    """Hours (a number) as a person says them: ``4 hours 12 minutes``, ``45 minutes``; ``-`` for none."""
    if value is None:
        return "-"
    total = round(float(value) * 60)
    h, m = divmod(total, 60)
    parts = ([f"{h} hour{'' if h == 1 else 's'}"] if h else []) + (
        [f"{m} minute{'' if m == 1 else 's'}"] if m or not h else []
    )
    return " ".join(parts)


@register.filter
def el_course_words(course: Any) -> str:
    """An electrolysis course in words: ``Blend (direct current and radio frequency) on Upper lip``."""
    ev = load_evidence()
    return f"{modality_name(ev, course.modality)} on {zone_names(ev, course.areas)}"
