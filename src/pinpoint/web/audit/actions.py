"""Writing the audit trail; called by every other app's actions inside their transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

from pinpoint.web.audit.models import AuditEvent, RecordView

if TYPE_CHECKING:
    from pinpoint.web.base.tenancy import Actor
    from pinpoint.web.clients.models import Client

__all__ = ["record_event", "record_view"]


def record_event(
    actor: Actor,
    action: str,
    target: models.Model,
    *,
    client: Client | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Log ``action`` by ``actor`` on ``target`` (call inside the action's transaction)."""
    return AuditEvent.objects.create(
        organization=actor.organization,
        actor=actor.user,
        action=action,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        client=client,
        detail=detail or {},
    )


def record_view(actor: Actor, client: Client, what: str, object_id: int | None = None) -> RecordView:
    """Log that ``actor`` viewed ``what`` of ``client``'s record."""
    return RecordView.objects.create(
        organization=actor.organization, user=actor.user, client=client, what=what, object_id=object_id
    )
