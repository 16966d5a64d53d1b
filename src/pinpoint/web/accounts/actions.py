"""Every change to users, organizations, memberships and invitations."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import smtplib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from pinpoint.core.errors import InputError
from pinpoint.evidence.loader import load_evidence
from pinpoint.web.accounts.models import Invitation, Membership, Organization, User
from pinpoint.web.accounts.signals import organization_created
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.base.idempotency import once
from pinpoint.web.base.permissions import Perm, Role
from pinpoint.web.base.tenancy import Actor

__all__ = [
    "OrganizationData",
    "accept_invitation",
    "change_role",
    "create_organization",
    "invite",
    "open_signup_link",
    "remove_member",
    "request_signup",
    "revoke_invitation",
    "set_policy_overrides",
    "sign_up",
    "token_hash",
    "update_organization",
]


@dataclass(frozen=True)
class OrganizationData:
    """A new organization: a clinic, or a personal space for one person treating themselves."""

    name: str
    kind: str
    time_zone: str = "UTC"
    birth_date: dt.date | None = None


def token_hash(token: str) -> str:
    """Invitation tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_user(email: str, password: str, full_name: str) -> User:
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password, full_name=full_name.strip())
    except IntegrityError:
        raise InputError("email", "an account with this email already exists; sign in instead") from None


def create_organization(user: User, data: OrganizationData, *, key: uuid.UUID | None = None) -> Organization:
    """Create an organization owned by ``user``; a personal space also gets its one client, the user.

    ``clients`` adds that client when :data:`~pinpoint.web.accounts.signals.organization_created` is sent.
    """
    if data.kind not in Organization.Kind.values:
        raise InputError("kind", f"kind must be clinic or personal, got {data.kind!r}")
    if data.time_zone not in settings.TIME_ZONES:
        raise InputError("time_zone", f"unknown time zone {data.time_zone!r}")

    def create() -> Organization:
        org = Organization.objects.create(name=data.name.strip(), kind=data.kind, time_zone=data.time_zone)
        Membership.objects.create(organization=org, user=user, role=Role.OWNER)
        actor = Actor(user=user, organization=org, role=Role.OWNER)
        record_event(actor, Event.ORGANIZATION_CREATE, org, detail={"kind": data.kind})
        organization_created.send(Organization, actor=actor, organization=org, birth_date=data.birth_date)
        return org

    with transaction.atomic():
        return once(user, key, Event.ORGANIZATION_CREATE, Organization.objects.filter(memberships__user=user), create)


SIGNUP_SALT = "pinpoint.accounts.signup"


@dataclass(frozen=True)
class SignupClaim:
    """What a sign-up link proves: whoever opened it reads the mail of ``email``."""

    email: str
    kind: str


def request_signup(email: str, kind: str, *, link_for: Callable[[str], str], sign_in_url: str) -> None:
    """Mail ``email`` a link to create the account, or, when it already has one, a reminder to sign in.

    The caller answers the same either way, so the sign-up page never tells whether an address has an
    account; only the owner of the mailbox learns it. ``link_for`` turns a token into the link's URL.
    """
    email = email.strip().lower()
    kind = kind if kind in Organization.Kind.values else Organization.Kind.PERSONAL
    context = {"email": email, "days": settings.SIGNUP_LINK_DAYS, "sign_in_url": sign_in_url}
    if User.objects.filter(email__iexact=email).exists():
        subject, template = "You already have a Pinpoint account", "accounts/email/signup_exists.txt"
    else:
        token = signing.dumps({"email": email, "kind": kind}, salt=SIGNUP_SALT, compress=True)
        subject, template = "Create your Pinpoint account", "accounts/email/signup_link.txt"
        context["link"] = link_for(token)
    try:
        send_mail(subject, render_to_string(template, context).strip() + "\n", None, [email])
    except (OSError, smtplib.SMTPException):
        raise InputError("email", "the email could not be sent just now; try again in a few minutes") from None


def open_signup_link(token: str) -> SignupClaim | None:
    """The claim of a sign-up link made in the last ``SIGNUP_LINK_DAYS`` days; ``None`` if forged, damaged or old."""
    try:
        claim = signing.loads(token, salt=SIGNUP_SALT, max_age=dt.timedelta(days=settings.SIGNUP_LINK_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(claim, dict) or not isinstance(claim.get("email"), str):
        return None
    kind = claim.get("kind")
    return SignupClaim(claim["email"], kind if kind in Organization.Kind.values else Organization.Kind.PERSONAL)


def sign_up(email: str, password: str, full_name: str, data: OrganizationData) -> tuple[User, Organization]:
    """A new user with a new organization they own (one transaction: both or neither)."""
    with transaction.atomic():
        user = _new_user(email, password, full_name)
        return user, create_organization(user, data)


def invite(actor: Actor, email: str, role: str, now: dt.datetime) -> tuple[Invitation, str]:
    """Invite ``email`` to the actor's clinic with ``role``; returns the invitation and its one-time token."""
    actor.require(Perm.MEMBERS_MANAGE)
    if actor.organization.is_personal:
        raise InputError("email", "a personal space has one user; create a clinic to work with others")
    if role not in {r.value for r in Role}:
        raise InputError("role", f"unknown role {role!r}")
    email = email.strip().lower()
    if Membership.objects.filter(organization=actor.organization, user__email=email).exists():
        raise InputError("email", f"{email} is already a member")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        open_ones = Invitation.objects.select_for_update().filter(
            organization=actor.organization, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        )
        for old in open_ones:
            old.revoked_at = now
            old.save(update_fields=["revoked_at"])
        inv = Invitation.objects.create(
            organization=actor.organization,
            email=email,
            role=role,
            token_sha256=token_hash(token),
            invited_by=actor.user,
            created_at=now,
            expires_at=now + dt.timedelta(days=settings.INVITATION_DAYS),
        )
        record_event(actor, Event.INVITATION_CREATE, inv, detail={"email": email, "role": role})
    return inv, token


def revoke_invitation(actor: Actor, invitation: Invitation, now: dt.datetime) -> None:
    """Withdraw an open invitation."""
    actor.require(Perm.MEMBERS_MANAGE)
    with transaction.atomic():
        inv = Invitation.objects.select_for_update().get(pk=invitation.pk, organization=actor.organization)
        if inv.accepted_at is None and inv.revoked_at is None:
            inv.revoked_at = now
            inv.save(update_fields=["revoked_at"])
            record_event(actor, Event.INVITATION_REVOKE, inv, detail={"email": inv.email})


def open_invitation(token: str, now: dt.datetime) -> Invitation | None:
    """The open invitation with ``token``, or ``None`` (unknown, used, revoked or expired alike)."""
    inv = Invitation.objects.select_related("organization").filter(token_sha256=token_hash(token)).first()
    return inv if inv is not None and inv.is_open(now) else None


def accept_invitation(
    token: str, now: dt.datetime, *, user: User | None = None, password: str = "", full_name: str = ""
) -> Membership:
    """Join the inviting organization: as the signed-in ``user``, or as a new account for the invited email."""
    with transaction.atomic():
        inv = Invitation.objects.select_for_update().filter(token_sha256=token_hash(token)).first()
        if inv is None or not inv.is_open(now):
            raise InputError("token", "this invitation is not valid any more; ask for a new one")
        if user is None:
            user = _new_user(inv.email, password, full_name)
        elif user.email.lower() != inv.email:
            raise InputError("token", f"this invitation is for {inv.email}; sign in with that address")
        membership, _ = Membership.objects.get_or_create(
            organization=inv.organization, user=user, defaults={"role": inv.role}
        )
        inv.accepted_at = now
        inv.accepted_by = user
        inv.save(update_fields=["accepted_at", "accepted_by"])
        actor = Actor(user=user, organization=inv.organization, role=membership.role)
        record_event(actor, Event.INVITATION_ACCEPT, inv, detail={"role": membership.role})
        return membership


def _owners_left(org: Organization, without: Membership) -> int:
    return Membership.objects.filter(organization=org, role=Role.OWNER).exclude(pk=without.pk).count()


def change_role(actor: Actor, membership: Membership, role: str) -> Membership:
    """Give a member another role; an organization always keeps an owner."""
    actor.require(Perm.MEMBERS_MANAGE)
    if role not in {r.value for r in Role}:
        raise InputError("role", f"unknown role {role!r}")
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk, organization=actor.organization)
        if m.role == Role.OWNER and role != Role.OWNER and _owners_left(actor.organization, m) == 0:
            raise InputError("role", "the organization needs at least one owner")
        before = m.role
        m.role = role
        m.save(update_fields=["role"])
        record_event(actor, Event.MEMBERSHIP_ROLE, m, detail={"from": before, "to": role, "user": m.user.email})
        return m


def remove_member(actor: Actor, membership: Membership) -> None:
    """Remove a member (their past records keep their name); the last owner stays."""
    actor.require(Perm.MEMBERS_MANAGE)
    with transaction.atomic():
        m = Membership.objects.select_for_update().get(pk=membership.pk, organization=actor.organization)
        if m.role == Role.OWNER and _owners_left(actor.organization, m) == 0:
            raise InputError("role", "the organization needs at least one owner")
        record_event(actor, Event.MEMBERSHIP_REMOVE, m, detail={"user": m.user.email, "role": m.role})
        m.delete()


def update_organization(actor: Actor, name: str, time_zone: str) -> Organization:
    """Rename the organization or change its time zone."""
    actor.require(Perm.SETTINGS_MANAGE)
    if time_zone not in settings.TIME_ZONES:
        raise InputError("time_zone", f"unknown time zone {time_zone!r}")
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=actor.org_id)
        org.name = name.strip()
        org.time_zone = time_zone
        org.save(update_fields=["name", "time_zone"])
        record_event(actor, Event.ORGANIZATION_UPDATE, org, detail={"name": org.name, "time_zone": time_zone})
        return org


def set_policy_overrides(actor: Actor, overrides: dict[str, Any]) -> Organization:
    """Replace the organization's policy overrides; the evidence base checks keys and bounds (PolicyError)."""
    actor.require(Perm.SETTINGS_MANAGE)
    load_evidence().with_policy(overrides)
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=actor.org_id)
        before = dict(org.policy_overrides or {})
        org.policy_overrides = overrides
        org.save(update_fields=["policy_overrides"])
        record_event(actor, Event.ORGANIZATION_POLICY, org, detail={"from": before, "to": overrides})
        return org
