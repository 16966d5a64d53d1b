"""``{{ pk|link_to:"treatments:session" }}``: a record's address, without resolving the URL map each time."""

from __future__ import annotations

from django import template

from pinpoint.web.records.links import link

register = template.Library()


@register.filter
def link_to(pk: int, name: str) -> str:
    """The address of URL ``name`` for the record ``pk`` (as ``{% url name pk %}`` gives it)."""
    return link(name, pk)
