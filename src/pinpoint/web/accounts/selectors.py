"""Tenant-scoped reads of members and invitations."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from pinpoint.web.accounts.models import Invitation, Membership
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor

__all__ = ["get_invitation", "get_membership", "members", "open_invitations"]


def members(actor: Actor) -> QuerySet[Membership]:
    """The organization's members with their users."""
    actor.require(Perm.MEMBERS_MANAGE)
    return Membership.objects.filter(organization=actor.organization).select_related("user").order_by("user__email")


def get_membership(actor: Actor, pk: int) -> Membership:
    """A membership of the actor's organization, else 404."""
    actor.require(Perm.MEMBERS_MANAGE)
    return get_object_or_404(Membership.objects.select_related("user"), organization=actor.organization, pk=pk)


def open_invitations(actor: Actor) -> QuerySet[Invitation]:
    """Invitations not yet accepted or revoked."""
    actor.require(Perm.MEMBERS_MANAGE)
    return Invitation.objects.filter(
        organization=actor.organization, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-created_at")


def get_invitation(actor: Actor, pk: int) -> Invitation:
    """An invitation of the actor's organization, else 404."""
    actor.require(Perm.MEMBERS_MANAGE)
    return get_object_or_404(Invitation, organization=actor.organization, pk=pk)
