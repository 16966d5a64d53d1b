"""Send what is due, each reminder once: claim its row, then email it with an ``.ics`` attachment."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from pinpoint.web.reminders.ics import to_ics
from pinpoint.web.reminders.models import CalendarFeed, Sending
from pinpoint.web.reminders.selectors import Due, claimed, collect, zone_of

__all__ = ["create_feed", "feed_digest", "revoke_feeds", "run"]


def _row(d: Due, status: str) -> dict[str, Any]:
    r = d.reminder
    return {
        "key": r.key,
        "kind": r.kind.value,
        "due_on": r.due_on.isoformat(),
        "to": d.recipient,
        "name": d.name,
        "organization": d.organization.name,
        "subject": r.subject,
        "status": status,
    }


def _claim(d: Due) -> Sending | None:
    """Insert the reminder's row; ``None`` when another run (or an earlier one) holds it already."""
    try:
        with transaction.atomic():
            return Sending.objects.create(
                organization=d.organization,
                key=d.reminder.key,
                due_on=d.reminder.due_on,
                kind=d.reminder.kind.value,
                recipient=d.recipient,
                subject=d.reminder.subject[:200],
            )
    except IntegrityError:
        return None


def _send(d: Due) -> None:
    zone = zone_of(d.organization)
    message = EmailMessage(
        subject=d.reminder.subject,
        body=f"Hello {d.name},\n\n{d.reminder.body}\n\n{d.organization.name}\n",
        to=[d.recipient],
    )
    ics = to_ics([d.reminder], zone, d.organization.name, method="PUBLISH")
    message.attach("reminder.ics", ics, "text/calendar; charset=utf-8; method=PUBLISH")
    message.send(fail_silently=False)


def run(on: dt.date, *, dry_run: bool = False) -> list[dict[str, Any]]:
    """Send every reminder due on ``on`` not sent before; return one row per reminder with its status.

    Statuses: ``sent``; ``already`` (claimed earlier, by this or another run); ``would send``
    (``dry_run``); ``failed: ...`` (the mail server refused it; it is not retried).
    """
    items = collect(on)
    if dry_run:
        taken = claimed(items)
        return [_row(d, "already" if (d.reminder.key, d.reminder.due_on) in taken else "would send") for d in items]
    out = []
    for d in items:
        row = _claim(d)
        if row is None:
            out.append(_row(d, "already"))
            continue
        try:
            _send(d)
        except (OSError, ValueError) as exc:
            row.error = f"{type(exc).__name__}: {exc}"[:300]
            row.save(update_fields=["error"])
            out.append(_row(d, f"failed: {row.error}"))
        else:
            row.sent_at = timezone.now()
            row.save(update_fields=["sent_at"])
            out.append(_row(d, "sent"))
    return out


def feed_digest(token: str) -> str:
    """The stored form of a feed token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_feed(user: Any, organization: Any) -> str:
    """A new private calendar address token for ``user`` (earlier ones are revoked); shown once."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        revoke_feeds(user)
        CalendarFeed.objects.create(user=user, organization=organization, token_sha256=feed_digest(token))
    return token


def revoke_feeds(user: Any) -> int:
    """Revoke every calendar address of ``user``; returns how many were open."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
