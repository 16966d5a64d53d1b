"""Portal writes: sending and using sign-in links, what the client submits, the practitioner's review."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from pinpoint.core.errors import InputError
from pinpoint.web.accounts.models import Organization
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.actions import record_questionnaire
from pinpoint.web.clients.models import Client
from pinpoint.web.consents.actions import sign_consent
from pinpoint.web.portal.models import ProblemReport, SignInLink, Submission
from pinpoint.web.treatments.models import Session

__all__ = [
    "accept",
    "digest",
    "link_minutes",
    "report_problem",
    "send_link",
    "send_links_to",
    "submit",
    "use_link",
]

MAX_PROBLEM_CHARS = 4000


def link_minutes() -> int:
    """Minutes a sign-in link works (setting ``PINPOINT_PORTAL_LINK_MINUTES``, default 30)."""
    return int(getattr(settings, "PINPOINT_PORTAL_LINK_MINUTES", 30))


def digest(token: str) -> str:
    """The stored form of a sign-in token."""
    return hashlib.sha256(token.encode()).hexdigest()


def send_link(client: Client, link_for: Callable[[str], str]) -> SignInLink:
    """Email ``client`` a single-use sign-in link that works for :func:`link_minutes` minutes."""
    if not client.email:
        raise InputError("email", f"{client.full_name} has no email address: add one first")
    token = secrets.token_urlsafe(32)
    row = SignInLink.objects.create(
        organization_id=client.organization_id,
        client=client,
        token_sha256=digest(token),
        expires_at=timezone.now() + dt.timedelta(minutes=link_minutes()),
    )
    org = Organization.objects.get(pk=client.organization_id)
    send_mail(
        f"Your link to {org.name}",
        f"Hello {client.full_name},\n\nOpen this link to see your appointments, your treatment plan and your "
        f"aftercare, and to fill in your forms before your visit:\n\n{link_for(token)}\n\n"
        f"It works once, within {link_minutes()} minutes. If you did not ask for it, ignore this email.\n\n"
        f"{org.name}\n",
        None,
        [client.email],
    )
    return row


def send_links_to(email: str, link_for: Callable[[str], str]) -> int:
    """Send a link to every clinic client with ``email`` (the page says the same whether or not any exists)."""
    clients = Client.objects.filter(
        email__iexact=email.strip(), organization__kind=Organization.Kind.CLINIC, is_self=False
    ).exclude(email="")
    sent = [send_link(c, link_for) for c in clients]
    return len(sent)


def use_link(token: str, now: dt.datetime) -> Client | None:
    """Use a sign-in link once: its client, or ``None`` when it is unknown, used or expired."""
    with transaction.atomic():
        taken = SignInLink.objects.filter(token_sha256=digest(token), used_at__isnull=True, expires_at__gt=now)
        row = taken.select_for_update().first()
        if row is None or taken.filter(pk=row.pk).update(used_at=now) != 1:
            return None
        return Client.objects.get(pk=row.client_id)


def submit(client: Client, kind: str, data: dict[str, Any]) -> Submission:
    """Keep what the client filled in for review (replacing an earlier pending one of that kind)."""
    with transaction.atomic():
        Submission.objects.filter(client=client, kind=kind, reviewed_at__isnull=True).delete()
        return Submission.objects.create(organization_id=client.organization_id, client=client, kind=kind, data=data)


def report_problem(client: Client, text: str, session: Session | None) -> ProblemReport:
    """Store a problem the client reports (after a session) for the clinic to review."""
    text = text.strip()
    if not text:
        raise InputError("text", "tell us what happened")
    if len(text) > MAX_PROBLEM_CHARS:
        raise InputError("text", f"at most {MAX_PROBLEM_CHARS} characters, please; call the clinic for more")
    if session is not None and session.client_id != client.pk:
        raise InputError("session", "choose one of your sessions")
    return ProblemReport.objects.create(
        organization_id=client.organization_id, client=client, session=session, text=text
    )


def accept(actor: Actor, submission: Submission, today: dt.date) -> int:
    """The practitioner accepts a submission at check-in: it becomes the client's questionnaire or consent.

    Returns the id of the record made. Core's checks run as if it had been typed at the desk.
    """
    with transaction.atomic():
        s = Submission.objects.select_for_update().get(pk=submission.pk, organization=actor.organization)
        if s.reviewed_at is not None:
            raise InputError("submission", "this was reviewed already")
        client = Client.objects.get(pk=s.client_id, organization=actor.organization)
        if s.kind == Submission.Kind.QUESTIONNAIRE:
            actor.require(Perm.QUESTIONNAIRE_RECORD)
            made = record_questionnaire(actor, client, s.data["answers"], today).pk
        else:
            actor.require(Perm.CONSENT_RECORD)
            made = sign_consent(
                actor,
                client,
                s.data["treatment"],
                signed_name=s.data["signed_name"],
                signer="client",
                photo_clinical=bool(s.data["photo_clinical"]),
                photo_marketing=bool(s.data["photo_marketing"]),
                now=dt.datetime.fromisoformat(s.data["signed_at"]),
            ).pk
        s.reviewed_at, s.reviewed_by, s.record_id = timezone.now(), actor.user, made
        s.save(update_fields=["reviewed_at", "reviewed_by", "record_id"])
        return int(made)
