"""``{{ event|described }}``: an audit event in words, for the audit log and a client's history."""

from __future__ import annotations

from django import template

from pinpoint.web.audit.models import AuditEvent
from pinpoint.web.audit.wording import Described, describe, viewed_words

register = template.Library()


@register.filter
def described(event: AuditEvent) -> Described:
    """The event's sentence and its labelled details (see :mod:`pinpoint.web.audit.wording`)."""
    return describe(event)


@register.filter(name="viewed_words")
def viewed(what: str) -> str:
    """What a record view opened, in words (``a session``, ``the photos``)."""
    return viewed_words(what)
