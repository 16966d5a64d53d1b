"""Writing the audit trail; called by every other app's actions inside their transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction

from pinpoint.web.audit.events import Event
from pinpoint.web.audit.models import AuditEvent, RecordView, SealBatch

if TYPE_CHECKING:
    from pinpoint.web.base.tenancy import Actor

__all__ = ["Event", "record_event", "record_view"]


def record_event(
    actor: Actor,
    action: str,
    target: models.Model,
    *,
    client: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    seals: SealBatch | None = None,
) -> AuditEvent:
    """Log ``action`` (an :class:`Event`) by ``actor`` on ``target`` (call inside the action's transaction).

    An action name outside :class:`Event` is refused (``ValueError``). With ``seals``, the event
    is sealed when that batch is flushed, together with the records it describes.
    """
    event = AuditEvent(
        organization=actor.organization,
        actor=actor.user,
        action=Event(action).value,
        target_type=target._meta.label_lower,
        target_id=target.pk,
        client_id=client.pk if client is not None else None,
        detail=detail or {},
    )
    event.save(force_insert=True, seals=seals)
    return event


def record_view(actor: Actor, client: models.Model, what: str, object_id: int | None = None) -> RecordView:
    """Log that ``actor`` viewed ``what`` of ``client``'s record, sealed in the organization's chain.

    Outside any transaction (a page's own view row), on PostgreSQL the row and its seal are
    committed without waiting for the write-ahead log to reach the disk
    (``synchronous_commit = off`` for this one transaction; ADR 0013) unless
    ``PINPOINT_VIEW_LOG_DURABLE`` asks otherwise: a crash of the database server may lose the
    views of its last fraction of a second, never a part of one, and never a record written
    after it (the next durable commit flushes the log up to itself). Inside a transaction
    the row is written in it, as that transaction commits.
    """
    fields = {"organization": actor.organization, "user": actor.user, "client_id": client.pk, "what": what}
    if connection.in_atomic_block or connection.vendor != "postgresql" or settings.PINPOINT_VIEW_LOG_DURABLE:
        return RecordView.objects.create(**fields, object_id=object_id)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return RecordView.objects.create(**fields, object_id=object_id)
