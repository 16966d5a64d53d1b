"""Who is acting, in which organization: resolved once per request from the user's memberships.

The active organization is kept in the session; a user with one membership never chooses.
Every selector takes the :class:`Actor` and reads only inside ``actor.organization``.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from pinpoint.web.base.permissions import Perm, allowed, require

if TYPE_CHECKING:
    import datetime as dt

    from pinpoint.evidence.schema import Setting
    from pinpoint.web.accounts.models import Membership, Organization, User

__all__ = ["ORG_SESSION_KEY", "Actor", "TenancyMiddleware", "actor_context", "get_actor", "permission_names"]

ORG_SESSION_KEY = "pinpoint_org"


@dataclass(frozen=True)
class Actor:
    """A user acting in one organization with one role."""

    user: User
    organization: Organization
    role: str
    memberships: tuple[Membership, ...] = ()

    def can(self, perm: Perm) -> bool:
        """True when the role holds ``perm`` (the permission map decides)."""
        return allowed(self.role, perm)

    def require(self, perm: Perm) -> None:
        """Raise ``PermissionDenied`` unless the role holds ``perm``."""
        require(self.role, perm)

    @property
    def setting(self) -> Setting:
        """Where this organization treats: a personal space at home, a clinic in the clinic."""
        return "home" if self.organization.is_personal else "clinic"

    @property
    def org_id(self) -> int:
        """The organization's primary key."""
        return int(self.organization.pk)

    def today(self) -> dt.date:
        """Today's date in the organization's time zone (the web's only reading of the clock)."""
        return timezone.localdate(timezone.now(), _zone(self.organization.time_zone))


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


MEMBERSHIPS_ATTR = "_pinpoint_memberships"
"""Where the authentication backend leaves the memberships it read with the user."""


def get_actor(request: HttpRequest) -> Actor | None:
    """The actor of ``request``: ``None`` for an anonymous user or one without any organization."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = getattr(user, MEMBERSHIPS_ATTR, None)  # read with the user (accounts.backends)
    if memberships is None:
        membership = apps.get_model("accounts", "Membership")  # base sits below accounts: looked up by label
        memberships = tuple(membership.objects.filter(user=user).select_related("organization").order_by("pk"))
    if not memberships:
        return None
    wanted = request.session.get(ORG_SESSION_KEY)
    chosen = next((m for m in memberships if m.organization_id == wanted), memberships[0])
    return Actor(user=user, organization=chosen.organization, role=chosen.role, memberships=memberships)


class TenancyMiddleware:
    """Sets ``request.actor`` and activates the organization's time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor = get_actor(request)
        request.actor = actor  # type: ignore[attr-defined]
        if actor is not None:
            timezone.activate(_zone(actor.organization.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def permission_names(actor: Actor | None) -> dict[str, bool]:
    """Each permission's name and whether ``actor`` holds it (the templates' ``can``; none without an actor)."""
    return {p.name: (actor is not None and actor.can(p)) for p in Perm}


def actor_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: ``actor`` and the permission names it holds (for showing buttons)."""
    actor: Actor | None = getattr(request, "actor", None)
    perms = permission_names(actor)
    self_pk = None
    if actor is not None and actor.organization.is_personal:
        client = apps.get_model("clients", "Client")  # base sits below clients: looked up by label
        self_pk = (
            client.objects.filter(organization=actor.organization, is_self=True).values_list("pk", flat=True).first()
        )
    return {"actor": actor, "can": perms, "self_client_pk": self_pk}
