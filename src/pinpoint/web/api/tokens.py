"""Creating, revoking and checking personal API tokens.

A token is ``pp_`` followed by 43 URL-safe characters (32 random bytes). Only its SHA-256 digest
is stored (a random 256-bit secret needs no slow hash), with its first 12 characters as the
prefix used to find it and to name it on the settings page. The token text is returned once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from pinpoint.core.errors import InputError
from pinpoint.web.accounts.models import Membership, Organization, User
from pinpoint.web.api.models import ApiToken
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.base.tenancy import Actor

__all__ = [
    "DEFAULT_DAYS",
    "MAX_DAYS",
    "PREFIX_LENGTH",
    "NewToken",
    "actor_for_token",
    "create_token",
    "revoke_token",
    "user_tokens",
]

TOKEN_START = "pp_"  # noqa: S105 - the public start of every token, not a secret
PREFIX_LENGTH = 12
DEFAULT_DAYS = 90
"""Days a token lasts unless its owner says otherwise (a security default, not a clinical number)."""
MAX_DAYS = 366
"""The longest a token may last: a year, so that forgotten tokens lapse."""


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``text`` is shown once and never stored."""

    token: ApiToken
    text: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def create_token(
    user: User, organization: Organization, *, name: str, scope: str, days: int, now: dt.datetime | None = None
) -> NewToken:
    """Create a token for ``user``'s membership of ``organization``, valid for ``days`` days."""
    if scope not in ApiToken.Scope.values:
        raise InputError("scope", f"scope must be read or write, got {scope!r}")
    if not 1 <= days <= MAX_DAYS:
        raise InputError("days", f"a token lasts 1 to {MAX_DAYS} days, got {days}")
    label = name.strip() or "API token"
    if len(label) > 100:
        raise InputError("name", "a token's name is at most 100 characters")
    if not Membership.objects.filter(user=user, organization=organization).exists():
        raise InputError("organization", f"{user.email} is not a member of {organization.name}")
    now = now or timezone.now()
    text = TOKEN_START + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            organization=organization,
            name=label,
            prefix=text[:PREFIX_LENGTH],
            token_sha256=_digest(text),
            scope=scope,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        actor = _membership_actor(user, organization)
        if actor is not None:
            record_event(actor, Event.API_TOKEN_CREATE, token, detail={"scope": scope, "days": days})
    return NewToken(token=token, text=text)


def user_tokens(user: User, organization: Organization) -> list[ApiToken]:
    """The user's tokens in ``organization``, newest first (revoked and expired ones included)."""
    return list(ApiToken.objects.filter(user=user, organization=organization))


def revoke_token(user: User, organization: Organization, pk: int, now: dt.datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens; another person's token is not found."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, organization=organization, pk=pk).first()
        if token is None:
            raise InputError("token", "no such token of yours")
        if token.revoked_at is None:
            token.revoked_at = now or timezone.now()
            token.save(update_fields=["revoked_at"])
            actor = _membership_actor(user, organization)
            if actor is not None:
                record_event(actor, Event.API_TOKEN_REVOKE, token)
        return token


def _membership_actor(user: User, organization: Organization) -> Actor | None:
    m = Membership.objects.filter(user=user, organization=organization).select_related("organization").first()
    return None if m is None else Actor(user=user, organization=m.organization, role=m.role)


def actor_for_token(text: str, now: dt.datetime | None = None) -> tuple[Actor, ApiToken] | None:
    """The actor a bearer token acts as, with the token; ``None`` when unknown, revoked, expired or orphaned."""
    if not text.startswith(TOKEN_START) or len(text) > 100:
        return None
    now = now or timezone.now()
    digest = _digest(text)
    candidates = ApiToken.objects.filter(prefix=text[:PREFIX_LENGTH]).select_related("user", "organization")
    token = next((t for t in candidates if hmac.compare_digest(t.token_sha256, digest)), None)
    if token is None or not token.is_active(now) or not token.user.is_active:
        return None
    actor = _membership_actor(token.user, token.organization)
    if actor is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return actor, token
