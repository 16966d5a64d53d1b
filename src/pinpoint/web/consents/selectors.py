"""Tenant-scoped reads of consents and templates."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.consents.models import TREATMENTS, Consent, ConsentTemplate

__all__ = ["current_templates", "get_consent", "template_versions"]


def get_consent(actor: Actor, pk: int) -> Consent:
    """A consent of the actor's organization, else 404."""
    actor.require(Perm.CLIENT_VIEW)
    return get_object_or_404(
        Consent.objects.select_related("client", "recorded_by", "withdrawn_by"), organization=actor.organization, pk=pk
    )


def template_versions(actor: Actor) -> list[ConsentTemplate]:
    """Every template version of the organization, newest first per treatment."""
    return list(ConsentTemplate.objects.filter(organization=actor.organization).select_related("created_by"))


def current_templates(actor: Actor) -> dict[str, ConsentTemplate | None]:
    """The version in force per treatment (the latest)."""
    out: dict[str, ConsentTemplate | None] = {t: None for t, _ in TREATMENTS}
    for tpl in template_versions(actor):
        if out.get(tpl.treatment) is None:
            out[tpl.treatment] = tpl
    return out
