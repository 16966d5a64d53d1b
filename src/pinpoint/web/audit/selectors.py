"""Reading the audit trail: owners only (a client's change history, which reads every app, is in ``records``)."""

from __future__ import annotations

from typing import Any

from pinpoint.web.audit.models import AuditEvent, RecordView
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor

__all__ = ["recent"]

LIMIT = 200


def recent(actor: Actor) -> dict[str, Any]:
    """The latest events and record views of the organization."""
    actor.require(Perm.AUDIT_VIEW)
    org = actor.organization
    events = AuditEvent.objects.filter(organization=org).select_related("actor", "client").order_by("-at", "-pk")
    views = RecordView.objects.filter(organization=org).select_related("user", "client").order_by("-at", "-pk")
    return {"events": list(events[:LIMIT]), "views": list(views[:LIMIT])}

