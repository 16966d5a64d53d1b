"""Adding consent template versions, signing consents, recording withdrawals."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import Max

from pinpoint.core.errors import InputError
from pinpoint.web.accounts.models import Organization
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.base.idempotency import once
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client
from pinpoint.web.consents.models import TREATMENTS, Consent, ConsentTemplate

__all__ = ["add_template_version", "sign_consent", "withdraw_consent"]

_TREATMENT_IDS = {t for t, _ in TREATMENTS}


def _check_treatment(treatment: str) -> None:
    if treatment not in _TREATMENT_IDS:
        raise InputError("treatment", f"unknown treatment {treatment!r}; choose {' or '.join(sorted(_TREATMENT_IDS))}")


def add_template_version(
    actor: Actor, treatment: str, title: str, body: str, *, key: uuid.UUID | None = None
) -> ConsentTemplate:
    """Add the next version of the consent template for ``treatment``; earlier versions stay as they were."""
    actor.require(Perm.SETTINGS_MANAGE)
    _check_treatment(treatment)
    if not body.strip():
        raise InputError("body", "the consent text is empty")

    def create() -> ConsentTemplate:
        Organization.objects.select_for_update().get(pk=actor.org_id)  # one new version at a time
        latest = ConsentTemplate.objects.filter(organization=actor.organization, treatment=treatment).aggregate(
            v=Max("version")
        )["v"]
        tpl = ConsentTemplate.objects.create(
            organization=actor.organization,
            treatment=treatment,
            version=(latest or 0) + 1,
            title=title.strip(),
            body=body.strip(),
            created_by=actor.user,
        )
        record_event(actor, Event.CONSENT_TEMPLATE_ADD, tpl, detail={"treatment": treatment, "version": tpl.version})
        return tpl

    with transaction.atomic():
        scope = ConsentTemplate.objects.filter(organization=actor.organization)
        return once(actor.user, key, Event.CONSENT_TEMPLATE_ADD, scope, create)


def sign_consent(  # noqa: PLR0913 - the consent form's fields
    actor: Actor,
    client: Client,
    treatment: str,
    *,
    signed_name: str,
    signer: str,
    photo_clinical: bool,
    photo_marketing: bool,
    now: dt.datetime,
    key: uuid.UUID | None = None,
) -> Consent:
    """Record the client's consent to the current template version, freezing its text."""
    actor.require(Perm.CONSENT_RECORD)
    _check_treatment(treatment)
    if not signed_name.strip():
        raise InputError("signed_name", "type the signer's full name")
    if signer not in Consent.Signer.values:
        raise InputError("signer", f"unknown signer {signer!r}")
    template = (
        ConsentTemplate.objects.filter(organization=actor.organization, treatment=treatment)
        .order_by("-version")
        .first()
    )
    if template is None:
        raise InputError("treatment", f"there is no consent template for {treatment} yet; an owner adds it in settings")

    def create() -> Consent:
        consent = Consent.objects.create(
            organization=actor.organization,
            client=client,
            template=template,
            treatment=treatment,
            template_version=template.version,
            title=template.title,
            text=template.body,
            signed_name=signed_name.strip(),
            signer=signer,
            signed_at=now,
            recorded_by=actor.user,
            photo_clinical=photo_clinical,
            photo_marketing=photo_marketing,
        )
        record_event(
            actor,
            Event.CONSENT_SIGN,
            consent,
            client=client,
            detail={
                "treatment": treatment,
                "version": template.version,
                "photo_clinical": photo_clinical,
                "photo_marketing": photo_marketing,
            },
        )
        return consent

    with transaction.atomic():
        scope = Consent.objects.filter(organization=actor.organization, client=client)
        return once(actor.user, key, Event.CONSENT_SIGN, scope, create)


def withdraw_consent(actor: Actor, consent: Consent, reason: str, now: dt.datetime) -> Consent:
    """Record that the client withdrew this consent; the consent itself stays."""
    actor.require(Perm.CONSENT_WITHDRAW)
    if not reason.strip():
        raise InputError("reason", "give the reason or the client's words")
    with transaction.atomic():
        c = Consent.objects.select_for_update().get(pk=consent.pk, organization=actor.organization)
        if c.withdrawn_at is not None:
            return c
        c.withdrawn_at = now
        c.withdrawn_by = actor.user
        c.withdrawal_reason = reason.strip()
        c.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])
        record_event(actor, Event.CONSENT_WITHDRAW, c, client=c.client, detail={"reason": c.withdrawal_reason})
        return c
