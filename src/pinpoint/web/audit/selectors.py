"""Reading the audit trail: owners only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pinpoint.web.audit.models import AuditEvent, RecordView
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor

if TYPE_CHECKING:
    from pinpoint.web.clients.models import Client

__all__ = ["client_history", "recent"]

LIMIT = 200


def recent(actor: Actor) -> dict[str, Any]:
    """The latest events and record views of the organization."""
    actor.require(Perm.AUDIT_VIEW)
    org = actor.organization
    events = AuditEvent.objects.filter(organization=org).select_related("actor", "client").order_by("-at", "-pk")
    views = RecordView.objects.filter(organization=org).select_related("user", "client").order_by("-at", "-pk")
    return {"events": list(events[:LIMIT]), "views": list(views[:LIMIT])}


def client_history(actor: Actor, client: Client) -> dict[str, Any]:
    """Field-level change history of every clinical record of ``client``, its events and its record views."""
    from pinpoint.web.clients.models import Questionnaire  # noqa: PLC0415 - those apps import audit.actions
    from pinpoint.web.consents.models import Consent  # noqa: PLC0415 - (same)
    from pinpoint.web.treatments.models import Addendum, Course, Session, ZoneRecord  # noqa: PLC0415 - (same)

    actor.require(Perm.AUDIT_VIEW)
    org = actor.organization
    histories = [
        ("client", client.history.all()),
        ("questionnaire", Questionnaire.history.filter(organization=org, client=client)),
        ("consent", Consent.history.filter(organization=org, client=client)),
        ("course", Course.history.filter(organization=org, client=client)),
        ("session", Session.history.filter(organization=org, client=client)),
        ("zone record", ZoneRecord.history.filter(organization=org, session__client=client)),
        ("addendum", Addendum.history.filter(organization=org, session__client=client)),
    ]
    changes = []
    for label, qs in histories:
        for rec in qs.select_related("history_user").order_by("-history_date")[:LIMIT]:
            changes.append((rec.history_date, label, rec))
    changes.sort(key=lambda c: c[0], reverse=True)
    events = AuditEvent.objects.filter(organization=org, client=client).select_related("actor").order_by("-at", "-pk")
    views = RecordView.objects.filter(organization=org, client=client).select_related("user").order_by("-at", "-pk")
    return {"changes": changes[:LIMIT], "events": list(events[:LIMIT]), "views": list(views[:LIMIT])}
