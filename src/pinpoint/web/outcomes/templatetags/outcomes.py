"""Template tags: open adverse events for the dashboard, a course's outcome panel, a dict lookup.

The dashboard and the course page belong to ``treatments``, below this app (ADR 0008); they show
these panels by loading this tag library, so no module of theirs imports ``outcomes``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.outcomes import selectors
from pinpoint.web.outcomes.models import Assessment

register = template.Library()

OPEN_SHOWN = 20


@register.filter
def get(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """``mapping[key]``, or an empty string."""
    return (mapping or {}).get(key, "")


def _actor(context: template.Context) -> Actor | None:
    request = context.get("request")
    actor: Actor | None = getattr(request, "actor", None)
    return actor if actor is not None and actor.can(Perm.CLIENT_VIEW) else None


@register.inclusion_tag("outcomes/_open_events.html", takes_context=True)
def open_adverse_events(context: template.Context) -> dict[str, Any]:
    """The organization's open adverse events (oldest first, at most 20)."""
    actor = _actor(context)
    if actor is None:
        return {"events": []}
    data = evidence_for(actor.organization).extra["outcomes"]
    return {
        "events": list(selectors.open_events(actor)[:OPEN_SHOWN]),
        "kinds": {k: a.name for k, a in data.adverse_events.items()},
        "severities": {k: s.name for k, s in data.severities.items()},
    }


@register.inclusion_tag("outcomes/_course_outcomes.html", takes_context=True)
def course_outcomes(context: template.Context, course: Any) -> dict[str, Any]:
    """The course's outcome chart and a link to its scores."""
    actor = _actor(context)
    count = Assessment.objects.filter(organization=actor.organization, course=course).count() if actor else 0
    return {"course": course, "count": count}
