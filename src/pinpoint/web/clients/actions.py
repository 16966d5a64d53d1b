"""Every change to clients and questionnaires: one transaction, permission checked, audit written."""

from __future__ import annotations

import datetime as dt
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone

from pinpoint.core.answers import parse_answers
from pinpoint.core.dates import check_birth_date
from pinpoint.core.errors import InputError
from pinpoint.core.records import check_questionnaire_date
from pinpoint.web.audit.actions import Event, record_event
from pinpoint.web.base.errors import ConflictError
from pinpoint.web.base.evidence import evidence_for
from pinpoint.web.base.idempotency import once
from pinpoint.web.base.permissions import Perm
from pinpoint.web.base.tenancy import Actor
from pinpoint.web.clients.models import Client, Questionnaire

__all__ = [
    "ClientData",
    "DuplicateClientError",
    "create_client",
    "duplicate_of",
    "record_questionnaire",
    "update_client",
]


@dataclass(frozen=True)
class ClientData:
    """What a client form collects."""

    full_name: str
    birth_date: dt.date | None = None
    email: str = ""
    phone: str = ""
    notes: str = ""


class DuplicateClientError(ConflictError):
    """A client with the same name and birth date is already registered: ``existing`` is that client.

    ``field`` names the input that saves anyway (``confirm_new``), as core's errors name theirs.
    """

    field = "confirm_new"

    def __init__(self, existing: Client) -> None:
        born = f", born {dateformat.format(existing.birth_date, 'j F Y')}," if existing.birth_date else ""
        self.message = (
            f"{existing.full_name}{born} already exists: open their record, or confirm that this is a different "
            "person to save anyway"
        )
        super().__init__(self.message, url=reverse("clients:detail", args=[existing.pk]))
        self.existing = existing


def _name_key(name: str) -> str:
    """A name as compared for duplicates: Unicode-normalised, without case or spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


def duplicate_of(actor: Actor, data: ClientData) -> Client | None:
    """The first client of the organization with the same name (case and spaces aside) and birth date."""
    key = _name_key(data.full_name)
    same_day = Client.objects.filter(organization=actor.organization, birth_date=data.birth_date).order_by("pk")
    for pk, name in same_day.values_list("pk", "full_name").iterator():
        if _name_key(name) == key:
            return Client.objects.get(pk=pk)
    return None


def _check_email_free(actor: Actor, email: str, exclude: int | None = None) -> None:
    if not email:
        return
    taken = Client.objects.filter(organization=actor.organization, email=email.lower())
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise InputError("email", f"another client of this organization already has the email {email}")


def _check_birth_date(actor: Actor, data: ClientData) -> None:
    if data.birth_date is not None:
        check_birth_date("birth_date", data.birth_date, actor.today(), label="date of birth")


def create_client(
    actor: Actor,
    data: ClientData,
    *,
    key: uuid.UUID | None = None,
    is_self: bool = False,
    confirm_new: bool = False,
) -> Client:
    """Register a client in the actor's organization.

    A client with the same name and birth date (:func:`duplicate_of`) raises
    :class:`DuplicateClientError` unless ``confirm_new`` says this is a different person (the
    audit event then names the client it was told apart from). A repeated submission of the same
    ``key`` returns the client it created, without a warning (ADR 0004).
    """
    actor.require(Perm.CLIENT_EDIT)
    _check_birth_date(actor, data)

    def create() -> Client:
        _check_email_free(actor, data.email)
        same = None if is_self else duplicate_of(actor, data)
        if same is not None and not confirm_new:
            raise DuplicateClientError(same)
        client = Client.objects.create(
            organization=actor.organization,
            full_name=data.full_name.strip(),
            birth_date=data.birth_date,
            email=data.email.lower(),
            phone=data.phone.strip(),
            notes=data.notes,
            is_self=is_self,
            created_by=actor.user,
        )
        detail = {"different_from": same.pk} if same is not None else None
        record_event(actor, Event.CLIENT_CREATE, client, client=client, detail=detail)
        return client

    with transaction.atomic():
        scope = Client.objects.filter(organization=actor.organization)
        return once(actor.user, key, Event.CLIENT_CREATE, scope, create)


def update_client(actor: Actor, client: Client, data: ClientData) -> Client:
    """Change a client's details (the history keeps every earlier version)."""
    actor.require(Perm.CLIENT_EDIT)
    _check_birth_date(actor, data)
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk, organization=actor.organization)
        _check_email_free(actor, data.email, exclude=locked.pk)
        before = {f: getattr(locked, f) for f in ("full_name", "birth_date", "email", "phone", "notes")}
        locked.full_name = data.full_name.strip()
        locked.birth_date = data.birth_date
        locked.email = data.email.lower()
        locked.phone = data.phone.strip()
        locked.notes = data.notes
        locked.updated_at = timezone.now()
        locked.save(update_fields=["full_name", "birth_date", "email", "phone", "notes", "updated_at"])
        changed = sorted(f for f, v in before.items() if getattr(locked, f) != v)
        record_event(actor, Event.CLIENT_UPDATE, locked, client=locked, detail={"fields": changed})
        return locked


def record_questionnaire(
    actor: Actor, client: Client, raw: dict[str, Any], taken_on: dt.date, *, key: uuid.UUID | None = None
) -> Questionnaire:
    """Store a new dated questionnaire after core has validated it against the answers contract.

    Raises core's ``InputError``/``UnknownIdError`` naming the field at fault.
    """
    actor.require(Perm.QUESTIONNAIRE_RECORD)
    check_questionnaire_date(taken_on, actor.today(), client.birth_date)
    evidence = evidence_for(actor.organization)
    parse_answers(raw, evidence, on=taken_on)

    def create() -> Questionnaire:
        q = Questionnaire.objects.create(
            organization=actor.organization,
            client=client,
            taken_on=taken_on,
            answers=raw,
            evidence_version=evidence.version,
            recorded_by=actor.user,
        )
        record_event(actor, Event.QUESTIONNAIRE_RECORD, q, client=client, detail={"taken_on": taken_on.isoformat()})
        return q

    with transaction.atomic():
        scope = Questionnaire.objects.filter(organization=actor.organization, client=client)
        return once(actor.user, key, Event.QUESTIONNAIRE_RECORD, scope, create)
