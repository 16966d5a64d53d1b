"""The session runner's photo step: the photos taken so far and a link to take them, in place of a tick box.

Loaded by name from the runner's template (``{% load photos %}``), so the treatments app never
imports the photos app (ADR 0008): the page asks, the photos app answers.
"""

from __future__ import annotations

from typing import Any

from django import template

from pinpoint.core.errors import PinpointError
from pinpoint.core.photos import photo_sets
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.photos.actions import course_treatment
from pinpoint.web.photos.models import Photo

register = template.Library()


@register.inclusion_tag("photos/_step.html", takes_context=True)
def photo_step(context: Any, session: Any, index: int) -> dict[str, Any]:
    """How many of the session's standard views have a photo; the step counts as done when all have."""
    actor = context["actor"]
    ev = evidence_for(actor.organization)
    try:
        sets = photo_sets(ev, [zp.zone for zp in session.course.plan_obj().zones], course_treatment(ev, session.course))
    except PinpointError:
        sets = ()
    needed = {(s.zone, v.id) for s in sets for v in s.views}
    taken = set(
        Photo.objects.filter(organization=actor.organization, session=session).values_list("zone", "view").distinct()
    )
    done = len(needed & taken)
    complete = bool(needed) and needed <= taken
    counts = {"needed": len(needed), "done": done, "complete": complete}
    return {"s": session, "index": index, "can": context["can"], **counts}
